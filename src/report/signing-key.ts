import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ReportSigningConfig } from '../config/report-signing-schema.js';
import { AuditlakeError, describeError } from '../errors.js';

/**
 * The Ed25519 key reports are signed with (docs/reports.md), found the way the store key is
 * (src/store/store-key.ts): `report.signing.key_env` or `key_file` in auditlake.yaml, else the
 * AUDITLAKE_REPORT_KEY variable. Messages name where a key came from, never the key.
 */

/** The simple path: the private key PEM itself in this environment variable. */
export const SIGNING_KEY_ENV = 'AUDITLAKE_REPORT_KEY';

export interface ReportSigningKey {
  readonly privateKey: KeyObject;
  /** SPKI PEM, printed in the report's appendix and carried by every signature. */
  readonly publicKeyPem: string;
  /** `sha256:` + hex sha256 of the public key's DER (SPKI) bytes. */
  readonly fingerprint: string;
  /** Where the key came from, for messages: `$NAME` or the file path. */
  readonly from: string;
}

/** `sha256:<hex>` of the DER (SPKI) encoding: `openssl pkey -pubin -outform DER | sha256sum` gives it. */
export function keyFingerprint(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(der).digest('hex')}`;
}

export function publicKeyPem(publicKey: KeyObject): string {
  return String(publicKey.export({ type: 'spki', format: 'pem' }));
}

/**
 * The signing key from `report.signing`, else AUDITLAKE_REPORT_KEY; null when neither is set (reports
 * are then written unsigned, and say so). A configured source that gives no usable key is an error:
 * the command must not silently write unsigned reports. A relative key_file is resolved against
 * `baseDir` (the config file's directory).
 */
export function resolveSigningKey(
  signing: ReportSigningConfig | undefined,
  env: NodeJS.ProcessEnv = process.env,
  baseDir: string = process.cwd(),
): ReportSigningKey | null {
  if (!signing) {
    const pem = env[SIGNING_KEY_ENV];
    if (pem === undefined || pem === '') return null;
    return signingKeyFromPem(pem, `$${SIGNING_KEY_ENV}`);
  }
  if (signing.key_env !== undefined) {
    const name = signing.key_env;
    const pem = env[name];
    if (pem === undefined || pem === '') {
      throw new AuditlakeError('config', `report.signing.key_env names ${name}, which is not set`, {
        context: { variable: name },
        hint: `export ${name}="$(cat report-signing.key.pem)", or remove report.signing (docs/reports.md)`,
      });
    }
    return signingKeyFromPem(pem, `$${name}`);
  }
  const file = resolve(baseDir, signing.key_file ?? '');
  return signingKeyFromPem(readPrivateKeyFile(file), file);
}

/** The signing key for a loaded auditlake.yaml: a relative key_file is relative to that file. */
export function signingKeyFromConfig(
  loaded: { config: { report: { signing?: ReportSigningConfig | undefined } }; file: string | null },
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): ReportSigningKey | null {
  return resolveSigningKey(loaded.config.report.signing, env, loaded.file ? dirname(loaded.file) : cwd);
}

/** Reads a private key file; refuses one every user can read, as the store key file is refused. */
function readPrivateKeyFile(file: string): string {
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    throw new AuditlakeError('config', `the report signing key file ${file} does not exist`, {
      context: { file },
      hint: 'create one with `auditlake keys generate --out DIR`, or fix report.signing.key_file',
    });
  }
  if (process.platform !== 'win32' && (mode & 0o004) !== 0) {
    throw new AuditlakeError(
      'config',
      `the report signing key file ${file} is readable by every user (mode ${mode.toString(8)})`,
      {
        context: { file },
        hint: `run \`chmod 600 ${file}\`, and rotate the key if others may have read it (docs/reports.md)`,
      },
    );
  }
  return readFileSync(file, 'utf8');
}

/**
 * CI secret stores often flatten a PEM to one line with literal `\n`s; accept that form too.
 * Only when the text has no real newline, so a well-formed PEM is never altered.
 */
function unflatten(pem: string): string {
  return pem.includes('\n') ? pem : pem.replaceAll('\\n', '\n');
}

export function signingKeyFromPem(pem: string, from: string): ReportSigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: unflatten(pem).trim(), format: 'pem' });
  } catch (error) {
    // The cause names the parse failure only; the key text is never part of the message.
    throw new AuditlakeError('config', `the report signing key from ${from} is not a PEM private key`, {
      context: { from },
      hint: `expected a PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----") made by \`auditlake keys generate\` (${describeError(error).split('\n')[0]})`,
    });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new AuditlakeError(
      'config',
      `the report signing key from ${from} is a ${privateKey.asymmetricKeyType ?? 'symmetric'} key, not Ed25519`,
      {
        context: { from },
        hint: 'create an Ed25519 key with `auditlake keys generate --out DIR` (or `openssl genpkey -algorithm ed25519`)',
      },
    );
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKeyPem: publicKeyPem(publicKey), fingerprint: keyFingerprint(publicKey), from };
}

/**
 * An Ed25519 public key from PEM text, for `verify-report --public-key`. A private key PEM is
 * accepted too (its public half is used), so a signer can check against the key they hold.
 */
export function parsePublicKeyPem(pem: string, from: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: unflatten(pem).trim(), format: 'pem' });
  } catch (error) {
    throw new AuditlakeError('input', `${from} is not a PEM public key`, {
      context: { from },
      hint: `expected "-----BEGIN PUBLIC KEY-----", e.g. the .pub.pem that \`auditlake keys generate\` wrote (${describeError(error).split('\n')[0]})`,
    });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new AuditlakeError('input', `${from} holds a ${key.asymmetricKeyType} key, not Ed25519`, {
      context: { from },
    });
  }
  return key;
}

export interface GeneratedKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
  fingerprint: string;
}

export function generateSigningKeyPair(): GeneratedKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: String(privateKey.export({ type: 'pkcs8', format: 'pem' })),
    publicKeyPem: publicKeyPem(publicKey),
    fingerprint: keyFingerprint(publicKey),
  };
}
