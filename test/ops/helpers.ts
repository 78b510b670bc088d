import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openStore } from '../../src/store/open-store.js';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';

/** Two small detectors (test/fixtures): detection takes no time, the run's plumbing is what is tested. */
export const FAST_QUERIES = 'test/fixtures/detect-queries/good';

/**
 * CloudTrail exports in `dir`: half gzip `{"Records":[...]}` files (DuckDB's bulk reader), half
 * line-delimited (the Node reader). Returns the event ids written.
 */
export function writeTrailFiles(
  dir: string,
  files: number,
  perFile: number,
  overrides: (n: number) => Record<string, unknown> = () => ({}),
): string[] {
  mkdirSync(dir, { recursive: true });
  const ids: string[] = [];
  for (let f = 0; f < files; f++) {
    const records = Array.from({ length: perFile }, (_, i) => {
      const n = f * perFile + i;
      return cloudtrailRecord(n, overrides(n));
    });
    for (const r of records) ids.push(String(r.eventID));
    const body =
      f % 2 === 0
        ? gzipSync(JSON.stringify({ Records: records }))
        : records.map((r) => JSON.stringify(r)).join('\n');
    writeFileSync(join(dir, `f${String(f).padStart(2, '0')}.${f % 2 === 0 ? 'json.gz' : 'ndjson'}`), body);
  }
  return ids.sort();
}

export interface CliRun {
  child: ChildProcess;
  stderr: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** The real CLI in its own process (src/cli/main.ts through tsx), as a scheduler starts it. */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { ...process.env, AUDITLAKE_CRASH_AT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, stderr: () => stderr, done };
}

/** Resolves once `predicate` holds, checking every 50 ms (never a fixed sleep standing in for an event). */
export async function until(predicate: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function storeEventIds(db: string): Promise<{ ids: string[]; duplicates: number }> {
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

export function filesConfig(path: string, inDir: string, extra: readonly string[] = []): void {
  writeFileSync(
    path,
    [
      'sources:',
      '  files:',
      '    - name: exports',
      `      paths: [${JSON.stringify(inDir)}]`,
      ...extra,
      '',
    ].join('\n'),
  );
}
