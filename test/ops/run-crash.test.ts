import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunOutput } from '../../src/cli/commands/run.js';
import { lockPathFor, readLock } from '../../src/ops/run-lock.js';
import { openStore } from '../../src/store/open-store.js';
import { listRuns } from '../../src/store/runs.js';
import { FAST_QUERIES, filesConfig, spawnCli, storeEventIds, writeTrailFiles } from './helpers.js';

let dir: string;
let config: string;
let expected: string[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-run-crash-'));
  // Two sources, so the run commits more than once before it ends (one file source commits its
  // files together): the kill lands between commits.
  const first = writeTrailFiles(join(dir, 'a'), 4, 300);
  const second = writeTrailFiles(join(dir, 'b'), 4, 300, (n) => ({
    eventID: `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`,
  }));
  expected = [...first, ...second].sort();
  config = join(dir, 'auditlake.yaml');
  filesConfig(config, join(dir, 'a'), [
    '    - name: more-exports',
    `      paths: [${JSON.stringify(join(dir, 'b'))}]`,
  ]);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('auditlake run killed mid-way, then rerun', () => {
  it('the rerun takes over the dead run’s lock, marks it interrupted and ends with exactly the full event set', async () => {
    const db = join(dir, 'store.duckdb');
    const args = ['--db', db, 'run', '--config', config, '--queries', FAST_QUERIES, '--json'];
    // SIGKILL right after the first batch of events committed (src/util/crash-points.ts).
    const killed = spawnCli(args, { AUDITLAKE_CRASH_AT: 'after-commit:1' });
    const outcome = await killed.done;
    expect(outcome.signal).toBe('SIGKILL');
    // The dead run left its lock behind, and part of the events.
    const left = readLock(lockPathFor(db));
    expect(left?.holder?.pid).toBe(killed.child.pid);
    const partial = await storeEventIds(db);
    expect(partial.ids.length).toBeGreaterThan(0);
    expect(partial.ids.length).toBeLessThan(expected.length);
    expect(partial.duplicates).toBe(0);

    const rerun = await spawnCli(args).done;
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toContain('"event":"run.lock.takeover"');
    expect(rerun.stderr).toContain(`"reason":"pid ${killed.child.pid} is gone on this host"`);
    const summary = JSON.parse(rerun.stdout) as RunOutput;
    expect(summary.lock.took_over?.holder?.pid).toBe(killed.child.pid);
    expect(summary.interrupted_runs).toEqual([1]);
    expect(summary.ingest.events_new).toBe(expected.length - partial.ids.length);

    const after = await storeEventIds(db);
    expect(after.duplicates).toBe(0);
    expect(after.ids).toEqual(expected);
    expect(existsSync(lockPathFor(db))).toBe(false);
    const store = await openStore({ path: db, readOnly: true });
    try {
      const runs = await listRuns(store.connection, { limit: 5 });
      expect(runs.map((r) => [r.command, r.status])).toEqual([
        ['detect', 'ok'],
        ['run', 'ok'],
        ['run', 'interrupted'],
      ]);
    } finally {
      store.close();
    }
  }, 120_000);
});
