import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingestFiles } from '../../src/ingest/ingest-files.js';
import { openStore } from '../../src/store/open-store.js';
import { startRun } from '../../src/store/runs.js';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';

/** A real CloudTrail file, then damaged: cut, bytes flipped, or gzipped after either. */
const damagedFile = fc
  .record({
    n: fc.integer({ min: 1, max: 30 }),
    cut: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
    flips: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), {
      maxLength: 4,
    }),
    gzip: fc.boolean(),
    lines: fc.boolean(),
  })
  .map(({ n, cut, flips, gzip, lines }) => {
    const records = Array.from({ length: n }, (_, i) => cloudtrailRecord(i + 1));
    let bytes = Buffer.from(
      lines ? records.map((r) => JSON.stringify(r)).join('\n') : JSON.stringify({ Records: records }),
    );
    for (const [at, value] of flips) bytes[Math.floor(at * (bytes.length - 1))] = value;
    if (gzip) bytes = gzipSync(bytes);
    if (cut !== null) bytes = bytes.subarray(0, Math.floor(cut * bytes.length));
    return bytes;
  });

const anyFile = fc.oneof(
  damagedFile,
  fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
  fc.json().map((j) => Buffer.from(j)),
);

describe('file ingest under fuzzing', () => {
  it('never crashes on damaged or arbitrary files; every record read is an event, a duplicate or an error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyFile, { minLength: 1, maxLength: 5 }), async (files) => {
        const dir = mkdtempSync(join(tmpdir(), 'auditlake-fuzz-'));
        const store = await openStore({ path: ':memory:' });
        try {
          mkdirSync(join(dir, 'in'));
          for (const [i, bytes] of files.entries()) writeFileSync(join(dir, 'in', `f${i}`), bytes);
          const summary = await ingestFiles(store.connection, await startRun(store.connection, 'fuzz'), {
            paths: [join(dir, 'in')],
          });
          const [[events, errorRows]] = (
            await store.connection.runAndReadAll(
              'select (select count(*) from events)::int, (select count(*) from ingest_errors)::int',
            )
          ).getRows() as [[number, number]];
          expect(events).toBe(summary.events_new);
          expect(errorRows).toBe(summary.errors);
          // Records staged either became events, were duplicates, or each produced an error row.
          expect(summary.records).toBeLessThanOrEqual(
            summary.events_new + summary.events_duplicate + summary.errors,
          );
          expect(summary.files_read).toBe(files.length);
        } finally {
          store.close();
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 40 },
    );
  }, 180_000);
});
