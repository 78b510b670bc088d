import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../src/ingest/ingest-files.js';
import { openStore } from '../../src/store/open-store.js';
import { startRun } from '../../src/store/runs.js';
import { StoreBusyError } from '../../src/store/store-busy.js';
import { ownerFilePath } from '../../src/store/store-owner.js';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';

/**
 * Two processes on one store: a child holds it open for writing (as a nightly run does) while this
 * process, or the CLI, tries to open it.
 */
let dir: string;
let db: string;
const children: ChildProcessWithoutNullStreams[] = [];

interface Output {
  stdout: string;
  stderr: string;
}

/** Spawns a process and collects its output; `until` resolves once the output matches. */
function start(args: string[]): { child: ChildProcessWithoutNullStreams; out: Output } {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    env: { ...process.env, AUDITLAKE_DB_KEY: '' },
  });
  children.push(child);
  const out: Output = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => {
    out.stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out.stderr += d.toString();
  });
  return { child, out };
}

function until(child: ChildProcessWithoutNullStreams, out: Output, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pattern.test(out.stdout) || pattern.test(out.stderr)) {
        child.stdout.off('data', check);
        child.stderr.off('data', check);
        child.off('exit', exited);
        resolve();
      }
    };
    const exited = (code: number | null) =>
      reject(new Error(`exited (${code}) before printing ${pattern}: ${out.stdout} ${out.stderr}`));
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.on('exit', exited);
    check();
  });
}

function exit(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

/** A child holding the store for writing, as `command`. */
async function holdStore(command: string): Promise<ChildProcessWithoutNullStreams> {
  const { child, out } = start(['test/helpers/hold-store.ts', db, command]);
  await until(child, out, /^ready$/m);
  return child;
}

async function release(holder: ChildProcessWithoutNullStreams): Promise<void> {
  holder.stdin.end();
  expect(await exit(holder)).toBe(0);
}

async function cli(args: string[]): Promise<Output & { code: number | null }> {
  const { child, out } = start(['src/cli/main.ts', '--db', db, ...args]);
  const code = await exit(child);
  return { ...out, code };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-busy-'));
  mkdirSync(join(dir, 'in'));
  db = join(dir, 'store.duckdb');
  writeFileSync(
    join(dir, 'in', 'a.json'),
    JSON.stringify({ Records: [cloudtrailRecord(1), cloudtrailRecord(2)] }),
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

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a store another process holds for writing', () => {
  it('fails to open with StoreBusyError naming the command, pid and since when; the owner file goes with the writer', async () => {
    const holder = await holdStore('auditlake ingest aws');
    expect(existsSync(ownerFilePath(db))).toBe(true);
    const error = await openStore({ path: db, readOnly: true }).then(
      () => new Error('expected the store to be busy'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreBusyError);
    const busy = error as StoreBusyError;
    expect(busy.code).toBe('store_locked');
    expect(busy.holder.pid).toBe(holder.pid);
    expect(busy.holder.owner).toMatchObject({ pid: holder.pid, command: 'auditlake ingest aws' });
    expect(busy.message).toContain(
      `\`auditlake ingest aws\` (pid ${holder.pid}) has had it open for writing since`,
    );
    expect(busy.message).toContain(busy.holder.owner?.started_at);
    expect(busy.message).not.toMatch(/Could not set lock|IO Error/);
    await release(holder);
    expect(existsSync(ownerFilePath(db))).toBe(false);
  });

  it('query says who holds it (exit 1, never the raw lock error); --wait N gives up after N seconds', async () => {
    const holder = await holdStore('auditlake run');
    try {
      const now = await cli(['query', 'select count(*) from events']);
      expect(now.code).toBe(1);
      expect(now.stderr).toContain('is busy: `auditlake run`');
      expect(now.stderr).toContain('--wait');
      expect(now.stderr).not.toMatch(/Could not set lock|IO Error/);
      const waited = await cli(['query', '--wait', '1', 'select count(*) from events']);
      expect(waited.code).toBe(1);
      expect(waited.stderr).toMatch(/waiting up to 1 s/);
      expect(waited.stderr).toMatch(/gave up after waiting \d+ s/);
      const ingest = await cli(['ingest', 'files', join(dir, 'in'), '--quiet']);
      expect(ingest.code).toBe(1);
      expect(ingest.stderr).toContain('is busy: `auditlake run`');
    } finally {
      await release(holder);
    }
  });

  it('query --wait waits until the writer is done, then answers', async () => {
    const holder = await holdStore('auditlake ingest aws');
    const { child, out } = start([
      'src/cli/main.ts',
      '--db',
      db,
      'query',
      '--wait',
      '120',
      '--format',
      'json',
      'select count(*)::int as n from events',
    ]);
    await until(child, out, /waiting up to 120 s/);
    expect(out.stderr).toContain('`auditlake ingest aws`');
    await release(holder);
    expect(await exit(child)).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual([{ n: 2 }]);
  });

  it('a holder without an owner record (the DuckDB CLI, or a leftover file of a killed run) is named by pid only', async () => {
    writeFileSync(
      ownerFilePath(db),
      JSON.stringify({
        pid: 999_999_999,
        command: 'auditlake ghost',
        started_at: '2026-01-01T00:00:00Z',
        host: 'x',
      }),
    );
    const { child, out } = start([
      '--input-type=module',
      '-e',
      `import { DuckDBInstance } from '@duckdb/node-api';
const instance = await DuckDBInstance.create(${JSON.stringify(db)});
await instance.connect();
process.stdout.write('ready\\n');
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));`,
    ]);
    await until(child, out, /^ready$/m);
    try {
      const error = (await openStore({ path: db, readOnly: true }).catch(
        (e: unknown) => e,
      )) as StoreBusyError;
      expect(error).toBeInstanceOf(StoreBusyError);
      expect(error.holder).toEqual({ pid: child.pid, owner: null });
      expect(error.message).toContain(`another process (pid ${child.pid}) has it open`);
      expect(error.message).not.toContain('ghost');
    } finally {
      child.stdin.end();
      await exit(child);
      rmSync(ownerFilePath(db), { force: true });
    }
  });

  it('--wait takes a number of seconds: a misplaced one is a usage error, not a query', async () => {
    const r = await cli(['query', '--wait', 'select 1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected a number of seconds');
  });
});
