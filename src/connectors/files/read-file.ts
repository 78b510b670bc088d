import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';

/** Bytes of decompressed text a file may hold before we refuse it (a gzip bomb, or not a log). */
export const MAX_DECOMPRESSED_BYTES = 1024 * 1024 * 1024;
const HEAD_BYTES = 64 * 1024;

export async function isGzipFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(2);
    const { bytesRead } = await handle.read(buffer, 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/**
 * The decompressed size a gzip file declares in its trailer (ISIZE: the last 4 bytes, little endian,
 * modulo 2^32), or null when it cannot be trusted: a trailer smaller than the compressed file means
 * more than 4 GiB, several gzip members (ISIZE covers only the last), or a damaged file.
 */
export async function gzipDeclaredSize(path: string, size: number): Promise<number | null> {
  if (size < 18) return null;
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buffer, 0, 4, size - 4);
    if (bytesRead !== 4) return null;
    const declared = buffer.readUInt32LE(0);
    return declared >= size ? declared : null;
  } finally {
    await handle.close();
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A stream of the file's decompressed bytes; gunzip errors surface as stream errors. */
function contentStream(path: string, gzip: boolean): NodeJS.ReadableStream {
  const raw = createReadStream(path);
  if (!gzip) return raw;
  const gunzip = createGunzip();
  raw.on('error', (error) => gunzip.destroy(error));
  return raw.pipe(gunzip);
}

export interface ReadText {
  text: string;
  /** Set when decompression or reading stopped early; `text` holds what came before. */
  damage: { offset: number; reason: string } | null;
}

/** The first 64 KiB of decompressed content, and whether that is the whole file. */
export async function readHead(
  path: string,
  gzip: boolean,
): Promise<{ head: string; complete: boolean; damage: string | null }> {
  const chunks: Buffer[] = [];
  let length = 0;
  const stream = contentStream(path, gzip);
  try {
    for await (const chunk of stream) {
      const buffer = chunk as Buffer;
      chunks.push(buffer);
      length += buffer.length;
      if (length >= HEAD_BYTES) {
        (stream as unknown as { destroy(): void }).destroy();
        return {
          head: Buffer.concat(chunks).subarray(0, HEAD_BYTES).toString('utf8'),
          complete: false,
          damage: null,
        };
      }
    }
    return { head: Buffer.concat(chunks).toString('utf8'), complete: true, damage: null };
  } catch (error) {
    return { head: Buffer.concat(chunks).toString('utf8'), complete: true, damage: gunzipReason(error) };
  }
}

/** The whole decompressed text, keeping whatever decompressed before a defect. */
export async function readWholeText(
  path: string,
  gzip: boolean,
  limit = MAX_DECOMPRESSED_BYTES,
): Promise<ReadText> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of contentStream(path, gzip)) {
      const buffer = chunk as Buffer;
      length += buffer.length;
      if (length > limit) {
        return {
          text: Buffer.concat(chunks).toString('utf8'),
          damage: { offset: length, reason: tooLarge(limit) },
        };
      }
      chunks.push(buffer);
    }
    return { text: Buffer.concat(chunks).toString('utf8'), damage: null };
  } catch (error) {
    return {
      text: Buffer.concat(chunks).toString('utf8'),
      damage: { offset: length, reason: gunzipReason(error) },
    };
  }
}

/** Lines of the decompressed text with 1-based numbers; a defect ends the iteration with `damage`. */
export async function* readLines(
  path: string,
  gzip: boolean,
  limit = MAX_DECOMPRESSED_BYTES,
): AsyncGenerator<
  { line: number; text: string } | { damage: { offset: number; reason: string }; line: number }
> {
  let pending = '';
  let line = 0;
  let offset = 0;
  // Decodes across chunk boundaries so a multi-byte character split between chunks stays whole.
  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of contentStream(path, gzip)) {
      const buffer = chunk as Buffer;
      offset += buffer.length;
      if (offset > limit) {
        yield { damage: { offset, reason: tooLarge(limit) }, line };
        return;
      }
      pending += decoder.write(buffer);
      let start = 0;
      for (let nl = pending.indexOf('\n', start); nl >= 0; nl = pending.indexOf('\n', start)) {
        line++;
        yield { line, text: pending.slice(start, nl) };
        start = nl + 1;
      }
      pending = pending.slice(start);
    }
  } catch (error) {
    // The partial last line is incomplete by definition: report it as the damage, not as a record.
    yield { damage: { offset, reason: gunzipReason(error) }, line: line + 1 };
    return;
  }
  pending += decoder.end();
  if (pending.length > 0) {
    line++;
    yield { line, text: pending };
  }
}

function tooLarge(limit: number): string {
  return `decompressed size exceeds ${Math.round(limit / 1024 / 1024)} MiB (a gzip bomb, or not a log file); the rest of the file is not read`;
}

function gunzipReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/unexpected end of file/i.test(message)) return 'truncated gzip stream (unexpected end of file)';
  if (/incorrect header check|invalid/i.test(message)) return `corrupt gzip data (${message})`;
  return message;
}
