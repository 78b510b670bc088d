import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditlakeError, StoreError } from '../../src/errors.js';
import { ingestFiles } from '../../src/ingest/ingest-files.js';
import { openStore, type Store, type StoreOptions } from '../../src/store/open-store.js';
import { rekeyStore } from '../../src/store/rekey-store.js';
import { startRun } from '../../src/store/runs.js';
import { storeOptionsFromEnvironment } from '../../src/store/store-key.js';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';

/**
 * Probed on this machine (DuckDB 1.5.6, no extensions): reading an encrypted store works with the
 * built-in crypto; writing one needs OpenSSL (httpfs) or the explicit unsafe-builtin opt-in. These
 * tests write with the opt-in, which is what is available here.
 */
const KEY = 'correct-horse-battery-staple-1';
const KEY2 = 'rotated-key-0123456789abcdef';
const MARKER = 'ZQX-EVIDENCE-MARKER-7731';

let dir: string;
let db: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-enc-'));
  mkdirSync(join(dir, 'in'));
  db = join(dir, 'data', 'store.duckdb');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const writable = (key: string | undefined = KEY): StoreOptions => ({
  path: db,
  encryptionKey: key,
  allowUnsafeBuiltinCrypto: true,
});

async function ingestMarked(store: Store, from: number, count: number): Promise<void> {
  const records = Array.from({ length: count }, (_, i) =>
    cloudtrailRecord(from + i, { eventName: `${MARKER}-${from + i}`, userAgent: MARKER }),
  );
  writeFileSync(join(dir, 'in', `batch-${from}.json`), JSON.stringify({ Records: records }));
  const runId = await startRun(store.connection, 'test');
  await ingestFiles(store.connection, runId, { paths: [join(dir, 'in')] });
}

async function count(store: Store, sql = 'select count(*) from events'): Promise<number> {
  return Number((await store.connection.runAndReadAll(sql)).getRows()[0]?.[0]);
}

function bytesContain(file: string, text: string): boolean {
  return existsSync(file) && readFileSync(file).includes(Buffer.from(text, 'utf8'));
}

async function rejection(promise: Promise<unknown>): Promise<AuditlakeError> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuditlakeError);
  return error as AuditlakeError;
}

