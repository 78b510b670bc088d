import { createHash, type KeyObject, sign, verify } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';
import { keyFingerprint, parsePublicKeyPem, type ReportSigningKey } from './signing-key.js';

/**
 * Report signatures (docs/reports.md). One envelope, two carriers:
 * - detached, `FILE.sig` next to the file, over the file's exact bytes (PDF, CSV, OSCAL; any file);
 * - embedded, as the `signature` member of a JSON report, over the canonical JSON of the document
 *   without that member (so the JSON stays one self-contained file).
 * Ed25519 signs the canonical JSON of the envelope without its `signature` member: the digest,
 * size, signing time and key are all covered. Pure functions: no file access here.
 */

export const SIGNATURE_FORMAT = 'auditlake-report-signature/v1';
export const SIGNATURE_SUFFIX = '.sig';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

const envelopeSchema = z.object({
  format: z.literal(SIGNATURE_FORMAT),
  algorithm: z.literal('ed25519'),
  subject: z.object({
    /** `file`: the bytes of the file; `json`: the canonical JSON of the document without `signature`. */
    kind: z.enum(['file', 'json']),
    /** The file name it was written as (detached only); informative, a renamed file still verifies. */
    name: z.string().nullable(),
    sha256: sha256Hex,
    size: z.number().int().nonnegative(),
  }),
  signed_at: z.string(),
  key: z.object({
    fingerprint: z.string().regex(/^sha256:[0-9a-f]{64}$/),
    public_key: z.string().includes('BEGIN PUBLIC KEY'),
  }),
  /** base64 Ed25519 signature over canonicalJson(envelope without `signature`). */
  signature: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/),
});

export type SignatureEnvelope = z.infer<typeof envelopeSchema>;
type Subject = SignatureEnvelope['subject'];

/** The bytes Ed25519 signs: the envelope's canonical JSON, `signature` left out. */
export function signedStatement(envelope: Omit<SignatureEnvelope, 'signature'>): Buffer {
  const { signature: _ignored, ...rest } = envelope as SignatureEnvelope;
  return Buffer.from(canonicalJson(rest), 'utf8');
}

function envelopeFor(subject: Subject, key: ReportSigningKey, signedAt: Date): SignatureEnvelope {
  const unsigned: Omit<SignatureEnvelope, 'signature'> = {
    format: SIGNATURE_FORMAT,
    algorithm: 'ed25519',
    subject,
    signed_at: signedAt.toISOString(),
    key: { fingerprint: key.fingerprint, public_key: key.publicKeyPem },
  };
  const signature = sign(null, signedStatement(unsigned), key.privateKey).toString('base64');
  return { ...unsigned, signature };
}

const digest = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A detached signature over a file's exact bytes; written as `FILE.sig` (JSON). */
export function signFile(
  bytes: Uint8Array,
  name: string,
  key: ReportSigningKey,
  signedAt: Date,
): SignatureEnvelope {
  return envelopeFor({ kind: 'file', name, sha256: digest(bytes), size: bytes.length }, key, signedAt);
}

/** The text of a detached signature file. */
export function signatureFileText(envelope: SignatureEnvelope): string {
  return `${JSON.stringify(envelope, null, 2)}\n`;
}

/** The canonical bytes an embedded signature covers: the document without its `signature` member. */
function jsonSubjectBytes(document: Record<string, unknown>): Buffer {
  const { signature: _ignored, ...rest } = document;
  return Buffer.from(canonicalJson(rest), 'utf8');
}

/** `document` with a `signature` member added last, over the canonical JSON of the rest. */
export function signJsonDocument<T extends object>(
  document: T,
  key: ReportSigningKey,
  signedAt: Date,
): T & { signature: SignatureEnvelope } {
  // Canonicalised as a reader will parse it (JSON.stringify's view: undefined dropped, NaN as null).
  const plain = JSON.parse(JSON.stringify(document)) as Record<string, unknown>;
  const bytes = jsonSubjectBytes(plain);
  const signature = envelopeFor(
    { kind: 'json', name: null, sha256: digest(bytes), size: bytes.length },
    key,
    signedAt,
  );
  return { ...(plain as T), signature };
}

export type CheckName = 'signature found' | 'key' | 'signature' | 'content';

export interface SignatureCheck {
  check: CheckName;
  ok: boolean;
  detail: string;
}

export interface SignatureVerification {
  status: 'valid' | 'invalid';
  /** Where the signature was read from; null when none was found. */
  carrier: 'detached' | 'embedded' | null;
  signed_at: string | null;
  /** The fingerprint the signature names (the key it claims to be made with). */
  key_fingerprint: string | null;
  /** The fingerprint of --public-key, when the caller pinned one. */
  expected_fingerprint: string | null;
  checks: SignatureCheck[];
  /** The first failed check's detail, for a one-line message; null when valid. */
  reason: string | null;
}

function result(
  carrier: SignatureVerification['carrier'],
  envelope: SignatureEnvelope | null,
  expected: KeyObject | null,
  checks: SignatureCheck[],
): SignatureVerification {
  const failed = checks.find((c) => !c.ok);
  return {
    status: failed ? 'invalid' : 'valid',
    carrier,
    signed_at: envelope?.signed_at ?? null,
    key_fingerprint: envelope?.key.fingerprint ?? null,
    expected_fingerprint: expected ? keyFingerprint(expected) : null,
    checks,
    reason: failed ? failed.detail : null,
  };
}

/** A report with no signature at all: invalid, saying where it looked. */
export function notSigned(where: string, expected: KeyObject | null): SignatureVerification {
  return result(null, null, expected, [
    { check: 'signature found', ok: false, detail: `not signed: ${where}` },
  ]);
}

