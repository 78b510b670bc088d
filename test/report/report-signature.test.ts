import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { AuditlakeError } from '../../src/errors.js';
import { canonicalJson } from '../../src/report/canonical-json.js';
import { computeFromStore, writeReport } from '../../src/report/generate-report.js';
import type { Report } from '../../src/report/report-model.js';
import { signFile } from '../../src/report/report-signature.js';
import {
  generateSigningKeyPair,
  type ReportSigningKey,
  resolveSigningKey,
  signingKeyFromConfig,
  signingKeyFromPem,
} from '../../src/report/signing-key.js';
import { verifyReportFile } from '../../src/report/verify-report-file.js';
import { chainRootForPeriod } from '../../src/store/chain-heads.js';
import { openStore } from '../../src/store/open-store.js';
import { ingest, trailRecord } from '../detect/helpers.js';

/**
 * Signed reports over a small store: detached signatures for PDF (and CSV/OSCAL), an embedded one
 * for JSON, and every way a verification must fail.
 */

const FROM = new Date('2026-03-01T00:00:00Z');
const TO = new Date('2026-03-03T00:00:00Z');
const OPTIONS = { framework: 'pci_dss_v4.0', from: FROM, to: TO, organization: 'Acme' };
const GENERATED_AT = new Date('2026-03-04T08:00:00Z');

let dir: string;
let db: string;
let report: Report;
let key: ReportSigningKey;
let other: ReportSigningKey;
let publicKeyFile: string;
let otherPublicKeyFile: string;

const mode = (path: string): number => statSync(path).mode & 0o777;

async function pdfText(pdf: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

function flipByte(file: string, at: number): void {
  const bytes = readFileSync(file);
  const i = at < 0 ? bytes.length + at : at;
  bytes[i] = (bytes[i] ?? 0) ^ 0x01;
  writeFileSync(file, bytes);
}

function failed(r: { checks: { check: string; ok: boolean }[] }): string[] {
  return r.checks.filter((c) => !c.ok).map((c) => c.check);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-signed-'));
  db = join(dir, 'store.duckdb');
  const store = await openStore({ path: db });
  try {
    await ingest(store, [
      trailRecord(1, { eventTime: '2026-03-01T10:00:00Z' }),
      trailRecord(2, { eventTime: '2026-03-02T11:00:00Z', eventName: 'DescribeTrails' }),
    ]);
  } finally {
    store.close();
  }
  // An empty config file keeps the test hermetic: no ./auditlake.yaml is read.
  writeFileSync(join(dir, 'empty.yaml'), '');
  report = await computeFromStore(
    db,
    { ...OPTIONS, generatedAt: GENERATED_AT },
    { configPath: join(dir, 'empty.yaml') },
  );
  const a = generateSigningKeyPair();
  const b = generateSigningKeyPair();
  key = signingKeyFromPem(a.privateKeyPem, 'test key');
  other = signingKeyFromPem(b.privateKeyPem, 'other key');
  publicKeyFile = join(dir, 'signer.pub.pem');
  otherPublicKeyFile = join(dir, 'other.pub.pem');
  writeFileSync(publicKeyFile, a.publicKeyPem);
  writeFileSync(otherPublicKeyFile, b.publicKeyPem);
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the cover digest', () => {
  it("is the hash chain's root for the period (chainRootForPeriod)", async () => {
    const store = await openStore({ path: db, readOnly: true });
    try {
      const root = await chainRootForPeriod(store.connection, FROM, TO);
      expect(root.events).toBe(2);
      expect(report.store.digest).toEqual({
        algorithm: 'sha256',
        method: root.method,
        value: root.value,
        events: root.events,
        as_of_batch_id: root.as_of_batch_id,
      });
      // The appendix's SQL reproduces the day roots the value is computed from.
      const sql = report.appendix.reproduce.find((q) => q.what.startsWith('Day roots'))?.sql ?? '';
      const rows = (await store.connection.runAndReadAll(sql)).getRows();
      expect(rows.map((r) => String(r[3]))).toEqual(root.days.map((d) => d.sha256));
    } finally {
      store.close();
    }
  });
});

