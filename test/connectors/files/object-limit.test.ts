import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { gzipDeclaredSize } from '../../../src/connectors/files/read-file.js';
import { MAX_OBJECT_BYTES, objectLimit } from '../../../src/ingest/ingest-files.js';

const dir = mkdtempSync(join(tmpdir(), 'auditlake-isize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Buffer): { path: string; size: number } {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, size: bytes.length };
}

describe('gzipDeclaredSize', () => {
  it('reads the decompressed size from the gzip trailer', async () => {
    const text = JSON.stringify({ Records: Array.from({ length: 500 }, (_, i) => ({ eventID: `e${i}` })) });
    const file = write('one.json.gz', gzipSync(text));
    expect(await gzipDeclaredSize(file.path, file.size)).toBe(Buffer.byteLength(text));
  });

  it('distrusts a trailer smaller than the file (several members, over 4 GiB, or damage)', async () => {
    const big = gzipSync('x'.repeat(100_000));
    const tiny = gzipSync('{}');
    // Two members: ISIZE covers only the last one, 2 bytes, less than the file itself.
    const file = write('two.json.gz', Buffer.concat([big, tiny]));
    expect(await gzipDeclaredSize(file.path, file.size)).toBeNull();
    const short = write('short.gz', Buffer.from([0x1f, 0x8b, 8]));
    expect(await gzipDeclaredSize(short.path, short.size)).toBeNull();
  });
});

describe('objectLimit', () => {
  it('sizes the reader to the largest file, in powers of two from 1 MiB, up to the maximum', () => {
    expect(objectLimit(0)).toBe(1024 * 1024);
    expect(objectLimit(1_200_000)).toBe(2 * 1024 * 1024);
    expect(objectLimit(2 * 1024 * 1024)).toBe(4 * 1024 * 1024);
    expect(objectLimit(50_000_000)).toBe(MAX_OBJECT_BYTES);
    expect(objectLimit(200_000_000)).toBe(MAX_OBJECT_BYTES);
    expect(objectLimit(null)).toBe(MAX_OBJECT_BYTES);
  });
});
