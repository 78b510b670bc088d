import type { DuckDBConnection } from '@duckdb/node-api';
import { plainValue } from '../detect/plain-value.js';
import { DigestFormatError, parseDigest, parseDigestKey, sha256Hex } from './cloudtrail-digest.js';
import { type CloudTrailPublicKey, keyObject } from './public-keys.js';

/**
 * What the store keeps of CloudTrail digests (tables of migration 5): facts recorded as digests and
 * log files are read, in the caller's transaction when it has one. Writes replace by key, so a
 * rerun never adds a row twice.
 */

/** A digest file as read: where, its uncompressed bytes, and its S3 metadata when it came from S3. */
export interface DigestDelivery {
  /** The S3 key or local path (its name says account, region, trail and hour). */
  location: string;
  /** events.origin style: the file path or s3://bucket/key. */
  origin: string;
  content: Buffer;
  /** x-amz-meta-signature (hex), when read from S3. */
  metaSignature: string | null;
}

/** The hash of one CloudTrail log file's uncompressed content, as read (null: it does not exist). */
export interface LogFileHash {
  /** The key or path; stored from 'AWSLogs/' on. */
  location: string;
  origin: string;
  sha256: string | null;
}

/** Records a digest and the log files it lists; returns its key, or null when not named as a digest. */
export async function recordDigest(
  c: DuckDBConnection,
  delivery: DigestDelivery,
  runId: number,
): Promise<string | null> {
  const name = parseDigestKey(delivery.location);
  if (!name) return null;
  const sha256 = sha256Hex(delivery.content);
  let digest: ReturnType<typeof parseDigest> | null = null;
  let unreadable: string | null = null;
  try {
    digest = parseDigest(delivery.content.toString('utf8'));
  } catch (error) {
    if (!(error instanceof DigestFormatError)) throw error;
    unreadable = error.message;
  }
  const meta = delivery.metaSignature?.trim().toLowerCase() || null;
  // A signature already checked stays checked while the bytes and metadata are the same.
  const before = await c.runAndReadAll(
    'select sha256, meta_signature, signature_checked, signature_ok from cloudtrail_digests where digest_key = $1 and present',
    [name.key],
  );
  const [oldSha, oldMeta, checked, ok] = (before.getRows()[0] ?? []).map((v) => plainValue(v ?? null));
  const keep = oldSha === sha256 && (oldMeta ?? null) === meta;
  const previousKey = digest?.previousObject ? (parseDigestKey(digest.previousObject)?.key ?? null) : null;

  await c.run('delete from cloudtrail_digests where digest_key = $1', [name.key]);
  await c.run('delete from cloudtrail_digest_log_files where digest_key = $1', [name.key]);
  await c.run(
    `insert into cloudtrail_digests (
  digest_key, account, region, trail, home_region, digest_start, digest_end, backfill, present, origin,
  digest_bucket, digest_object, digest_end_text, sha256, fingerprint, signature_algorithm, meta_signature,
  previous_key, previous_sha256, previous_signature, log_files, signature_checked, signature_ok,
  status, detail, recorded_at, checked_at, run_id)
values ($1, $2, $3, $4, $5, try_cast($6 as timestamptz), $7::timestamptz, $8, true, $9,
  $10, $11, $12, $13, $14, $15, $16,
  $17, $18, $19, $20, $21, $22,
  'unverifiable', 'not checked yet', now(), null, $23)`,
    [
      name.key,
      name.account,
      name.region,
      name.trail,
      name.homeRegion,
      digest?.startText ?? null,
      name.end.toISOString(),
      name.backfill,
      delivery.origin,
      digest?.bucket ?? null,
      digest?.object ?? null,
      digest?.endText ?? null,
      sha256,
      digest?.fingerprint ?? null,
      digest?.signatureAlgorithm ?? null,
      meta,
      previousKey,
      digest?.previousHashValue ?? null,
      digest?.previousSignature ?? null,
      digest?.logFiles.length ?? null,
      keep && typeof checked === 'string' ? checked : null,
      keep && typeof ok === 'boolean' ? ok : null,
      runId,
    ],
  );
  if (unreadable) {
    await c.run(`update cloudtrail_digests set detail = $2 where digest_key = $1`, [
      name.key,
      `unreadable: ${unreadable}`,
    ]);
  }
  if (digest && digest.logFiles.length > 0) {
    const appender = await c.createAppender('cloudtrail_digest_log_files');
    try {
      for (const f of digest.logFiles) {
        appender.appendVarchar(name.key);
        appender.appendVarchar(f.key);
        appender.appendVarchar(f.bucket);
        appender.appendVarchar(f.object);
        appender.appendVarchar(f.hashValue);
        appender.appendNull();
        appender.appendVarchar('unchecked');
        appender.appendNull();
        appender.endRow();
      }
    } finally {
      appender.closeSync();
    }
  }
  return name.key;
}

