import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { startRun } from '../../src/store/runs.js';
import { checkFilePermissions, writePrivateFile } from '../../src/util/private-files.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-perm-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o777;

describe.skipIf(process.platform === 'win32')('owner-only files', () => {
  it('creates the store directory 0700, and the store file and its WAL 0600', async () => {
    const db = join(dir, 'data', 'nested', 'auditlake.duckdb');
    const store = await openStore({ path: db });
    try {
      await startRun(store.connection, 'writes to the WAL');
      expect(mode(join(dir, 'data'))).toBe(0o700);
      expect(mode(join(dir, 'data', 'nested'))).toBe(0o700);
      expect(mode(db)).toBe(0o600);
      if (existsSync(`${db}.wal`)) expect(mode(`${db}.wal`)).toBe(0o600);
    } finally {
      store.close();
    }
    expect(mode(db)).toBe(0o600);
  });

  it('tightens a store another tool left world-readable when it opens it for writing', async () => {
    const db = join(dir, 'store.duckdb');
    (await openStore({ path: db })).close();
    chmodSync(db, 0o644);
    (await openStore({ path: db, readOnly: true })).close();
    expect(mode(db)).toBe(0o644); // a reader changes nothing
    (await openStore({ path: db })).close();
    expect(mode(db)).toBe(0o600);
  });

  it('writePrivateFile writes 0600 through a rename, replacing a world-readable file', () => {
    const report = join(dir, 'reports', 'soc2.pdf');
    writePrivateFile(report, Buffer.from('%PDF-1.7 first'));
    expect(mode(join(dir, 'reports'))).toBe(0o700);
    expect(mode(report)).toBe(0o600);
    chmodSync(report, 0o644);
    writePrivateFile(report, '%PDF-1.7 second');
    expect(mode(report)).toBe(0o600);
    expect(readFileSync(report, 'utf8')).toBe('%PDF-1.7 second');
  });

  it('checkFilePermissions warns on world-readable files, fails a readable key file, skips missing ones', () => {
    const config = join(dir, 'auditlake.yaml');
    const key = join(dir, 'store.key');
    writeFileSync(config, '');
    writeFileSync(key, 'k');
    chmodSync(config, 0o644);
    chmodSync(key, 0o640);
    const checks = checkFilePermissions([
      { what: 'config', path: config },
      { what: 'encryption key', path: key },
      { what: 'store', path: join(dir, 'missing.duckdb') },
    ]);
    expect(checks.map((c) => [c.check, c.status])).toEqual([
      ['config permissions', 'warn'],
      ['encryption key permissions', 'warn'],
    ]);
    chmodSync(config, 0o640); // a group-readable config is fine: it holds no secrets
    chmodSync(key, 0o644);
    expect(checkFilePermissions([{ what: 'config', path: config }])[0]?.status).toBe('ok');
    const keyCheck = checkFilePermissions([{ what: 'encryption key', path: key }])[0];
    expect(keyCheck?.status).toBe('failed');
    expect(keyCheck?.detail).toMatch(/every user.*chmod 600/);
  });
});

describe.skipIf(process.platform === 'win32')('auditlake doctor', () => {
  it('checks file permissions even when no sources are configured', { timeout: 120_000 }, async () => {
    const db = join(dir, 'store.duckdb');
    (await openStore({ path: db })).close();
    chmodSync(db, 0o644);
    const config = join(dir, 'auditlake.yaml');
    writeFileSync(
      config,
      'store:\n  encryption:\n    key_file: store.key\nreport:\n  signing:\n    key_file: signing.key.pem\n',
    );
    writeFileSync(join(dir, 'signing.key.pem'), 'not read by doctor');
    chmodSync(join(dir, 'signing.key.pem'), 0o640);
    chmodSync(config, 0o644);
    writeFileSync(join(dir, 'store.key'), 'x'.repeat(32));
    chmodSync(join(dir, 'store.key'), 0o644);

    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', '--db', db, 'doctor', '--config', config, '--format', 'json'],
      { encoding: 'utf8', env: { ...process.env, AUDITLAKE_DB_KEY: '' } },
    );
    expect(run.stderr).toBe('');
    const rows = JSON.parse(run.stdout) as { check: string; ok: string; scope: string }[];
    const status = Object.fromEntries(rows.map((r) => [r.check, r.ok]));
    expect(status).toMatchObject({
      'config permissions': 'WARN',
      'encryption key permissions': 'FAILED',
      'report signing key permissions': 'WARN',
      'store permissions': 'WARN',
      'store directory permissions': expect.any(String),
    });
    expect(run.status).toBe(1); // the key file is refused by openStore, so doctor fails
  });
});
