import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { ingestFiles } from '../../src/ingest/ingest-files.js';
import { openStore } from '../../src/store/open-store.js';
import { startRun } from '../../src/store/runs.js';
import { openStagingConnections } from '../../src/store/staging.js';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-oom-'));
  mkdirSync(join(dir, 'in'));
  // About 16 MB of records: more than a 40MB memory limit can seal and commit at once.
  for (let f = 0; f < 16; f++) {
    const records = Array.from({ length: 1000 }, (_, i) =>
      cloudtrailRecord(f * 1000 + i, { requestParameters: { note: 'x'.repeat(600) } }),
    );
    writeFileSync(join(dir, 'in', `trail-${f}.json.gz`), gzipSync(JSON.stringify({ Records: records })));
  }
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('an ingest that runs out of DuckDB memory', () => {
  it('fails as a store error that says which limit to raise, and commits nothing half-done', async () => {
    const store = await openStore({ path: join(dir, 'store.duckdb'), memoryLimit: '40MB' });
    try {
      const runId = await startRun(store.connection, 'test');
      const run = ingestFiles(store.connection, runId, {
        paths: [join(dir, 'in')],
        staging: await openStagingConnections(store),
      });
      const error = await run.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).message).toMatch(/batch failed: Out of Memory Error/);
      expect((error as StoreError).hint).toMatch(/raise AUDITLAKE_MEMORY_LIMIT .* or lower --batch-mb/);
      // Whatever committed did so whole: every stored event has its file's checkpoint.
      const orphans = await store.connection.runAndReadAll(
        `select count(*) from events e where not exists (select 1 from checkpoints c where c.origin = e.origin)`,
      );
      expect(Number(orphans.getRows()[0]?.[0])).toBe(0);
    } finally {
      store.close();
    }
  });
});