/** Records the hashes of log files as read (replacing earlier ones of the same files). */
export async function recordLogHashes(
  c: DuckDBConnection,
  hashes: readonly LogFileHash[],
  runId: number,
): Promise<void> {
  if (hashes.length === 0) return;
  const rows = hashes.map((h) => ({ ...h, key: logKeyOf(h.location) }));
  await c.run(
    'create or replace temp table digest_log_hash_batch (log_key varchar, sha256 varchar, origin varchar)',
  );
  const appender = await c.createAppender('digest_log_hash_batch', 'main', 'temp');
  try {
    for (const r of rows) {
      appender.appendVarchar(r.key);
      if (r.sha256 === null) appender.appendNull();
      else appender.appendVarchar(r.sha256);
      appender.appendVarchar(r.origin);
      appender.endRow();
    }
  } finally {
    appender.closeSync();
  }
  await c.run(
    'delete from cloudtrail_log_hashes where log_key in (select log_key from temp.digest_log_hash_batch)',
  );
  await c.run(
    `insert into cloudtrail_log_hashes (log_key, sha256, origin, hashed_at, run_id)
select log_key, any_value(sha256), any_value(origin), now(), $1
from temp.digest_log_hash_batch
group by log_key`,
    [runId],
  );
  await c.run('drop table temp.digest_log_hash_batch');
}

function logKeyOf(location: string): string {
  const normalized = location.replaceAll('\\', '/');
  const at = normalized.lastIndexOf('AWSLogs/');
  return at >= 0 ? normalized.slice(at) : normalized;
}

/** Adds public keys (replacing ones with the same fingerprint); returns how many were new. */
export async function storePublicKeys(
  c: DuckDBConnection,
  keys: readonly CloudTrailPublicKey[],
): Promise<number> {
  let added = 0;
  for (const k of keys) {
    const existing = await c.runAndReadAll(
      'select public_key from cloudtrail_public_keys where fingerprint = $1',
      [k.fingerprint],
    );
    const current = existing.getRows()[0]?.[0];
    if (current === k.value) continue;
    await c.run('delete from cloudtrail_public_keys where fingerprint = $1', [k.fingerprint]);
    await c.run(
      `insert into cloudtrail_public_keys (fingerprint, public_key, valid_from, valid_to, source, added_at)
values ($1, $2, $3::timestamptz, $4::timestamptz, $5, now())`,
      [
        k.fingerprint,
        k.value,
        k.validFrom?.toISOString() ?? null,
        k.validTo?.toISOString() ?? null,
        k.source,
      ],
    );
    added++;
  }
  return added;
}

/** Every stored public key by fingerprint; a value that is not a usable key is left out. */
export async function loadPublicKeys(
  c: DuckDBConnection,
): Promise<Map<string, ReturnType<typeof keyObject>>> {
  const reader = await c.runAndReadAll('select fingerprint, public_key from cloudtrail_public_keys');
  const out = new Map<string, ReturnType<typeof keyObject>>();
  for (const [fingerprint, value] of reader.getRows()) {
    try {
      out.set(String(fingerprint), keyObject(String(value)));
    } catch {
      // A broken stored key verifies nothing; the digests it would serve stay unverifiable.
    }
  }
  return out;
}
