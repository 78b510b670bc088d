import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import { MAX_DECOMPRESSED_BYTES } from '../connectors/files/read-file.js';
import type { FoundFile } from '../connectors/files/walk-files.js';
import { describeError } from '../errors.js';
import { awsLogsKey } from './cloudtrail-digest.js';
import { recordDigest, recordLogHashes } from './digest-store.js';
import type { LogFileState } from './evaluate-chain.js';
import type { CloudTrailPublicKey } from './public-keys.js';
import { type DigestCheckSummary, verifyDigests } from './verify-digests.js';

/**
 * CloudTrail digests in local files (an `aws s3 sync` of the trail bucket): read with the files
 * ingest, checked against the log files found under the same paths. File copies carry no S3
 * metadata, so a digest's signature comes from the next digest's previousDigestSignature.
 */

/** A digest file's bytes, ready to be recorded in the ingest batch's transaction. */
export async function readDigestFile(
  path: string,
  gzip: boolean,
  limit = MAX_DECOMPRESSED_BYTES,
): Promise<{ record(c: DuckDBConnection, runId: number): Promise<void> }> {
  const raw = await readFile(path);
  let content: Buffer;
  try {
    content = gzip ? gunzipSync(raw, { maxOutputLength: limit }) : raw;
  } catch (error) {
    // A damaged digest is recorded as such (its bytes cannot be what CloudTrail signed).
    content = Buffer.from(`damaged gzip: ${describeError(error)}`);
  }
  return {
    record: async (c, runId) => {
      await recordDigest(c, { location: path, origin: path, content, metaSignature: null }, runId);
    },
  };
}

/** sha256 of a file's uncompressed content (gunzipped when it starts with the gzip magic). */
export async function hashLogFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  const head = Buffer.alloc(2);
  const handle = await open(path, 'r');
  let gzip = false;
  try {
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    gzip = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
  if (!gzip) {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }
  const raw = createReadStream(path);
  const gunzip = createGunzip();
  raw.on('error', (error) => gunzip.destroy(error));
  try {
    for await (const chunk of raw.pipe(gunzip)) hash.update(chunk as Buffer);
  } catch (error) {
    // Damaged gzip: the hash of what decompressed cannot match a digest's record, as it should not.
    // A file that cannot be read at all is not a verdict on its content.
    if ((error as NodeJS.ErrnoException).code?.startsWith('E')) throw error;
  }
  return hash.digest('hex');
}

export interface LocalDigestOptions {
  /** Every file walked this run (unchanged ones too): where log files are looked for. */
  files: readonly FoundFile[];
  /** CloudTrail log files (re)read this run: their hashes are refreshed when a digest lists them. */
  trailLogsRead: readonly string[];
  publicKeys: readonly CloudTrailPublicKey[];
  maxDecompressedBytes?: number | undefined;
}

/** Refreshes the hashes of changed log files that digests list, then judges the digests touched. */
export async function verifyLocalDigests(
  c: DuckDBConnection,
  runId: number,
  options: LocalDigestOptions,
): Promise<DigestCheckSummary> {
  const localByKey = new Map<string, string>();
  const regionFolders = new Set<string>();
  for (const f of options.files) {
    const key = awsLogsKey(f.path);
    if (!key?.includes('/CloudTrail/')) continue;
    localByKey.set(key, f.path);
    const folder = regionFolder(key);
    if (folder) regionFolders.add(folder);
  }
  if (options.trailLogsRead.length > 0) await rehashListed(c, runId, options.trailLogsRead);
  const logFile = async (file: { logKey: string }): Promise<LogFileState> => {
    const path = localByKey.get(file.logKey);
    if (path) return { kind: 'hashed', sha256: await hashLogFile(path) };
    // Gone only if this run read that account and region's logs; otherwise it was not given to us.
    const folder = regionFolder(file.logKey);
    return folder && regionFolders.has(folder) ? { kind: 'absent' } : { kind: 'unknown' };
  };
  return verifyDigests(c, runId, { resolvers: { logFile }, configKeys: options.publicKeys });
}

/** 'AWSLogs/[o-x/]<account>/CloudTrail/<region>/' of a log key. */
function regionFolder(key: string): string | null {
  const m = /^(AWSLogs\/(?:o-[a-z0-9]+\/)?\d{12}\/CloudTrail\/[^/]+\/)/.exec(key);
  return m ? (m[1] as string) : null;
}

/** Hashes the re-read log files that some digest lists (a changed file must be checked again). */
async function rehashListed(c: DuckDBConnection, runId: number, paths: readonly string[]): Promise<void> {
  const byKey = new Map<string, string>();
  for (const p of paths) {
    const key = awsLogsKey(p);
    if (key) byKey.set(key, p);
  }
  await c.run('create or replace temp table digest_reread (log_key varchar)');
  const appender = await c.createAppender('digest_reread', 'main', 'temp');
  try {
    for (const key of byKey.keys()) {
      appender.appendVarchar(key);
      appender.endRow();
    }
  } finally {
    appender.closeSync();
  }
  const reader = await c.runAndReadAll(
    `select distinct r.log_key
from temp.digest_reread r
join cloudtrail_digest_log_files l on l.log_key = r.log_key`,
  );
  await c.run('drop table temp.digest_reread');
  const hashes = [];
  for (const [key] of reader.getRows()) {
    const path = byKey.get(String(key)) as string;
    try {
      hashes.push({ location: path, origin: path, sha256: await hashLogFile(path) });
    } catch {
      // Unreadable now: judged "not checked" below, with the reason in the summary's problems.
    }
  }
  await recordLogHashes(c, hashes, runId);
}
