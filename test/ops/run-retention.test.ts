import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunOutput } from '../../src/cli/commands/run.js';
import { loadConfig } from '../../src/config/load-config.js';
import { restrictForDetection } from '../../src/detect/detection-connection.js';
import { loadDetectors } from '../../src/detect/load-detectors.js';
import { runDetection } from '../../src/detect/run-detection.js';
import type { Report } from '../../src/report/report-model.js';
import { verifyChain } from '../../src/store/chain-verify.js';
import { openStore } from '../../src/store/open-store.js';
import { runOps } from './cli-harness.js';
import { FAST_QUERIES, writeTrailFiles } from './helpers.js';

const DAY_MS = 86_400_000;
const OLD = 200;
const RECENT = 150;
let dir: string;
let db: string;
let config: string;
let oldDay: string;

function isoSecond(t: number): string {
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

async function counts(): Promise<{ events: number; findings: number; old_finding: number }> {
  const store = await openStore({ path: db, readOnly: true });
  try {
    const [row] = (
      await store.connection.runAndReadAll(
        `select (select count(*) from events)::int, (select count(*) from findings)::int,
  (select count(*) from findings where detector_id = 'aws/delete-trail')::int`,
      )
    ).getRows();
    return { events: Number(row?.[0]), findings: Number(row?.[1]), old_finding: Number(row?.[2]) };
  } finally {
    store.close();
  }
}

async function pdfText(path: string): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(readFileSync(path)) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-run-retention-'));
  db = join(dir, 'store.duckdb');
  const now = Date.now();
  const old = Math.floor((now - 500 * DAY_MS) / DAY_MS) * DAY_MS + 3_600_000;
  oldDay = new Date(old).toISOString().slice(0, 10);
  // 200 events 500 days ago, one of them a trail being stopped (the fixture detector's high finding),
  // and 150 from yesterday.
  writeTrailFiles(join(dir, 'in', 'old'), 2, OLD / 2, (n) => ({
    eventTime: isoSecond(old + n * 1000),
    ...(n === 7 ? { eventName: 'StopLogging', eventSource: 'cloudtrail.amazonaws.com' } : {}),
  }));
  writeTrailFiles(join(dir, 'in', 'recent'), 1, RECENT, (n) => ({
    eventID: `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`,
    eventTime: isoSecond(now - DAY_MS + n * 1000),
  }));
  config = join(dir, 'auditlake.yaml');
  writeFileSync(
    config,
    [
      'sources:',
      '  files:',
      `    - paths: [${JSON.stringify(join(dir, 'in'))}]`,
      'reports:',
      '  - framework: pci_dss_v4.0',
      '    period: previous-day',
      '    formats: [json, pdf]',
      `    out_dir: ${JSON.stringify(join(dir, 'reports'))}`,
      'retention:',
      '  events: forever',
      '',
    ].join('\n'),
  );
});

afterAll(() => {
  delete process.env.AUDITLAKE__RETENTION__EVENTS;
  rmSync(dir, { recursive: true, force: true });
});

const run = async () => {
  const result = await runOps([
    '--db',
    db,
    'run',
    '--config',
    config,
    '--queries',
    FAST_QUERIES,
    '--json',
    '-q',
  ]);
  return { exitCode: result.exitCode, summary: JSON.parse(result.output) as RunOutput };
};

describe('retention in auditlake run', () => {
  it('prunes events older than the period, never findings; verify still passes and the report says so', async () => {
    const first = await run();
    expect(first.summary.retention).toMatchObject({ policy: 'forever', events_deleted: 0 });
    expect(await counts()).toMatchObject({ events: OLD + RECENT, old_finding: 0 });

    // A finding on the old events, as the nightly runs of that time would have recorded.
    const store = await openStore({ path: db });
    try {
      await restrictForDetection(store.connection);
      await runDetection(store.connection, {
        detectors: loadDetectors(FAST_QUERIES).detectors,
        config: loadConfig({ path: config }).config.detection,
        since: new Date(`${oldDay}T00:00:00Z`),
        until: new Date(Date.parse(`${oldDay}T00:00:00Z`) + DAY_MS),
      });
    } finally {
      store.close();
    }
    const withFinding = await counts();
    expect(withFinding.old_finding).toBe(1);

    // The policy comes from the environment here: AUDITLAKE__RETENTION__EVENTS overrides the file.
    process.env.AUDITLAKE__RETENTION__EVENTS = '400d';
    const second = await run();
    delete process.env.AUDITLAKE__RETENTION__EVENTS;
    expect(second.summary.overrides).toEqual(['AUDITLAKE__RETENTION__EVENTS']);
    expect(second.summary.retention).toMatchObject({
      policy: '400d',
      events_deleted: OLD,
      days_pruned: 1,
      error: null,
    });
    expect(second.exitCode).toBe(0);
    // Only events go: the finding on the pruned events stays, with every other.
    expect(await counts()).toEqual({ ...withFinding, events: RECENT });

    const check = await openStore({ path: db, readOnly: true });
    try {
      const verification = await verifyChain(check.connection);
      expect(verification.status).toBe('intact');
      expect(verification.checked.pruned_days).toBe(1);
    } finally {
      check.close();
    }

    // The report written by that run states the retention in force, in the JSON and the PDF.
    const files = second.summary.reports[0]?.files ?? [];
    const json = JSON.parse(readFileSync(files.find((f) => f.endsWith('.json')) ?? '', 'utf8')) as Report;
    // Retention runs before the reports, so they describe the store as the run left it.
    expect(json.store.retention).toMatchObject({ policy_days: 400, pruned_through: oldDay });
    const text = (await pdfText(files.find((f) => f.endsWith('.pdf')) ?? '')).replace(/\s+/g, ' ');
    expect(text).toContain('events older than 400 days are pruned');
  }, 120_000);
});