/** Parses a signature envelope (a `.sig` file's JSON, or a JSON report's `signature` member). */
export function parseEnvelope(
  value: unknown,
  where: string,
): { envelope: SignatureEnvelope } | { problem: string } {
  const parsed = envelopeSchema.safeParse(value);
  if (parsed.success) return { envelope: parsed.data };
  const issue = parsed.error.issues[0];
  return {
    problem: `${where} is not an auditlake report signature (${SIGNATURE_FORMAT})${issue ? `: ${issue.path.join('.') || 'document'}: ${issue.message}` : ''}`,
  };
}

/**
 * Checks an envelope against the bytes it should cover: that its key is the one it names (and the
 * expected one, when pinned), that Ed25519 verifies over the statement, and that the covered bytes
 * still have the signed digest and size.
 */
function checkEnvelope(
  envelope: SignatureEnvelope,
  kind: Subject['kind'],
  covered: Uint8Array,
  expected: KeyObject | null,
  found: string,
): SignatureCheck[] {
  const checks: SignatureCheck[] = [{ check: 'signature found', ok: true, detail: found }];
  let carried: KeyObject | null = null;
  try {
    carried = parsePublicKeyPem(envelope.key.public_key, 'the signature');
  } catch {
    carried = null;
  }
  const carriedPrint = carried ? keyFingerprint(carried) : null;
  if (!carried) {
    checks.push({ check: 'key', ok: false, detail: 'the signature carries no usable Ed25519 public key' });
  } else if (carriedPrint !== envelope.key.fingerprint) {
    checks.push({
      check: 'key',
      ok: false,
      detail: `the signature names key ${envelope.key.fingerprint} but carries key ${carriedPrint}`,
    });
  } else if (expected && keyFingerprint(expected) !== envelope.key.fingerprint) {
    checks.push({
      check: 'key',
      ok: false,
      detail: `signed with key ${envelope.key.fingerprint}, not the expected key ${keyFingerprint(expected)}`,
    });
  } else {
    checks.push({
      check: 'key',
      ok: true,
      detail: expected
        ? `${envelope.key.fingerprint} (the expected key)`
        : `${envelope.key.fingerprint} (self-asserted: the signature carries its own public key)`,
    });
  }
  // The expected key, when pinned, is the trust anchor: verify with it, never with the carried one.
  const verifier = expected ?? carried;
  let verified = false;
  if (verifier) {
    try {
      verified = verify(null, signedStatement(envelope), verifier, Buffer.from(envelope.signature, 'base64'));
    } catch {
      verified = false;
    }
  }
  checks.push(
    verified
      ? { check: 'signature', ok: true, detail: `Ed25519 signature made ${envelope.signed_at} verifies` }
      : {
          check: 'signature',
          ok: false,
          detail: expected
            ? 'the Ed25519 signature does not verify with the expected key'
            : 'the Ed25519 signature does not verify: the signature file was altered',
        },
  );
  const what = kind === 'file' ? 'the file' : 'the JSON document (canonical form, without `signature`)';
  if (envelope.subject.kind !== kind) {
    checks.push({
      check: 'content',
      ok: false,
      detail: `the signature covers a ${envelope.subject.kind === 'file' ? 'file' : 'JSON document'}, not ${what}`,
    });
    return checks;
  }
  const actual = digest(covered);
  const same = actual === envelope.subject.sha256 && covered.length === envelope.subject.size;
  checks.push(
    same
      ? {
          check: 'content',
          ok: true,
          detail: `${what}: sha256 ${actual}, ${covered.length} bytes, as signed`,
        }
      : {
          check: 'content',
          ok: false,
          detail:
            `${what} was modified after signing: sha256 ${actual} (${covered.length} bytes), ` +
            `signed sha256 ${envelope.subject.sha256} (${envelope.subject.size} bytes)`,
        },
  );
  return checks;
}

/** Verifies a detached signature (the `.sig` file's text) over a file's bytes. */
export function verifyDetached(
  bytes: Uint8Array,
  signatureText: string,
  signatureFile: string,
  expected: KeyObject | null,
): SignatureVerification {
  let value: unknown;
  try {
    value = JSON.parse(signatureText);
  } catch {
    return result('detached', null, expected, [
      { check: 'signature found', ok: false, detail: `${signatureFile} is not JSON` },
    ]);
  }
  const parsed = parseEnvelope(value, signatureFile);
  if ('problem' in parsed) {
    return result('detached', null, expected, [
      { check: 'signature found', ok: false, detail: parsed.problem },
    ]);
  }
  const { envelope } = parsed;
  return result(
    'detached',
    envelope,
    expected,
    checkEnvelope(envelope, 'file', bytes, expected, `detached, in ${signatureFile}`),
  );
}

/**
 * Verifies the `signature` member of a parsed JSON report; null when the document has none (the
 * caller then says "not signed").
 */
export function verifyEmbedded(document: unknown, expected: KeyObject | null): SignatureVerification | null {
  if (!document || typeof document !== 'object' || Array.isArray(document)) return null;
  const record = document as Record<string, unknown>;
  if (!('signature' in record)) return null;
  const parsed = parseEnvelope(record.signature, 'the `signature` member');
  if ('problem' in parsed) {
    return result('embedded', null, expected, [
      { check: 'signature found', ok: false, detail: parsed.problem },
    ]);
  }
  const { envelope } = parsed;
  return result(
    'embedded',
    envelope,
    expected,
    checkEnvelope(
      envelope,
      'json',
      jsonSubjectBytes(record),
      expected,
      'embedded, as the `signature` member',
    ),
  );
}
