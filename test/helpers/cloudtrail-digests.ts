import { createHash, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { signingString } from '../../src/integrity/cloudtrail-digest.js';
import type { CloudTrailPublicKey } from '../../src/integrity/public-keys.js';
import { cloudtrailRecord } from './cloudtrail-records.js';

/**
 * A trail's hourly digests signed as CloudTrail signs them, with a throwaway RSA key pair: for tests
 * of digest verification from local files and from the S3 trail connector.
 */
export interface SigningKey {
  privateKey: KeyObject;
  fingerprint: string;
  /** As ListPublicKeys returns it: base64 DER PKCS#1. */
  publicValue: string;
}

export function throwawayKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ format: 'der', type: 'pkcs1' });
  return {
    privateKey,
    fingerprint: createHash('md5').update(der).digest('hex'),
    publicValue: der.toString('base64'),
  };
}

export function configKey(key: SigningKey): CloudTrailPublicKey {
  return {
    fingerprint: key.fingerprint,
    value: key.publicValue,
    validFrom: null,
    validTo: null,
    source: 'config',
  };
}

export interface TrailObject {
  /** Key from AWSLogs/ on. */
  key: string;
  /** The object's bytes as stored (gzip). */
  body: Buffer;
}

export interface SignedDigest extends TrailObject {
  /** x-amz-meta-signature. */
  signature: string;
  json: Record<string, unknown>;
}

export interface BuiltChain {
  logs: TrailObject[];
  digests: SignedDigest[];
  /** Event ids per log key. */
  events: Map<string, string[]>;
}

const pad = (n: number) => String(n).padStart(2, '0');
function stamp(ms: number): { text: string; compact: string; day: string; minute: string } {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const mo = pad(d.getUTCMonth() + 1);
  const da = pad(d.getUTCDate());
  const h = pad(d.getUTCHours());
  const mi = pad(d.getUTCMinutes());
  const s = pad(d.getUTCSeconds());
  return {
    text: `${y}-${mo}-${da}T${h}:${mi}:${s}Z`,
    compact: `${y}${mo}${da}T${h}${mi}${s}Z`,
    day: `${y}/${mo}/${da}`,
    minute: `${y}${mo}${da}T${h}${mi}Z`,
  };
}

export function signDigest(key: KeyObject, data: string): string {
  const signer = createSign('RSA-SHA256');
  signer.update(data, 'utf8');
  return signer.sign(key, 'hex');
}

/**
 * `hours` hourly digests of one trail, account and region from `start`, each listing `logsPerHour`
 * log files of 3 events delivered in its hour; chained and signed as CloudTrail does.
 */
export function buildChain(options: {
  key: SigningKey;
  account: string;
  region: string;
  trail: string;
  bucket: string;
  /** Key prefix before AWSLogs/ ('' or ending in '/'). */
  prefix?: string;
  start: number;
  hours: number;
  logsPerHour?: number;
  firstEvent?: number;
}): BuiltChain {
  const prefix = options.prefix ?? '';
  const logsPerHour = options.logsPerHour ?? 2;
  const out: BuiltChain = { logs: [], digests: [], events: new Map() };
  let previous: { object: string; sha256: string; signature: string } | null = null;
  let n = options.firstEvent ?? 1;
  for (let h = 0; h < options.hours; h++) {
    const begin = options.start + h * 3_600_000;
    const end = begin + 3_600_000 + 31_000;
    const logFiles: Record<string, unknown>[] = [];
    for (let f = 0; f < logsPerHour; f++) {
      const delivered = stamp(begin + (f + 1) * 15 * 60_000);
      const key = `AWSLogs/${options.account}/CloudTrail/${options.region}/${delivered.day}/${options.account}_CloudTrail_${options.region}_${delivered.minute}_h${h}f${f}.json.gz`;
      const records = Array.from({ length: 3 }, () => {
        const i = n++;
        return cloudtrailRecord(i, {
          eventTime: stamp(begin + (f + 1) * 15 * 60_000 - 60_000).text,
          awsRegion: options.region,
          recipientAccountId: options.account,
        });
      });
      const text = JSON.stringify({ Records: records });
      out.logs.push({ key, body: gzipSync(text) });
      out.events.set(
        key,
        records.map((r) => String(r.eventID)),
      );
      logFiles.push({
        s3Bucket: options.bucket,
        s3Object: `${prefix}${key}`,
        hashValue: createHash('sha256').update(text).digest('hex'),
        hashAlgorithm: 'SHA-256',
        newestEventTime: stamp(begin + (f + 1) * 15 * 60_000 - 60_000).text,
        oldestEventTime: stamp(begin + (f + 1) * 15 * 60_000 - 60_000).text,
      });
    }
    const e = stamp(end);
    const key = `AWSLogs/${options.account}/CloudTrail-Digest/${options.region}/${e.day}/${options.account}_CloudTrail-Digest_${options.region}_${options.trail}_${options.region}_${e.compact}.json.gz`;
    const json: Record<string, unknown> = {
      awsAccountId: options.account,
      digestStartTime: stamp(end - 3_600_000).text,
      digestEndTime: e.text,
      digestS3Bucket: options.bucket,
      digestS3Object: `${prefix}${key}`,
      digestPublicKeyFingerprint: options.key.fingerprint,
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: null,
      oldestEventTime: null,
      previousDigestS3Bucket: previous ? options.bucket : null,
      previousDigestS3Object: previous?.object ?? null,
      previousDigestHashValue: previous?.sha256 ?? null,
      previousDigestHashAlgorithm: previous ? 'SHA-256' : null,
      previousDigestSignature: previous?.signature ?? null,
      logFiles,
    };
    const digest = signed(options.key, key, json);
    out.digests.push(digest);
    previous = { object: `${prefix}${key}`, sha256: digestSha(digest), signature: digest.signature };
  }
  return out;
}

/** Serializes and signs a digest's JSON as CloudTrail would (`json` may be altered first). */
export function signed(key: SigningKey, objectKey: string, json: Record<string, unknown>): SignedDigest {
  const text = JSON.stringify(json);
  const sha256 = createHash('sha256').update(text).digest('hex');
  const signature = signDigest(
    key.privateKey,
    signingString({
      endText: String(json.digestEndTime),
      bucket: String(json.digestS3Bucket),
      object: String(json.digestS3Object),
      sha256,
      previousSignature: (json.previousDigestSignature as string | null) ?? null,
    }),
  );
  return { key: objectKey, body: gzipSync(text), signature, json };
}

/** The digest's bytes with the JSON changed but the signature kept (tampering). */
export function tampered(
  digest: SignedDigest,
  change: (json: Record<string, unknown>) => void,
): SignedDigest {
  const json = structuredClone(digest.json);
  change(json);
  return { ...digest, json, body: gzipSync(JSON.stringify(json)) };
}

function digestSha(d: SignedDigest): string {
  return createHash('sha256').update(JSON.stringify(d.json)).digest('hex');
}
