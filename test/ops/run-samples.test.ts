import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunOutput } from '../../src/cli/commands/run.js';
import { openStore } from '../../src/store/open-store.js';
import type { RunRecord } from '../../src/store/runs.js';
import { runOps } from './cli-harness.js';

/**
 * `auditlake run` end to end on samples/ (14 days of CloudTrail, Google Cloud and Azure logs, one
 * damaged file), configured as an operator would: a files source and a monthly report.
 */

const SAMPLES = resolve(import.meta.dirname, '../../samples');
let dir: string;
let db: string;
let config: string;

async function storeCounts(): Promise<{ events: number; distinct: number; findings: number }> {
  const store = await openStore({ path: db, readOnly: true });
  try {
    const [row] = (
      await store.connection.runAndReadAll(
        `select (select count(*) from events)::int, (select count(distinct (source, event_id)) from events)::int,
  (select count(*) from findings)::int`,
      )
    ).getRows();
    return { events: Number(row?.[0]), distinct: Number(row?.[1]), findings: Number(row?.[2]) };
  } finally {
    store.close();
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-run-samples-'));
  db = join(dir, 'store.duckdb');
  config = join(dir, 'auditlake.yaml');
  writeFileSync(
    config,
    [
      'sources:',
      '  files:',
      '    - name: samples',
      `      paths: [${JSON.stringify(SAMPLES)}]`,
      'reports:',
      '  - framework: pci_dss_v4.0',
      '    period: previous-month',
      '    formats: [json]',
      '    out_dir: reports', // relative: resolved against the working directory
      '',
    ].join('\n'),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = async () => {
  const result = await runOps([
    '--db',
    db,
    'run',
    '--config',
    config,
    '--report-date',
    '2026-12-03',
    '--json',
    '-q',
  ]);
  return { exitCode: result.exitCode, summary: JSON.parse(result.output) as RunOutput };
};

describe('auditlake run on the samples, twice', () => {
  it('ingests, detects and reports; the second run adds no event and no finding, and writes a new report', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const first = await run();
      expect(first.summary.status).toBe('partial');
      // New high/critical findings outrank the partial ingest (a damaged sample file), as in `detect`.
      expect(first.exitCode).toBe(first.summary.detection.alerting > 0 ? 3 : 4);
      expect(first.summary.ingest.sources).toEqual([
        expect.objectContaining({
          source: 'files',
          name: 'samples',
          status: 'ok',
          events_new: 24_945,
          // samples/README.md and the 17 records of samples/incidents.json are no audit logs
          errors: 18,
        }),
      ]);
      expect(first.summary.problems).toEqual([
        'source files samples: 18 record(s) could not be read (see ingest_errors)',
      ]);
      expect(first.summary.detection.detectors_failed).toBe(0);
      // The first run judges the newest day of data (detect's default window); what it finds there
      // is the detectors' business: here what matters is that the second run adds nothing.
      expect(first.summary.detection.detectors_run).toBeGreaterThan(50);
      const [report] = first.summary.reports;
      expect(report).toMatchObject({
        framework: 'pci_dss_v4.0',
        from: '2026-11-01',
        to: '2026-11-30',
        integrity: 'intact',
        error: null,
      });
      expect(report?.files.map((f) => f.slice(dir.length + 1))).toEqual([
        `reports/pci_dss_v4.0_2026-11-01_2026-11-30_run${first.summary.run_id}.json`,
      ]);
      const json = JSON.parse(readFileSync(report?.files[0] ?? '', 'utf8')) as {
        store: { retention: { policy_days: number | null } };
      };
      // The report says what retention is in force: none configured here.
      expect(json.store.retention.policy_days).toBeNull();
      const after1 = await storeCounts();
      expect(after1).toMatchObject({ events: 24_945, distinct: 24_945 });

      const second = await run();
      expect(second.summary).toMatchObject({ status: 'ok', problems: [] });
      expect(second.exitCode).toBe(0);
      expect(second.summary.ingest).toMatchObject({ events_new: 0, errors: 0 });
      expect(second.summary.new_findings).toEqual([]);
      expect(second.summary.detection.alerting).toBe(0);
      expect(await storeCounts()).toEqual(after1);
      // A new report file for the same period: each run keeps the report it wrote.
      expect(second.summary.reports[0]?.files).toHaveLength(1);
      expect(readdirSync(join(dir, 'reports')).sort()).toEqual(
        [...(report?.files ?? []), ...(second.summary.reports[0]?.files ?? [])]
          .map((f) => f.slice(join(dir, 'reports').length + 1))
          .sort(),
      );

      // `auditlake runs` lists both, newest first, with counts and status.
      const listed = JSON.parse(
        (await runOps(['--db', db, 'runs', '--command', 'run', '--json'])).output,
      ) as RunRecord[];
      expect(listed.map((r) => [r.run_id, r.status, r.events_new])).toEqual([
        [second.summary.run_id, 'ok', 0],
        [first.summary.run_id, 'partial', 24_945],
      ]);
      expect(listed[1]?.duration_s).toBeGreaterThan(0);
      const table = (await runOps(['--db', db, 'runs', '--format', 'table', '--limit', '3'])).output;
      expect(table).toMatch(/run\s+command\s+started\s+seconds\s+status/);
      expect(table).toMatch(/\(3 rows\)/);
    } finally {
      process.chdir(cwd);
    }
  }, 120_000);
});
