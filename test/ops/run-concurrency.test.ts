import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunOutput } from '../../src/cli/commands/run.js';
import { acquireRunLock, lockPathFor } from '../../src/ops/run-lock.js';
import { verifyChain } from '../../src/store/chain-verify.js';
import { openStore } from '../../src/store/open-store.js';
import { listRuns } from '../../src/store/runs.js';
import { FAST_QUERIES, filesConfig, spawnCli, storeEventIds, until, writeTrailFiles } from './helpers.js';

let dir: string;
let config: string;
let expected: string[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-run-lock-'));
  expected = writeTrailFiles(join(dir, 'in'), 8, 250);
  config = join(dir, 'auditlake.yaml');
  filesConfig(config, join(dir, 'in'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const runArgs = (db: string, ...extra: string[]) => [
  '--db',
  db,
  'run',
  '--config',
  config,
  '--queries',
  FAST_QUERIES,
  '--json',
  ...extra,
];

describe('two overlapping runs', () => {
  it('the second exits at once naming the holder, or waits with --wait and then runs', async () => {
    const db = join(dir, 'held.duckdb');
    // This test process holds the lock, as a long run would: deterministic, no race on timing.
    const held = await acquireRunLock({
      path: lockPathFor(db),
      command: 'auditlake run',
      staleAfterMs: 600_000,
      waitMs: 0,
    });
    let released = false;
    try {
      const refused = await spawnCli(runArgs(db)).done;
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `another auditlake run holds the lock ${lockPathFor(db)} (pid ${process.pid} on host ${hostname()}, \`auditlake run\` running since ${held.holder.started_at}`,
      );
      expect(refused.stderr).toMatch(/hint: wait for it with `auditlake run --wait \[seconds\]`/);
      // It touched nothing: not even the store was created.
      expect(existsSync(db)).toBe(false);

      const waiting = spawnCli(runArgs(db, '--wait', '300'));
      await until(() => waiting.stderr().includes('"event":"run.lock.waiting"'), 'the second run to wait');
      expect(waiting.stderr()).toContain(`"holder_pid":${process.pid}`);
      held.release();
      released = true;
      const finished = await waiting.done;
      expect(finished.code).toBe(0);
      const summary = JSON.parse(finished.stdout) as RunOutput;
      expect(summary.lock.waited_s).toBeGreaterThan(0);
      expect(summary.ingest.events_new).toBe(expected.length);
      expect(existsSync(lockPathFor(db))).toBe(false);
    } finally {
      if (!released) held.release();
    }
  }, 90_000);

  it('two runs started together both complete, one after the other, and the store is intact', async () => {
    const db = join(dir, 'race.duckdb');
    const [a, b] = await Promise.all([
      spawnCli(runArgs(db, '--wait', '300')).done,
      spawnCli(runArgs(db, '--wait', '300')).done,
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const summaries = [a, b].map((r) => JSON.parse(r.stdout) as RunOutput);
    // Whichever ran first read everything; the other found nothing new.
    expect(summaries.map((s) => s.ingest.events_new).sort((x, y) => x - y)).toEqual([0, expected.length]);
    const stored = await storeEventIds(db);
    expect(stored.duplicates).toBe(0);
    expect(stored.ids).toEqual(expected);
    const store = await openStore({ path: db, readOnly: true });
    try {
      expect((await verifyChain(store.connection)).status).toBe('intact');
      const runs = await listRuns(store.connection, { limit: 10, command: 'run' });
      expect(runs.map((r) => r.status)).toEqual(['ok', 'ok']);
      // Never interleaved: the later run started after the earlier one ended.
      const [later, earlier] = runs;
      expect(Date.parse(later?.started_at ?? '')).toBeGreaterThanOrEqual(Date.parse(earlier?.ended_at ?? ''));
    } finally {
      store.close();
    }
  }, 120_000);
});