describe.skipIf(process.platform === 'win32')('signed PDF', () => {
  it('writes the PDF and FILE.sig owner-only; they verify, self-asserted or pinned', async () => {
    const out = join(dir, 'pdf', 'report.pdf');
    const written = await writeReport(report, 'pdf', out, {
      maxFindingsPerDetector: 3,
      signingKey: key,
      signedAt: GENERATED_AT,
    });
    expect(written.files).toEqual([out]);
    expect(written.signatures).toEqual([`${out}.sig`]);
    expect(written.signedWith?.fingerprint).toBe(key.fingerprint);
    expect(mode(out)).toBe(0o600);
    expect(mode(`${out}.sig`)).toBe(0o600);

    const sig = JSON.parse(readFileSync(`${out}.sig`, 'utf8')) as Record<string, unknown>;
    expect(sig).toMatchObject({
      format: 'auditlake-report-signature/v1',
      algorithm: 'ed25519',
      subject: { kind: 'file', name: 'report.pdf', size: readFileSync(out).length },
      signed_at: GENERATED_AT.toISOString(),
      key: { fingerprint: key.fingerprint, public_key: key.publicKeyPem },
    });

    const selfAsserted = verifyReportFile(out);
    expect(selfAsserted).toMatchObject({
      status: 'valid',
      carrier: 'detached',
      key_fingerprint: key.fingerprint,
      expected_fingerprint: null,
      reason: null,
    });
    expect(selfAsserted.checks.find((c) => c.check === 'key')?.detail).toMatch(/self-asserted/);
    const pinned = verifyReportFile(out, { publicKey: publicKeyFile });
    expect(pinned).toMatchObject({ status: 'valid', expected_fingerprint: key.fingerprint });
  });

  it('prints the public key and its fingerprint in the appendix', async () => {
    const out = join(dir, 'appendix', 'report.pdf');
    await writeReport(report, 'pdf', out, { maxFindingsPerDetector: 3, signingKey: key });
    const text = await pdfText(readFileSync(out));
    expect(text).toContain('Signature');
    expect(text).toContain(key.fingerprint);
    expect(text).toContain('BEGIN PUBLIC KEY');
    // The base64 body of the PEM, as one line of the appendix.
    const body = key.publicKeyPem.split('\n')[1] ?? 'missing';
    expect(text).toContain(body);
    expect(text).toContain(report.store.digest.value);
  });

  it('is invalid after a one-byte change, naming the digest that no longer matches', async () => {
    const out = join(dir, 'flip', 'report.pdf');
    await writeReport(report, 'pdf', out, { maxFindingsPerDetector: 3, signingKey: key });
    flipByte(out, 2000);
    const r = verifyReportFile(out, { publicKey: publicKeyFile });
    expect(r.status).toBe('invalid');
    expect(failed(r)).toEqual(['content']);
    expect(r.reason).toMatch(
      /^the file was modified after signing: sha256 [0-9a-f]{64} \(\d+ bytes\), signed sha256/,
    );
  });

  it('is invalid against another pinned key, and when the signature file is altered', async () => {
    const out = join(dir, 'keys', 'report.pdf');
    await writeReport(report, 'pdf', out, { maxFindingsPerDetector: 3, signingKey: key });
    const wrong = verifyReportFile(out, { publicKey: otherPublicKeyFile });
    expect(wrong.status).toBe('invalid');
    expect(failed(wrong)).toEqual(['key', 'signature']);
    expect(wrong.reason).toBe(
      `signed with key ${key.fingerprint}, not the expected key ${other.fingerprint}`,
    );

    // Re-signed by someone else with their own key: self-consistent, but not the pinned key.
    const forged = signFile(readFileSync(out), 'report.pdf', other, new Date());
    writeFileSync(join(dir, 'forged.sig'), JSON.stringify(forged));
    expect(verifyReportFile(out, { sig: join(dir, 'forged.sig') }).status).toBe('valid');
    expect(verifyReportFile(out, { sig: join(dir, 'forged.sig'), publicKey: publicKeyFile }).reason).toMatch(
      /not the expected key/,
    );

    // A signed field changed in the .sig: the Ed25519 signature no longer verifies.
    const sig = JSON.parse(readFileSync(`${out}.sig`, 'utf8')) as { signed_at: string };
    sig.signed_at = '2020-01-01T00:00:00.000Z';
    writeFileSync(`${out}.sig`, JSON.stringify(sig));
    const altered = verifyReportFile(out);
    expect(failed(altered)).toEqual(['signature']);
    expect(altered.reason).toMatch(/does not verify/);
  });

  it('signs the CSV and OSCAL files detached as well', async () => {
    const csv = join(dir, 'csv', 'controls.csv');
    const written = await writeReport(report, 'csv', csv, { maxFindingsPerDetector: 3, signingKey: key });
    expect(written.signatures).toEqual([`${csv}.sig`, join(dir, 'csv', 'controls.findings.csv.sig')]);
    for (const f of written.files) {
      expect(mode(f)).toBe(0o600);
      expect(verifyReportFile(f, { publicKey: publicKeyFile }).status).toBe('valid');
    }
    const oscal = join(dir, 'oscal', 'report.oscal.json');
    await writeReport(report, 'oscal', oscal, { maxFindingsPerDetector: 3, signingKey: key });
    expect(verifyReportFile(oscal, { publicKey: publicKeyFile })).toMatchObject({
      status: 'valid',
      carrier: 'detached',
    });
  });
});

