import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeStoreKey } from '../../src/cli/commands/store.js';
import type { AuditlakeError } from '../../src/errors.js';
import { ingestFiles } from '../../src/ingest/ingest-files.js';
import { openStore } from '../../src/store/open-store.js';
import { startRun } from '../../src/store/runs.js';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';

/**
 * `auditlake store encrypt | rekey | decrypt` through the CLI, in sequence on one store. Writing
 * encrypted files here needs DuckDB's built-in crypto (no httpfs), hence the opt-in variable.
 */
const KEY1 = 'first-store-key-0123456789';
const KEY2 = 'second-store-key-abcdefghij';
const MARKER = 'REKEY-CLI-MARKER-4417';
let dir: string;
let db: string;
let keyFile: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--db', db, ...args], {
      env: { ...process.env, AUDITLAKE_DB_KEY: '', AUDITLAKE_DB_ALLOW_UNSAFE_CRYPTO: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Events in the store opened read-only with `key`, or the error message. */
async function eventsWith(key: string | undefined): Promise<number | string> {
  try {
    const store = await openStore({ path: db, readOnly: true, encryptionKey: key });
    try {
      return Number((await store.connection.runAndReadAll('select count(*) from events')).getRows()[0]?.[0]);
    } finally {
      store.close();
    }
  } catch (error) {
    return (error as Error).message;
  }
}

async function rejection(promise: Promise<unknown>): Promise<AuditlakeError> {
  return (await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  )) as AuditlakeError;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-rekey-cli-'));
  mkdirSync(join(dir, 'in'));
  db = join(dir, 'store.duckdb');
  keyFile = join(dir, 'new.key');
  writeFileSync(keyFile, `${KEY2}\n`, { mode: 0o600 });
  writeFileSync(
    join(dir, 'in', 'a.json'),
    JSON.stringify({ Records: [1, 2, 3].map((n) => cloudtrailRecord(n, { userAgent: MARKER })) }),
  );
  const store = await openStore({ path: db });
  try {
    await ingestFiles(store.connection, await startRun(store.connection, 'test'), {
      paths: [join(dir, 'in')],
    });
  } finally {
    store.close();
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('auditlake store encrypt, rekey, decrypt', () => {
  it('refuses what cannot work, with the reason, before touching the store', async () => {
    const noCurrent = await rejection(changeStoreKey(db, 'rekey', { newKeyEnv: 'NEW' }, { NEW: KEY1 }));
    expect(noCurrent.code).toBe('usage');
    expect(noCurrent.message).toMatch(/no current key is configured/);
    expect(noCurrent.hint).toMatch(/store encrypt/);
    const unset = await rejection(changeStoreKey(db, 'encrypt', { newKeyEnv: 'NEW' }, {}));
    expect(unset.message).toBe('--new-key-env names NEW, which is not set');
    const short = await rejection(changeStoreKey(db, 'encrypt', { newKeyEnv: 'NEW' }, { NEW: 'short' }));
    expect(short.message).toMatch(/shorter than 16 characters/);
    const both = await rejection(
      changeStoreKey(db, 'encrypt', { newKeyEnv: 'NEW', newKeyFile: keyFile }, { NEW: KEY1 }),
    );
    expect(both.code).toBe('usage');
    expect(await eventsWith(undefined)).toBe(3);
  });

  it('encrypts, refuses a wrong current key, rotates, and decrypts; each time only the right key opens it', async () => {
    expect(readFileSync(db).includes(MARKER)).toBe(true);
    const encrypted = await cli(['store', 'encrypt', '--new-key-env', 'NEW'], { NEW: KEY1 });
    expect(encrypted.stderr).toBe('');
    expect(encrypted.code).toBe(0);
    expect(encrypted.stdout).toMatch(
      /^encrypted .*store\.duckdb with the key from \$NEW: \d+ tables, 3 events/,
    );
    expect(encrypted.stdout).not.toContain(KEY1);
    expect(readFileSync(db).includes(MARKER)).toBe(false);
    expect(await eventsWith(undefined)).toMatch(/is encrypted and no key is configured/);
    expect(await eventsWith(KEY1)).toBe(3);

    const again = await rejection(changeStoreKey(db, 'encrypt', { newKeyEnv: 'NEW' }, { NEW: KEY2 }));
    expect(again.message).toMatch(/is encrypted already/);
    expect(again.hint).toMatch(/store rekey/);

    const wrong = await rejection(
      changeStoreKey(
        db,
        'rekey',
        { newKeyFile: keyFile },
        { AUDITLAKE_DB_KEY: 'not-the-current-key-at-all', AUDITLAKE_DB_ALLOW_UNSAFE_CRYPTO: '1' },
      ),
    );
    expect(wrong.message).toMatch(/^the encryption key does not open the store/);
    expect(`${wrong.message} ${wrong.hint}`).not.toContain('not-the-current-key-at-all');
    expect(await eventsWith(KEY1)).toBe(3);

    const rotated = await cli(['store', 'rekey', '--new-key-file', keyFile, '--format', 'json'], {
      AUDITLAKE_DB_KEY: KEY1,
    });
    expect(rotated.code).toBe(0);
    expect(JSON.parse(rotated.stdout)).toMatchObject({ action: 'rekey', events: 3, new_key_from: keyFile });
    expect(await eventsWith(KEY1)).toMatch(/does not open/);
    expect(await eventsWith(KEY2)).toBe(3);

    const decrypted = await cli(['store', 'decrypt'], { AUDITLAKE_DB_KEY: KEY2 });
    expect(decrypted.code).toBe(0);
    expect(decrypted.stdout).toMatch(/^decrypted /);
    expect(await eventsWith(undefined)).toBe(3);
    expect(readFileSync(db).includes(MARKER)).toBe(true);
  });
});