describe('encrypted store', () => {
  it('a plaintext store shows the marker in its bytes (the control for the checks below)', async () => {
    const store = await openStore({ path: db });
    await ingestMarked(store, 0, 50);
    store.close();
    expect(bytesContain(db, MARKER)).toBe(true);
  });

  it('keeps no plaintext event content in the file or the WAL, and reads back with the key', async () => {
    const store = await openStore(writable());
    await ingestMarked(store, 0, 400);
    // Committed but not yet checkpointed: these rows live in the WAL while the store is open.
    await ingestMarked(store, 1000, 20);
    expect(bytesContain(db, MARKER)).toBe(false);
    expect(bytesContain(`${db}.wal`, MARKER)).toBe(false);
    store.close();
    expect(bytesContain(db, MARKER)).toBe(false);
    expect(bytesContain(`${db}.wal`, MARKER)).toBe(false);
    expect(bytesContain(db, 'DescribeInstances')).toBe(false);
    expect(bytesContain(db, '111122223333')).toBe(false);

    // Reading needs no unsafe opt-in: DuckDB's built-in crypto decrypts.
    const reader = await openStore({ path: db, readOnly: true, encryptionKey: KEY });
    try {
      expect(await count(reader)).toBe(420);
      expect(await count(reader, `select count(*) from events where user_agent = '${MARKER}'`)).toBe(420);
    } finally {
      reader.close();
    }
  });

  it('dedupes and migrates exactly as a plaintext store (all existing code keeps working)', async () => {
    const store = await openStore(writable());
    await ingestMarked(store, 0, 30);
    store.close();
    const again = await openStore(writable());
    try {
      await ingestMarked(again, 0, 30); // same files again: nothing new
      expect(await count(again)).toBe(30);
      expect(await count(again, 'select count(*) from runs')).toBe(2);
    } finally {
      again.close();
    }
  });

  it('a wrong key, a missing key or a key on a plaintext store are clear errors, not crashes', async () => {
    (await openStore(writable())).close();

    const wrong = await rejection(
      openStore({ path: db, readOnly: true, encryptionKey: 'not-the-right-key-at-all' }),
    );
    expect(wrong).toBeInstanceOf(StoreError);
    expect(wrong.message).toMatch(/encryption key does not open the store/);
    expect(wrong.hint).toMatch(/AUDITLAKE_DB_KEY/);
    expect(`${wrong.message} ${wrong.hint}`).not.toContain('not-the-right-key-at-all');

    const missing = await rejection(openStore({ path: db, readOnly: true }));
    expect(missing.message).toMatch(/is encrypted and no key is configured/);
    expect(missing.hint).toMatch(/AUDITLAKE_DB_KEY/);

    const plain = join(dir, 'plain.duckdb');
    (await openStore({ path: plain })).close();
    const onPlain = await rejection(
      openStore({ path: plain, encryptionKey: KEY, allowUnsafeBuiltinCrypto: true }),
    );
    expect(onPlain.message).toMatch(/is not encrypted, but an encryption key is configured/);
  });

  it('writing without OpenSSL needs the explicit opt-in', async () => {
    const attempt = openStore({ path: db, encryptionKey: KEY }).then(
      (store) => {
        // httpfs (OpenSSL) is installed on this machine: writing is secure without the opt-in.
        store.close();
        return null;
      },
      (e: unknown) => e,
    );
    const error = await attempt;
    if (error !== null) {
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).message).toMatch(/can only read encrypted files/);
      expect((error as StoreError).hint).toMatch(/httpfs.*allow_unsafe_builtin_crypto/s);
    }
  });

  it('rotates the key by copying into a new file: old key refused, data and sequences intact', async () => {
    const store = await openStore(writable());
    await ingestMarked(store, 0, 100);
    store.close();

    const result = await rekeyStore(db, { from: KEY, to: KEY2, allowUnsafeBuiltinCrypto: true });
    expect(result.tables['main.events']).toBe(100);
    expect(existsSync(`${db}.wal`)).toBe(false);
    expect(bytesContain(db, MARKER)).toBe(false);

    const old = await rejection(openStore({ path: db, readOnly: true, encryptionKey: KEY }));
    expect(old.message).toMatch(/does not open/);

    const rotated = await openStore(writable(KEY2));
    try {
      expect(await count(rotated)).toBe(100);
      // run ids continue after the copy: the sequence came along.
      expect(await startRun(rotated.connection, 'after rekey')).toBe(2);
    } finally {
      rotated.close();
    }
  });

  it('encrypts an existing plaintext store in place (and can decrypt it again)', async () => {
    const store = await openStore({ path: db });
    await ingestMarked(store, 0, 60);
    store.close();
    expect(bytesContain(db, MARKER)).toBe(true);

    await rekeyStore(db, { from: undefined, to: KEY, allowUnsafeBuiltinCrypto: true });
    expect(bytesContain(db, MARKER)).toBe(false);
    const encrypted = await openStore({ path: db, readOnly: true, encryptionKey: KEY });
    expect(await count(encrypted)).toBe(60);
    encrypted.close();

    await rekeyStore(db, { from: KEY, to: undefined, allowUnsafeBuiltinCrypto: true });
    const plain = await openStore({ path: db, readOnly: true });
    expect(await count(plain)).toBe(60);
    plain.close();
  });

  it('a failed rekey (wrong current key) leaves the store unchanged', async () => {
    (await openStore(writable())).close();
    const before = readFileSync(db);
    const error = await rejection(
      rekeyStore(db, { from: 'wrong-key-wrong-key-wrong', to: KEY2, allowUnsafeBuiltinCrypto: true }),
    );
    expect(error.message).toMatch(/does not open/);
    expect(readFileSync(db).equals(before)).toBe(true);
  });
});