describe('signed JSON', () => {
  it('carries its signature as a member over the canonical document, and verifies alone', async () => {
    const out = join(dir, 'json', 'report.json');
    const written = await writeReport(report, 'json', out, {
      maxFindingsPerDetector: 3,
      signingKey: key,
      signedAt: GENERATED_AT,
    });
    expect(written.signatures).toEqual([]);
    expect(existsSync(`${out}.sig`)).toBe(false);
    if (process.platform !== 'win32') expect(mode(out)).toBe(0o600);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as Report & {
      signature: { subject: { kind: string } };
    };
    expect(Object.keys(doc).at(-1)).toBe('signature');
    expect(doc.signature.subject.kind).toBe('json');
    expect(doc.appendix.signing).toEqual({
      algorithm: 'ed25519',
      key_fingerprint: key.fingerprint,
      public_key: key.publicKeyPem,
    });
    expect(verifyReportFile(out, { publicKey: publicKeyFile })).toMatchObject({
      status: 'valid',
      carrier: 'embedded',
    });
    // Re-indented (jq, an editor): the same data, still valid.
    writeFileSync(out, JSON.stringify(doc));
    expect(verifyReportFile(out).status).toBe('valid');
  });

  it('is invalid when one byte of a value changes, or with another pinned key', async () => {
    const out = join(dir, 'json-flip', 'report.json');
    await writeReport(report, 'json', out, { maxFindingsPerDetector: 3, signingKey: key });
    const text = readFileSync(out, 'utf8');
    const organization = text.indexOf('"organization": "Acme"');
    expect(organization).toBeGreaterThan(0);
    writeFileSync(
      out,
      `${text.slice(0, organization)}"organization": "Acmf"${text.slice(organization + 22)}`,
    );
    const r = verifyReportFile(out);
    expect(r.status).toBe('invalid');
    expect(failed(r)).toEqual(['content']);
    expect(r.reason).toMatch(/the JSON document .* was modified after signing/);

    writeFileSync(out, text);
    expect(verifyReportFile(out, { publicKey: otherPublicKeyFile }).reason).toMatch(/not the expected key/);
    // A change that breaks the syntax: there is no signature left to check.
    writeFileSync(out, text.replace('{', '['));
    expect(verifyReportFile(out).reason).toMatch(/^not signed: .*not well-formed JSON/);
  });

  it('signs JSON written to stdout too', async () => {
    const written = await writeReport(report, 'json', undefined, {
      maxFindingsPerDetector: 3,
      signingKey: key,
    });
    expect(written.signedWith?.fingerprint).toBe(key.fingerprint);
    const doc = JSON.parse(written.text ?? '{}') as { signature?: unknown };
    expect(doc.signature).toBeDefined();
  });
});

