import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandResult, GlobalOptions } from '../../src/cli/command.js';
import { registerKeys } from '../../src/cli/commands/keys.js';
import { registerReport } from '../../src/cli/commands/report.js';
import { registerVerifyReport } from '../../src/cli/commands/verify-report.js';
import { keyFingerprint } from '../../src/report/signing-key.js';
import { openStore } from '../../src/store/open-store.js';
import { ingest, trailRecord } from '../detect/helpers.js';

/**
 * `auditlake keys generate`, `report` (signed and unsigned) and `verify-report`, through the
 * commands' own wiring in this process (fast), and once through the real binary for the exit codes.
 */

let dir: string;
let db: string;

/** The commands under test on a program like main's, returning what main would print and exit with. */
async function run(args: string[]): Promise<CommandResult> {
  let result: CommandResult | null = null;
  const done = (r: CommandResult) => {
    result = r;
  };
  const program = new Command().exitOverride().option('--db <path>');
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  registerReport(program, globals, done);
  registerVerifyReport(program, done);
  registerKeys(program, done);
  await program.parseAsync(['--db', db, ...args], { from: 'user' });
  if (!result) throw new Error('the command returned nothing');
  return result;
}

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--db', db, ...args], {
    encoding: 'utf8',
    env: { ...process.env, AUDITLAKE_REPORT_KEY: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const mode = (path: string): number => statSync(path).mode & 0o777;
const PERIOD = ['--framework', 'pci_dss_v4.0', '--from', '2026-03-01', '--to', '2026-03-03'];
const GENERATED = ['--generated-at', '2026-03-04T00:00:00Z'];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-verify-report-'));
  db = join(dir, 'store.duckdb');
  const store = await openStore({ path: db });
  try {
    await ingest(store, [
      trailRecord(1, { eventTime: '2026-03-01T10:00:00Z' }),
      trailRecord(2, { eventTime: '2026-03-02T10:00:00Z', eventName: 'LookupEvents' }),
    ]);
  } finally {
    store.close();
  }
  writeFileSync(join(dir, 'plain.yaml'), 'report:\n  organization: Acme\n');
  // Relative to the config file, as the store key file is.
  writeFileSync(
    join(dir, 'signed.yaml'),
    'report:\n  organization: Acme\n  signing:\n    key_file: keys/report-signing.key.pem\n',
  );
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(process.platform === 'win32')('keys generate, report, verify-report', () => {
  it('generates an owner-only private key and a shareable public key, and never overwrites them', async () => {
    const generated = await run(['keys', 'generate', '--out', join(dir, 'keys'), '--format', 'json']);
    const keys = JSON.parse(generated.output) as {
      private_key: string;
      public_key: string;
      fingerprint: string;
    };
    expect(keys.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(readFileSync(keys.private_key, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(readFileSync(keys.public_key, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(mode(keys.private_key)).toBe(0o600);
    expect(mode(keys.public_key)).toBe(0o644);
    await expect(run(['keys', 'generate', '--out', join(dir, 'keys')])).rejects.toThrow(/already exists/);
    await run(['keys', 'generate', '--out', join(dir, 'keys'), '--name', 'other', '--format', 'json']);
  });

  it('signs the PDF with the configured key; verify-report says valid, pinned or self-asserted', async () => {
    const pdf = join(dir, 'out', 'signed.pdf');
    const report = await run([
      'report',
      ...PERIOD,
      ...GENERATED,
      '--out',
      pdf,
      '--config',
      join(dir, 'signed.yaml'),
    ]);
    expect(report.exitCode).toBe(0);
    const fingerprint = keyFingerprint(
      createPublicKey(readFileSync(join(dir, 'keys', 'report-signing.pub.pem'), 'utf8')),
    );
    expect(report.output).toMatch(
      new RegExp(
        `signed with Ed25519 key ${fingerprint} \\(from .*report-signing\\.key\\.pem\\); signatures: .*signed\\.pdf\\.sig`,
      ),
    );
    expect(mode(pdf)).toBe(0o600);
    expect(mode(`${pdf}.sig`)).toBe(0o600);

    const selfAsserted = await run(['verify-report', pdf, '--format', 'table']);
    expect(selfAsserted.exitCode).toBe(0);
    expect(selfAsserted.output).toMatch(/^VALID: .*signed\.pdf is the report auditlake signed at /);
    expect(selfAsserted.output).toContain(
      `warning: the key is self-asserted (the signature carries its own public key, ${fingerprint})`,
    );

    const pinned = await run([
      'verify-report',
      pdf,
      '--public-key',
      join(dir, 'keys', 'report-signing.pub.pem'),
      '--format',
      'table',
    ]);
    expect(pinned.exitCode).toBe(0);
    expect(pinned.output).not.toContain('warning');
    expect(pinned.output).toMatch(/ok +key +sha256:[0-9a-f]{64} \(the expected key\)/);

    const wrongKey = await run([
      'verify-report',
      pdf,
      '--public-key',
      join(dir, 'keys', 'other.pub.pem'),
      '--format',
      'json',
    ]);
    expect(wrongKey.exitCode).toBe(1);
    expect(JSON.parse(wrongKey.output)).toMatchObject({
      status: 'invalid',
      reason: expect.stringMatching(/not the expected key/),
    });
  });

  it('signs a JSON report inside the document', async () => {
    const json = join(dir, 'out', 'signed.json');
    await run(['report', ...PERIOD, '--format', 'json', '--out', json, '--config', join(dir, 'signed.yaml')]);
    expect(mode(json)).toBe(0o600);
    const verified = await run([
      'verify-report',
      json,
      '--public-key',
      join(dir, 'keys', 'report-signing.pub.pem'),
      '--format',
      'json',
    ]);
    expect(verified.exitCode).toBe(0);
    expect(JSON.parse(verified.output)).toMatchObject({ status: 'valid', carrier: 'embedded' });
  });

  it.skipIf(Boolean(process.env.AUDITLAKE_REPORT_KEY))(
    'writes unsigned reports without a key and says so',
    async () => {
      const pdf = join(dir, 'out', 'unsigned.pdf');
      const report = await run(['report', ...PERIOD, '--out', pdf, '--config', join(dir, 'plain.yaml')]);
      expect(report.output).toContain(
        'not signed: no report signing key configured (report.signing in auditlake.yaml, or AUDITLAKE_REPORT_KEY; see docs/reports.md)',
      );
      expect(mode(pdf)).toBe(0o600);
      const verified = await run(['verify-report', pdf, '--format', 'table']);
      expect(verified.exitCode).toBe(1);
      expect(verified.output).toMatch(
        /^INVALID: .*unsigned\.pdf: not signed: no unsigned\.pdf\.sig next to it/,
      );
    },
  );

  it('verifies the hash chain for the period, exits 3 when it is broken, and skips it on --no-verify', async () => {
    const args = ['report', ...PERIOD, '--format', 'pdf', '--config', join(dir, 'plain.yaml')];
    const out = (name: string) => ['--out', join(dir, 'out', name)];
    const intact = await run([...args, ...out('intact.pdf')]);
    expect(intact.exitCode).toBe(0);
    expect(intact.output).toContain('integrity: hash chain verified intact (2 events, 1 chain link)');
    const skipped = await run([...args, ...out('skipped.pdf'), '--no-verify']);
    expect(skipped.output).toContain('integrity: hash chain not verified (--no-verify)');

    const setAction = async (action: string) => {
      const store = await openStore({ path: db });
      try {
        await store.connection.run(`update events set action = $1 where event_time < '2026-03-02'`, [action]);
      } finally {
        store.close();
      }
    };
    await setAction('GetObject');
    try {
      const broken = await run([...args, ...out('broken.pdf')]);
      expect(broken.exitCode).toBe(3);
      expect(broken.output).toMatch(/integrity: HASH CHAIN BROKEN for the period \(1 problem, first: /);
    } finally {
      await setAction('DeleteTrail');
    }
    expect((await run([...args, ...out('restored.pdf')])).exitCode).toBe(0);
  });

  it('exits 1 through the binary when one byte of a signed PDF changed, naming what failed', () => {
    const pdf = join(dir, 'out', 'signed.pdf');
    const bytes = readFileSync(pdf);
    bytes[1000] = (bytes[1000] ?? 0) ^ 0x20;
    writeFileSync(join(dir, 'out', 'changed.pdf'), bytes);
    writeFileSync(join(dir, 'out', 'changed.pdf.sig'), readFileSync(`${pdf}.sig`));
    const r = cli(['verify-report', join(dir, 'out', 'changed.pdf'), '--format', 'table']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^INVALID: .*changed\.pdf: the file was modified after signing: sha256 /);
    expect(r.stdout).toMatch(/FAILED {2}content/);
    expect(cli(['verify-report', pdf, '--format', 'json']).code).toBe(0);
  });
});