describe('storeOptionsFromEnvironment', () => {
  it('takes AUDITLAKE_DB_KEY as the simple path, and nothing when unset', () => {
    expect(storeOptionsFromEnvironment({ cwd: dir, env: {} })).toEqual({});
    expect(storeOptionsFromEnvironment({ cwd: dir, env: { AUDITLAKE_DB_KEY: KEY } })).toEqual({
      encryptionKey: KEY,
      allowUnsafeBuiltinCrypto: false,
    });
    expect(
      storeOptionsFromEnvironment({
        cwd: dir,
        env: { AUDITLAKE_DB_KEY: KEY, AUDITLAKE_DB_ALLOW_UNSAFE_CRYPTO: '1' },
      }).allowUnsafeBuiltinCrypto,
    ).toBe(true);
  });

  it('reads store.encryption.key_env from auditlake.yaml', () => {
    writeFileSync(join(dir, 'auditlake.yaml'), 'store:\n  encryption:\n    key_env: MY_STORE_KEY\n');
    expect(storeOptionsFromEnvironment({ cwd: dir, env: { MY_STORE_KEY: KEY } }).encryptionKey).toBe(KEY);
    expect(() => storeOptionsFromEnvironment({ cwd: dir, env: {} })).toThrow(
      /MY_STORE_KEY, which is not set/,
    );
  });

  it('reads a key file relative to the config, refusing one every user can read', () => {
    writeFileSync(
      join(dir, 'auditlake.yaml'),
      'store:\n  encryption:\n    key_file: store.key\n    allow_unsafe_builtin_crypto: true\n',
    );
    const keyFile = join(dir, 'store.key');
    writeFileSync(keyFile, `${KEY}\n`);
    chmodSync(keyFile, 0o644);
    expect(() => storeOptionsFromEnvironment({ cwd: dir, env: {} })).toThrow(/readable by every user/);
    chmodSync(keyFile, 0o600);
    expect(storeOptionsFromEnvironment({ cwd: dir, env: {} })).toEqual({
      encryptionKey: KEY,
      allowUnsafeBuiltinCrypto: true,
    });
  });

  it('rejects a key in the config itself, short keys and two key sources', () => {
    writeFileSync(join(dir, 'auditlake.yaml'), `store:\n  encryption:\n    key: ${KEY}\n`);
    expect(() => storeOptionsFromEnvironment({ cwd: dir, env: {} })).toThrow(/key/);
    writeFileSync(join(dir, 'auditlake.yaml'), 'store:\n  encryption:\n    key_env: A\n    key_file: b\n');
    expect(() => storeOptionsFromEnvironment({ cwd: dir, env: {} })).toThrow(
      /exactly one of key_env or key_file/,
    );
    rmSync(join(dir, 'auditlake.yaml'));
    expect(() => storeOptionsFromEnvironment({ cwd: dir, env: { AUDITLAKE_DB_KEY: 'short' } })).toThrow(
      /shorter than 16/,
    );
  });
});

describe('the CLI with an encrypted store', () => {
  function cli(args: string[], env: Record<string, string>) {
    return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, AUDITLAKE_DB_KEY: '', AUDITLAKE_DB_ALLOW_UNSAFE_CRYPTO: '', ...env },
      encoding: 'utf8',
    });
  }

  // Three CLI processes (each starts tsx): slow on a loaded 2-core machine.
  it('ingests and queries with AUDITLAKE_DB_KEY; a wrong key is one clear line without the key', {
    timeout: 180_000,
  }, async () => {
    writeFileSync(
      join(dir, 'in', 'a.json'),
      JSON.stringify({ Records: [cloudtrailRecord(1, { userAgent: MARKER })] }),
    );
    const env = { AUDITLAKE_DB_KEY: KEY, AUDITLAKE_DB_ALLOW_UNSAFE_CRYPTO: '1' };
    const ingest = cli(['--db', db, 'ingest', 'files', join(dir, 'in'), '--format', 'json'], env);
    expect(ingest.stderr).toBe('');
    expect(ingest.status).toBe(0);
    expect(bytesContain(db, MARKER)).toBe(false);

    const query = cli(['--db', db, 'query', 'select user_agent from events', '--format', 'json'], {
      AUDITLAKE_DB_KEY: KEY,
    });
    expect(query.status).toBe(0);
    expect(query.stdout).toContain(MARKER);

    const wrong = cli(['--db', db, 'query', 'select 1'], {
      AUDITLAKE_DB_KEY: 'a-wrong-key-of-enough-length',
    });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/^auditlake: the encryption key does not open the store .*\nhint: /);
    expect(wrong.stderr).not.toContain('a-wrong-key-of-enough-length');
  });
});