describe('unsigned reports', () => {
  it('say so in the appendix, and verify-report says "not signed"', async () => {
    const out = join(dir, 'unsigned', 'report.pdf');
    // A signature left by a signed run must not survive an unsigned rewrite.
    await writeReport(report, 'pdf', out, { maxFindingsPerDetector: 3, signingKey: key });
    const written = await writeReport(report, 'pdf', out, { maxFindingsPerDetector: 3 });
    expect(written.signedWith).toBeNull();
    expect(written.signatures).toEqual([]);
    expect(existsSync(`${out}.sig`)).toBe(false);
    const text = await pdfText(readFileSync(out));
    expect(text).toMatch(/This report is not signed: no report signing key was configured/);
    const r = verifyReportFile(out);
    expect(r).toMatchObject({
      status: 'invalid',
      carrier: null,
      reason: 'not signed: no report.pdf.sig next to it',
    });

    const json = join(dir, 'unsigned', 'report.json');
    await writeReport(report, 'json', json, { maxFindingsPerDetector: 3 });
    expect(JSON.parse(readFileSync(json, 'utf8')).appendix.signing).toBeNull();
    expect(verifyReportFile(json).reason).toBe(
      'not signed: no report.json.sig next to it and no "signature" member in the JSON',
    );
    expect(verifyReportFile(out, { sig: join(dir, 'nowhere.sig') }).reason).toMatch(/does not exist/);
  });
});

describe('the signing key', () => {
  it('comes from a key file (relative to the config), refusing one every user can read', () => {
    const pair = generateSigningKeyPair();
    const file = join(dir, 'signing.key.pem');
    writeFileSync(file, pair.privateKeyPem, { mode: 0o600 });
    const loaded = parseConfig(
      'report:\n  signing:\n    key_file: signing.key.pem\n',
      join(dir, 'auditlake.yaml'),
      {},
    );
    const resolved = signingKeyFromConfig(loaded, {});
    expect(resolved?.fingerprint).toBe(pair.fingerprint);
    expect(resolved?.from).toBe(file);
    if (process.platform !== 'win32') {
      chmodSync(file, 0o644);
      expect(() => signingKeyFromConfig(loaded, {})).toThrow(/readable by every user/);
    }
    expect(() => resolveSigningKey({ key_file: 'missing.pem' }, {}, dir)).toThrow(/does not exist/);
  });

  it('comes from key_env or AUDITLAKE_REPORT_KEY (also as a one-line PEM); none means unsigned', () => {
    const pair = generateSigningKeyPair();
    expect(resolveSigningKey(undefined, {})).toBeNull();
    expect(resolveSigningKey(undefined, { AUDITLAKE_REPORT_KEY: pair.privateKeyPem })?.fingerprint).toBe(
      pair.fingerprint,
    );
    const flattened = pair.privateKeyPem.trim().replaceAll('\n', '\\n');
    expect(resolveSigningKey({ key_env: 'SIGNER' }, { SIGNER: flattened })?.fingerprint).toBe(
      pair.fingerprint,
    );
    expect(() => resolveSigningKey({ key_env: 'SIGNER' }, {})).toThrow(/SIGNER, which is not set/);
  });

  it('must be an Ed25519 private key, and errors never show it', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(() => signingKeyFromPem(rsa, '$SIGNER')).toThrow(/is a rsa key, not Ed25519/);
    const secret = 'not-a-pem-SECRET-VALUE';
    try {
      signingKeyFromPem(secret, '$SIGNER');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AuditlakeError);
      const e = error as AuditlakeError;
      expect(`${e.message} ${e.hint}`).not.toContain(secret);
      expect(e.message).toBe('the report signing key from $SIGNER is not a PEM private key');
    }
  });

  it('is named in the config, never written into it', () => {
    const parse = (yaml: string) => () => parseConfig(yaml, join(dir, 'auditlake.yaml'), {});
    expect(parse('report:\n  signing:\n    key_file: "-----BEGIN PRIVATE KEY-----"\n')).toThrow(
      /never put the key itself in the config/,
    );
    expect(parse('report:\n  signing:\n    key_env: A\n    key_file: b.pem\n')).toThrow(/exactly one of/);
    expect(parse('report:\n  signing:\n    key_env: "not a name"\n')).toThrow(/environment variable name/);
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every level and drops whitespace, so member order does not matter', () => {
    expect(canonicalJson({ b: [1, { d: null, c: 'x' }], a: true })).toBe(
      '{"a":true,"b":[1,{"c":"x","d":null}]}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(() => canonicalJson({ a: Number.NaN })).toThrow();
  });
});
