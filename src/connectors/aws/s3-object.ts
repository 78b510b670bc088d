import type { Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { MAX_DECOMPRESSED_BYTES } from '../files/read-file.js';
import { sniffLayout } from '../files/sniff.js';
import { splitJsonRecords } from '../files/split-json-records.js';

/** What one trail object holds: its records, or why it holds none. */
export interface TrailObject {
  records: string[];
  /** Set when the object is not events (a digest file, an empty file): skipped, not an error. */
  skipped: string | null;
  /** Set when the object is damaged; `records` holds every whole record before the defect. */
  defect: string | null;
}

/** A failure of the transfer itself (cut connection): worth downloading the object again. */
export class TransferError extends Error {
  override readonly name = 'TransferError';
  readonly code = 'ECONNRESET';
}

/** A damaged object (bad gzip): the same bytes come back on a retry, so it is salvaged instead. */
class ContentError extends Error {}

/**
 * Reads an S3 body to text, gunzipping as it streams when it starts with the gzip magic (S3 hands
 * `.json.gz` objects over compressed, and a renamed file may not be). The compressed bytes are
 * never held whole; the text is, because a CloudTrail file is one JSON document (at most ~50 MB).
 */
export async function readBodyText(
  body: Readable,
  expectedBytes: number | undefined,
  /** Fed the decompressed bytes as they come (CloudTrail digests hash the uncompressed content). */
  hash?: Hash,
): Promise<string> {
  const decoder = new StringDecoder('utf8');
  const parts: string[] = [];
  let rawBytes = 0;
  let textBytes = 0;
  let gunzip: ReturnType<typeof createGunzip> | null = null;
  let decided = false;
  let pending = Buffer.alloc(0);
  let gunzipError: Error | null = null;

  const take = (chunk: Buffer) => {
    textBytes += chunk.length;
    if (textBytes > MAX_DECOMPRESSED_BYTES) throw new ContentError('decompressed size exceeds 1 GiB');
    hash?.update(chunk);
    parts.push(decoder.write(chunk));
  };
  const feedGunzip = (chunk: Buffer) =>
    new Promise<void>((resolve) => {
      const gz = gunzip;
      if (!gz || gunzipError) return resolve();
      const done = () => {
        gz.off('error', done);
        resolve();
      };
      gz.once('error', done);
      // Waiting for each chunk's output keeps memory flat and surfaces errors in order.
      gz.write(chunk, done);
    });

  try {
    for await (const chunk of body) {
      const buffer = chunk as Buffer;
      rawBytes += buffer.length;
      if (!decided) {
        pending = Buffer.concat([pending, buffer]);
        if (pending.length < 2) continue;
        decided = true;
        if (pending[0] === 0x1f && pending[1] === 0x8b) {
          gunzip = createGunzip();
          gunzip.on('data', (out: Buffer) => {
            try {
              take(out);
            } catch (error) {
              gunzipError = error as Error;
              gunzip?.destroy();
            }
          });
          gunzip.on('error', (error) => {
            gunzipError ??= error;
          });
          await feedGunzip(pending);
        } else take(pending);
        continue;
      }
      if (gunzip) await feedGunzip(buffer);
      else take(buffer);
      if (gunzipError) break;
    }
  } catch (error) {
    if (error instanceof ContentError) throw new DamagedText(parts.join(''), error.message);
    // The connection broke mid-body: a transfer problem, not the object's.
    throw new TransferError(`download cut short after ${rawBytes} bytes: ${(error as Error).message}`);
  }
  if (!decided && pending.length > 0) take(pending);
  if (expectedBytes !== undefined && rawBytes < expectedBytes) {
    throw new TransferError(`download cut short: ${rawBytes} of ${expectedBytes} bytes`);
  }
  const gz = gunzip as ReturnType<typeof createGunzip> | null;
  if (gz && !gunzipError) {
    await new Promise<void>((resolve) => {
      gz.once('end', resolve);
      gz.once('close', resolve);
      gz.end();
    });
  }
  parts.push(decoder.end());
  const text = parts.join('');
  if (gunzipError) throw new DamagedText(text, gunzipReason(gunzipError));
  return text;
}

/** The text that decompressed before a defect, with the defect. */
export class DamagedText extends Error {
  readonly text: string;
  constructor(text: string, reason: string) {
    super(reason);
    this.text = text;
  }
}

function gunzipReason(error: Error): string {
  if (/unexpected end of file/i.test(error.message)) return 'truncated gzip stream (unexpected end of file)';
  if (error instanceof ContentError) return error.message;
  return `corrupt gzip data (${error.message})`;
}

/** The records of a CloudTrail log file's text (`{"Records":[...]}`), each kept verbatim. */
export function parseTrailText(text: string, damage: string | null): TrailObject {
  const layout = sniffLayout(text.slice(0, 64 * 1024), text.length <= 64 * 1024);
  if (layout.kind === 'cloudtrail-digest') {
    return { records: [], skipped: 'CloudTrail digest file (integrity data, not events)', defect: null };
  }
  if (layout.kind === 'empty') {
    return damage
      ? { records: [], skipped: null, defect: damage }
      : { records: [], skipped: 'empty object', defect: null };
  }
  if (layout.kind !== 'keyed-array' || layout.key !== 'Records') {
    const what = layout.kind === 'not-json' ? layout.reason : `a JSON ${layout.kind}`;
    return {
      records: [],
      skipped: null,
      defect: damage ?? `not a CloudTrail log file ({"Records":[...]}): ${what}`,
    };
  }
  const split = splitJsonRecords(text, 'Records');
  const records = split.records.map((r) => r.text);
  if (damage) return { records, skipped: null, defect: damage };
  return {
    records,
    skipped: null,
    defect: split.defect ? `${split.defect.reason} at line ${split.defect.line}` : null,
  };
}
