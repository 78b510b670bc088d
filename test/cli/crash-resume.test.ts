import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';

const FILES = 20;
const PER_FILE = 300;
let dir: string;

function cli(args: string[], crashAt?: string): ChildProcess {
  const env = { ...process.env, AUDITLAKE_CRASH_AT: crashAt ?? '' };
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { stdio: 'ignore', env });
}

function runToEnd(
  args: string[],
  crashAt?: string,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => cli(args, crashAt).on('exit', (code, signal) => resolve({ code, signal })));
}

async function eventIdsIn(db: string): Promise<{ ids: string[]; duplicates: number }> {
  const store = await openStore({ path: db, readOnly: true });
  try {
    const ids = (
      await store.connection.runAndReadAll('select event_id from events order by event_id')
    ).getRows();
    const dup = await store.connection.runAndReadAll(
      'select count(*)::int from (select source, event_id from events group by all having count(*) > 1)',
    );
    return { ids: ids.map((r) => String(r[0])), duplicates: Number(dup.getRows()[0]?.[0]) };
  } finally {
    store.close();
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-crash-'));
  mkdirSync(join(dir, 'in'));
  for (let f = 0; f < FILES; f++) {
    const records = Array.from({ length: PER_FILE }, (_, i) => cloudtrailRecord(f * PER_FILE + i));
    // Half the files go through DuckDB's bulk reader, half through the line-by-line path (the only
    // one that stages records one by one, so staged-record crash points count those 3,000).
    const body =
      f % 2 === 0
        ? gzipSync(JSON.stringify({ Records: records }))
        : records.map((r) => JSON.stringify(r)).join('\n');
    writeFileSync(
      join(dir, 'in', `f${String(f).padStart(2, '0')}.${f % 2 === 0 ? 'json.gz' : 'ndjson'}`),
      body,
    );
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ingest killed with SIGKILL and rerun', () => {
  it('ends with exactly the events of a clean run: nothing lost, nothing duplicated', async () => {
    const args = (db: string) => [
      '--db',
      db,
      'ingest',
      'files',
      join(dir, 'in'),
      '--quiet',
      '--batch-records',
      '150',
      '--batch-mb',
      '1',
    ];
    const clean = join(dir, 'clean.duckdb');
    expect(await runToEnd(args(clean))).toEqual({ code: 0, signal: null });
    const expected = await eventIdsIn(clean);
    expect(expected.ids).toHaveLength(FILES * PER_FILE);

    // Each run dies at a different point (mid-batch, inside the transaction, right after a commit),
    // resuming from what the previous runs left behind.
    const crashed = join(dir, 'crashed.duckdb');
    const seen: number[] = [];
    for (const point of [
      'after-commit:2',
      'staged-record:600',
      'before-commit:3',
      'after-commit:5',
      'staged-record:300',
    ]) {
      const outcome = await runToEnd(args(crashed), point);
      expect(outcome.signal).toBe('SIGKILL');
      const partial = await eventIdsIn(crashed);
      expect(partial.duplicates).toBe(0);
      seen.push(partial.ids.length);
    }
    // The crashes really happened mid-ingest: the store grew between them and was never complete.
    expect(seen[0]).toBeGreaterThan(0);
    expect(seen.at(-1)).toBeLessThan(FILES * PER_FILE);
    expect(new Set(seen).size).toBeGreaterThan(1);
    expect(await runToEnd(args(crashed))).toEqual({ code: 0, signal: null });
    const after = await eventIdsIn(crashed);
    expect(after.duplicates).toBe(0);
    expect(after.ids).toEqual(expected.ids);
  }, 120_000);
});
