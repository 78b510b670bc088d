import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';

let dir: string;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], crashAt = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, AUDITLAKE_CRASH_AT: crashAt },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Events over three UTC days (2026-11-01..03), in files of 100 records. */
function writeInput(into: string, files: number, day = (f: number) => 1 + (f % 3)): void {
  mkdirSync(into, { recursive: true });
  for (let f = 0; f < files; f++) {
    const records = Array.from({ length: 100 }, (_, i) => {
      const r = cloudtrailRecord(f * 100 + i);
      return { ...r, eventTime: String(r.eventTime).replace('2026-11-02', `2026-11-0${day(f)}`) };
    });
    writeFileSync(join(into, `f${f}.ndjson`), records.map((r) => JSON.stringify(r)).join('\n'));
  }
}

const ingest = (db: string, input: string, crashAt?: string) =>
  cli(['--db', db, 'ingest', 'files', input, '--quiet', '--batch-records', '150'], crashAt);

async function sql(db: string, text: string): Promise<void> {
  const store = await openStore({ path: db });
  try {
    await store.connection.run(text);
  } finally {
    store.close();
  }
}

interface VerifyJson {
  status: string;
  first_break: { kind: string; batch_id: number | null; source: string; day: string } | null;
  checked: { batches: number; events: number };
  head: { batch_id: number } | null;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-verify-'));
  writeInput(join(dir, 'in'), 6);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('auditlake verify', () => {
  it('exits 0 on an intact store, 1 naming the batch, source and day of a changed event', async () => {
    const db = join(dir, 'tamper.duckdb');
    expect((await ingest(db, join(dir, 'in'))).code).toBe(0);
    const intact = await cli(['--db', db, 'verify', '--format', 'json']);
    expect(intact.code).toBe(0);
    const ok = JSON.parse(intact.stdout) as VerifyJson;
    expect(ok).toMatchObject({ status: 'intact', first_break: null, checked: { events: 600 } });

    // Event 250 is in f2.ndjson (day 2026-11-03), the second and third files' batches.
    const id = String(cloudtrailRecord(250).eventID);
    const batch = await (async () => {
      const store = await openStore({ path: db, readOnly: true });
      try {
        const r = await store.connection.runAndReadAll(
          `select batch_id from events where event_id = '${id}'`,
        );
        return Number(r.getRows()[0]?.[0]);
      } finally {
        store.close();
      }
    })();
    await sql(db, `update events set raw = '{"eventName":"Harmless"}' where event_id = '${id}'`);
    const broken = await cli(['--db', db, 'verify', '--format', 'json']);
    expect(broken.code).toBe(1);
    expect((JSON.parse(broken.stdout) as VerifyJson).first_break).toMatchObject({
      kind: 'events_changed',
      batch_id: batch,
      source: 'aws',
      day: '2026-11-03',
    });
    const text = await cli(['--db', db, 'verify', '--format', 'table']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`first broken link: batch ${batch} (run 1, committed `);
    expect(text.stdout).toContain('source aws, day 2026-11-03');
    // Days before the changed one still verify on their own.
    const earlier = await cli([
      '--db',
      db,
      'verify',
      '--from',
      '2026-11-01',
      '--to',
      '2026-11-03',
      '--format',
      'json',
    ]);
    expect(earlier.code).toBe(0);
    expect((JSON.parse(earlier.stdout) as VerifyJson).status).toBe('intact');
  }, 120_000);

  it('exports heads only when intact, and --against catches a store rebuilt from scratch', async () => {
    const db = join(dir, 'export.duckdb');
    const heads = join(dir, 'heads.json');
    expect((await ingest(db, join(dir, 'in'))).code).toBe(0);
    const exported = await cli(['--db', db, 'verify', '--export', heads, '--format', 'table']);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(`heads exported to ${heads}: 3 days`);
    const file = JSON.parse(readFileSync(heads, 'utf8')) as { format: string; days: unknown[] };
    expect(file.format).toBe('auditlake-chain-heads/v1');
    expect(file.days).toHaveLength(3);
    expect((await cli(['--db', db, 'verify', '--against', heads])).code).toBe(0);

    // Rebuilt from scratch with one record doctored: a consistent chain, but not the exported one.
    const doctored = join(dir, 'doctored');
    writeInput(doctored, 6);
    const f0 = readFileSync(join(doctored, 'f0.ndjson'), 'utf8').replace('198.51.100.7', '10.9.9.9');
    writeFileSync(join(doctored, 'f0.ndjson'), f0);
    rmSync(db);
    expect((await ingest(db, doctored)).code).toBe(0);
    expect((await cli(['--db', db, 'verify'])).code).toBe(0);
    const against = await cli(['--db', db, 'verify', '--against', heads, '--format', 'json']);
    expect(against.code).toBe(1);
    // The export holds each day's last batch and the head: the earliest of those that differs.
    const first = (JSON.parse(against.stdout) as VerifyJson).first_break;
    expect(first).toMatchObject({ kind: 'export_head_mismatch', source: 'aws' });
    expect(first?.batch_id).toBeGreaterThan(0);

    // A broken chain is not exported.
    await sql(db, 'delete from events where event_id in (select event_id from events limit 1)');
    const refused = join(dir, 'refused.json');
    expect((await cli(['--db', db, 'verify', '--export', refused])).code).toBe(1);
    expect(() => readFileSync(refused)).toThrow();
  }, 120_000);

  it('stays intact across ingests killed mid-batch, inside the transaction and after commits', async () => {
    const input = join(dir, 'crash-in');
    writeInput(input, 12);
    const db = join(dir, 'crash.duckdb');
    for (const point of ['after-commit:2', 'staged-record:500', 'before-commit:2', 'after-commit:3']) {
      expect((await ingest(db, input, point)).signal).toBe('SIGKILL');
      expect((await cli(['--db', db, 'verify'])).code).toBe(0);
    }
    expect((await ingest(db, input)).code).toBe(0);
    const final = await cli(['--db', db, 'verify', '--format', 'json']);
    expect(final.code).toBe(0);
    const result = JSON.parse(final.stdout) as VerifyJson;
    expect(result.checked.events).toBe(1200);
    // Batch ids stay gap-free: a killed transaction leaves no link and no number used.
    expect(result.head?.batch_id).toBe(result.checked.batches);
  }, 180_000);

  it('rejects a file that is not a heads export', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format":"something else"}');
    const run = await cli(['--db', join(dir, 'tamper.duckdb'), 'verify', '--against', bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is not an auditlake chain heads export');
  });
});
