import { createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AuditlakeError, describeError } from '../errors.js';

/** A CloudTrail public key: what ListPublicKeys returns, the value as base64 DER. */
export interface CloudTrailPublicKey {
  fingerprint: string;
  /** base64 of the DER key: PKCS#1 RSAPublicKey (what ListPublicKeys documents) or SubjectPublicKeyInfo. */
  value: string;
  validFrom: Date | null;
  validTo: Date | null;
  source: 'ListPublicKeys' | 'config';
}

/** Node's key object for a base64 DER value; PKCS#1 first, as ListPublicKeys documents, then SPKI. */
export function keyObject(value: string): KeyObject {
  const der = Buffer.from(value, 'base64');
  try {
    return createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
  } catch {
    return createPublicKey({ key: der, format: 'der', type: 'spki' });
  }
}

/** Verifies a hex RSA PKCS#1 v1.5 signature over SHA-256 of `data` (CloudTrail's SHA256withRSA). */
export function verifySha256WithRsa(key: KeyObject, data: string, signatureHex: string): boolean {
  if (!/^[0-9a-f]+$/i.test(signatureHex) || signatureHex.length % 2 !== 0) return false;
  const verifier = createVerify('RSA-SHA256');
  verifier.update(data, 'utf8');
  verifier.end();
  try {
    return verifier.verify(key, Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}

const time = (value: unknown): Date | null => {
  if (typeof value === 'number') return new Date(value * 1000);
  if (typeof value === 'string' && value !== '') {
    const n = Number(value);
    const d = Number.isFinite(n) ? new Date(n * 1000) : new Date(value);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
};

/**
 * Public keys from a file named in config (`integrity.cloudtrail_public_keys`), for offline checks:
 * either the JSON `aws cloudtrail list-public-keys` prints (`{"PublicKeyList": [{"Value",
 * "Fingerprint", ...}]}`, per region: concatenate several lists into one array if needed), or a map
 * of fingerprint to a PEM public key.
 */
export function parsePublicKeyFile(textValue: string, file: string): CloudTrailPublicKey[] {
  let value: unknown;
  try {
    value = JSON.parse(textValue);
  } catch (error) {
    throw keyFileError(file, `not JSON: ${describeError(error)}`);
  }
  const lists: unknown[] = Array.isArray(value) ? value : [value];
  const out: CloudTrailPublicKey[] = [];
  for (const item of lists) {
    if (typeof item !== 'object' || item === null) throw keyFileError(file, 'expected objects');
    const record = item as Record<string, unknown>;
    const list = record.PublicKeyList ?? record.publicKeyList;
    if (Array.isArray(list)) {
      for (const [i, k] of list.entries()) {
        const entry = (typeof k === 'object' && k !== null ? k : {}) as Record<string, unknown>;
        if (typeof entry.Value !== 'string' || typeof entry.Fingerprint !== 'string') {
          throw keyFileError(file, `PublicKeyList[${i}] lacks Value or Fingerprint`);
        }
        out.push(
          checked(file, entry.Fingerprint, entry.Value, entry.ValidityStartTime, entry.ValidityEndTime),
        );
      }
      continue;
    }
    for (const [fingerprint, pem] of Object.entries(record)) {
      if (typeof pem !== 'string') throw keyFileError(file, `the key of ${fingerprint} is not a PEM string`);
      let der: Buffer;
      try {
        der = createPublicKey(pem).export({ format: 'der', type: 'spki' });
      } catch (error) {
        throw keyFileError(
          file,
          `the key of ${fingerprint} is not a PEM public key: ${describeError(error)}`,
        );
      }
      out.push(checked(file, fingerprint, der.toString('base64'), null, null));
    }
  }
  return out;
}

function checked(
  file: string,
  fingerprint: string,
  value: string,
  from: unknown,
  to: unknown,
): CloudTrailPublicKey {
  try {
    keyObject(value);
  } catch (error) {
    throw keyFileError(file, `the key of ${fingerprint} is not an RSA public key: ${describeError(error)}`);
  }
  return {
    fingerprint: fingerprint.toLowerCase(),
    value,
    validFrom: time(from),
    validTo: time(to),
    source: 'config',
  };
}

function keyFileError(file: string, message: string): AuditlakeError {
  return new AuditlakeError('config', `CloudTrail public key file ${file}: ${message}`, {
    context: { file },
    hint: 'save the output of `aws cloudtrail list-public-keys --start-time ... --region R` there (docs/integrity.md)',
  });
}

/** Reads the key file named in config. */
export function readPublicKeyFile(file: string): CloudTrailPublicKey[] {
  let textValue: string;
  try {
    textValue = readFileSync(file, 'utf8');
  } catch (error) {
    throw keyFileError(file, `cannot read it: ${describeError(error)}`);
  }
  return parsePublicKeyFile(textValue, file);
}
