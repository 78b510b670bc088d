import { createHash } from 'node:crypto';

/**
 * CloudTrail digest files (log file integrity validation), as AWS documents them in "CloudTrail
 * digest file structure" and "Custom implementations of CloudTrail log file integrity validation".
 * Pure parsing and the signed string; no I/O.
 */

/** Where a digest sits and what chain it belongs to, from its object key. */
export interface DigestKey {
  /** The key from 'AWSLogs/' on: the same whatever bucket prefix or local folder holds it. */
  key: string;
  account: string;
  /** The region the digest covers. */
  region: string;
  trail: string;
  homeRegion: string;
  /** The digest's end time, from the name (second precision). */
  end: Date;
  backfill: boolean;
}

/** One log file a digest lists. */
export interface DigestLogFile {
  bucket: string;
  object: string;
  /** `object` from 'AWSLogs/' on. */
  key: string;
  hashValue: string;
  hashAlgorithm: string;
}

/** The fields of a digest file that verification uses. */
export interface CloudTrailDigest {
  account: string;
  startText: string | null;
  /** digestEndTime exactly as written: the signed string holds it as text. */
  endText: string;
  bucket: string;
  object: string;
  fingerprint: string;
  signatureAlgorithm: string;
  previousBucket: string | null;
  previousObject: string | null;
  previousHashValue: string | null;
  previousSignature: string | null;
  logFiles: DigestLogFile[];
}

// <account>_CloudTrail-Digest_<region>_<trail>_<home region>_<YYYYMMDDTHHMMSSZ>[_backfill].json.gz
const DIGEST_NAME =
  /^(\d{12})_CloudTrail-Digest_([a-z0-9-]+)_(.+)_([a-z0-9-]+)_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(_backfill)?\.json(?:\.gz)?$/;

/** The object key (or local path) from its 'AWSLogs/' folder on, or null when it has none. */
export function awsLogsKey(pathOrKey: string): string | null {
  const normalized = pathOrKey.replaceAll('\\', '/');
  const at = normalized.lastIndexOf('AWSLogs/');
  if (at < 0 || (at > 0 && normalized[at - 1] !== '/')) return null;
  return normalized.slice(at);
}

/** Parses a digest's key or path; null when it is not named like a CloudTrail digest file. */
export function parseDigestKey(pathOrKey: string): DigestKey | null {
  const key = awsLogsKey(pathOrKey);
  if (!key?.includes('/CloudTrail-Digest/')) return null;
  const name = key.slice(key.lastIndexOf('/') + 1);
  const m = DIGEST_NAME.exec(name);
  if (!m) return null;
  const [, account, region, trail, homeRegion, y, mo, d, h, mi, s, backfill] = m;
  const end = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  if (Number.isNaN(end.getTime())) return null;
  return {
    key,
    account: account as string,
    region: region as string,
    trail: trail as string,
    homeRegion: homeRegion as string,
    end,
    backfill: backfill !== undefined,
  };
}

/** True when a path or key looks like a CloudTrail digest file (by its name). */
export function isDigestPath(pathOrKey: string): boolean {
  return parseDigestKey(pathOrKey) !== null;
}

/** True when a path or key is a CloudTrail log file under an AWSLogs tree. */
export function isTrailLogPath(pathOrKey: string): boolean {
  const key = awsLogsKey(pathOrKey);
  return Boolean(key?.includes('/CloudTrail/'));
}

export class DigestFormatError extends Error {
  override readonly name = 'DigestFormatError';
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** Parses a digest file's (uncompressed) text; throws DigestFormatError naming what is wrong. */
export function parseDigest(json: string): CloudTrailDigest {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new DigestFormatError(`not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DigestFormatError('not a JSON object');
  }
  const v = value as Record<string, unknown>;
  // AWS's sample and the AWS CLI use digestPublicKeyFingerprint; the field list says publicKeyFingerprint.
  const fingerprint = text(v.digestPublicKeyFingerprint) ?? text(v.publicKeyFingerprint);
  const required = {
    awsAccountId: text(v.awsAccountId),
    digestEndTime: text(v.digestEndTime),
    digestS3Bucket: text(v.digestS3Bucket),
    digestS3Object: text(v.digestS3Object),
    digestPublicKeyFingerprint: fingerprint,
  };
  const missing = Object.entries(required)
    .filter(([, x]) => x === null)
    .map(([k]) => k);
  if (missing.length > 0) throw new DigestFormatError(`missing ${missing.join(', ')}`);
  if (!Array.isArray(v.logFiles)) throw new DigestFormatError('logFiles is not a list');
  const logFiles: DigestLogFile[] = [];
  for (const [i, entry] of v.logFiles.entries()) {
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const object = text(e.s3Object);
    const hashValue = text(e.hashValue);
    if (!object || !hashValue) throw new DigestFormatError(`logFiles[${i}] lacks s3Object or hashValue`);
    logFiles.push({
      bucket: text(e.s3Bucket) ?? '',
      object,
      key: awsLogsKey(object) ?? object,
      hashValue: hashValue.toLowerCase(),
      hashAlgorithm: text(e.hashAlgorithm) ?? 'SHA-256',
    });
  }
  return {
    account: required.awsAccountId as string,
    startText: text(v.digestStartTime),
    endText: required.digestEndTime as string,
    bucket: required.digestS3Bucket as string,
    object: required.digestS3Object as string,
    fingerprint: (fingerprint as string).toLowerCase(),
    signatureAlgorithm: text(v.digestSignatureAlgorithm) ?? 'SHA256withRSA',
    previousBucket: text(v.previousDigestS3Bucket),
    previousObject: text(v.previousDigestS3Object),
    previousHashValue: text(v.previousDigestHashValue)?.toLowerCase() ?? null,
    previousSignature: text(v.previousDigestSignature)?.toLowerCase() ?? null,
    logFiles,
  };
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The string CloudTrail signs (SHA256withRSA): end time, bucket/object, the hex sha256 of the
 * uncompressed digest file, and the previous digest's hex signature ('null' for a chain's first
 * digest, as the AWS CLI and CloudTrail's own Java implementation write it), joined by newlines.
 */
export function signingString(fields: {
  endText: string;
  bucket: string;
  object: string;
  sha256: string;
  previousSignature: string | null;
}): string {
  return [
    fields.endText,
    `${fields.bucket}/${fields.object}`,
    fields.sha256,
    fields.previousSignature ?? 'null',
  ].join('\n');
}
