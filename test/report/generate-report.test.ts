import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeFromStore } from '../../src/report/generate-report.js';
import { openStore } from '../../src/store/open-store.js';
import { ingest, trailRecord } from '../detect/helpers.js';

/** Reports read the store with the key the config names, like every other command. */

const KEY = 'report-test-store-key-0123456789';
let dir: string;
let db: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-report-enc-'));
  db = join(dir, 'store.duckdb');
  // Writing an encrypted store here needs DuckDB's built-in crypto (no OpenSSL): see test/store/encryption.test.ts.
  const store = await openStore({ path: db, encryptionKey: KEY, allowUnsafeBuiltinCrypto: true });
  try {
    await ingest(store, [trailRecord(1, { eventTime: '2026-03-01T10:00:00Z' })]);
  } finally {
    store.close();
  }
  writeFileSync(join(dir, 'store.key'), `${KEY}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'auditlake.yaml'), 'store:\n  encryption:\n    key_file: store.key\n');
  writeFileSync(join(dir, 'plain.yaml'), 'report:\n  organization: Acme\n');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const options = {
  framework: 'pci_dss_v4.0',
  from: new Date('2026-03-01T00:00:00Z'),
  to: new Date('2026-03-02T00:00:00Z'),
  generatedAt: new Date('2026-03-03T00:00:00Z'),
  organization: 'Acme',
};

describe('computeFromStore', () => {
  it('opens an encrypted store with the key the config names', async () => {
    const report = await computeFromStore(db, options, { configPath: join(dir, 'auditlake.yaml') });
    expect(report.store.digest.events).toBe(1);
  });

  it.skipIf(Boolean(process.env.AUDITLAKE_DB_KEY))(
    'says the store is encrypted when no key is configured',
    async () => {
      await expect(computeFromStore(db, options, { configPath: join(dir, 'plain.yaml') })).rejects.toThrow(
        /is encrypted and no key is configured/,
      );
    },
  );
});
