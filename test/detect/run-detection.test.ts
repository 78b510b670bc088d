import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectionConnections, restrictForDetection } from '../../src/detect/detection-connection.js';
import { listFindings } from '../../src/detect/findings-store.js';
import { loadDetectors } from '../../src/detect/load-detectors.js';
import { runDetection } from '../../src/detect/run-detection.js';
import type { Store } from '../../src/store/open-store.js';
import {
  config,
  GOOD_ROOT,
  goodDetector,
  HOSTILE_ROOT,
  ingest,
  iso,
  memoryStore,
  trailRecord,
} from './helpers.js';

let store: Store;
beforeEach(async () => {
  store = await memoryStore();
});
afterEach(() => store.close());

const at = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00Z`;

async function detectionRuns() {
  const reader = await store.connection.runAndReadAll(
    `select detector_id, rows, new_findings, updated_findings, error
from detection_runs
order by run_id, detector_id`,
  );
  return reader.getRowObjectsJson();
}

describe('runDetection', () => {
  it('turns rows into findings and records the run per detector', async () => {
    await ingest(store, [
      trailRecord(1, { eventTime: at(0) }),
      trailRecord(2, { eventTime: at(5), eventName: 'StopLogging' }),
    ]);
    const result = await runDetection(store.connection, {
      detectors: [goodDetector('aws/delete-trail')],
      config: config(),
      since: iso('2026-03-01T00:00:00Z'),
      until: iso('2026-03-02T00:00:00Z'),
    });
    expect(result.status).toBe('ok');
    expect(result.outcomes[0]).toMatchObject({
      detector: 'aws/delete-trail',
      rows: 2,
      new_findings: 1,
      alerting: 1,
    });
    const [finding] = await listFindings(store.connection);
    expect(finding).toMatchObject({
      detector: 'aws/delete-trail',
      severity: 'high',
      status: 'open',
      actor: 'arn:aws:iam::111122223333:user/mallory',
      account: '111122223333',
      first_seen: '2026-03-01T10:00:00.000Z',
      last_seen: '2026-03-01T10:05:00.000Z',
      count: 2,
      controls: { 'cis_aws_v4.0.0': ['3.1'], nist_800_53_r5: ['AU-6'] },
    });
    expect(finding?.evidence.sort()).toEqual(['evt-1', 'evt-2']);
    expect(await detectionRuns()).toEqual([
      { detector_id: 'aws/delete-trail', rows: '2', new_findings: '1', updated_findings: '0', error: null },
    ]);
  });

  it('updates, never duplicates, on reruns over overlapping windows; count is distinct evidence', async () => {
    const detectors = [goodDetector('aws/delete-trail')];
    await ingest(store, [trailRecord(1, { eventTime: at(0) }), trailRecord(2, { eventTime: at(10) })]);
    const window = { since: iso(at(0)), until: iso(at(30)) };
    await runDetection(store.connection, { detectors, config: config(), ...window });
    // The same window again: nothing new, no count inflation.
    const again = await runDetection(store.connection, { detectors, config: config(), ...window });
    expect(again.outcomes[0]).toMatchObject({ rows: 2, new_findings: 0, updated_findings: 0, alerting: 0 });
    let findings = await listFindings(store.connection);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.count).toBe(2);
    // An overlapping window with one more event updates the same finding.
    await ingest(store, [trailRecord(3, { eventTime: at(40) })]);
    const overlap = await runDetection(store.connection, {
      detectors,
      config: config(),
      since: iso(at(5)),
      until: iso(at(50)),
    });
    expect(overlap.outcomes[0]).toMatchObject({ rows: 2, new_findings: 0, updated_findings: 1 });
    findings = await listFindings(store.connection);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      count: 3,
      first_seen: '2026-03-01T10:00:00.000Z',
      last_seen: '2026-03-01T10:40:00.000Z',
    });
  });

  it('takes last_seen from the evidence events of an aggregated row', async () => {
    const records = [0, 1, 2, 3, 4, 5].map((i) =>
      trailRecord(10 + i, {
        eventTime: at(i),
        eventName: 'DescribeInstances',
        eventSource: 'ec2.amazonaws.com',
      }),
    );
    await ingest(store, records);
    await runDetection(store.connection, {
      detectors: [goodDetector('aws/api-burst')],
      config: config(),
      since: iso(at(0)),
      until: iso(at(30)),
    });
    const [finding] = await listFindings(store.connection);
    expect(finding).toMatchObject({
      count: 6,
      first_seen: '2026-03-01T10:00:00.000Z',
      last_seen: '2026-03-01T10:05:00.000Z',
    });
    expect(finding?.extra).toEqual({ calls: 6 });
  });

  it('applies param overrides from the config', async () => {
    await ingest(
      store,
      [0, 1, 2].map((i) => trailRecord(20 + i, { eventTime: at(i) })),
    );
    const run = (minEvents: number) =>
      runDetection(store.connection, {
        detectors: [goodDetector('aws/api-burst')],
        config: config({ params: { 'aws/api-burst': { min_events: minEvents } } }),
        since: iso(at(0)),
        until: iso(at(30)),
      });
    expect((await run(5)).outcomes[0]?.rows).toBe(0);
    expect((await run(3)).outcomes[0]?.rows).toBe(1);
  });

  it('defaults the window to the last 24 h of data, then to where the last run stopped', async () => {
    await ingest(store, [
      trailRecord(1, { eventTime: '2026-02-27T10:00:00Z' }),
      trailRecord(2, { eventTime: at(0) }),
    ]);
    const now = iso('2026-03-05T00:00:00Z');
    const first = await runDetection(store.connection, {
      detectors: [goodDetector('aws/delete-trail')],
      config: config(),
      now,
    });
    expect(first.outcomes[0]).toMatchObject({
      window_start: '2026-02-28T10:00:00.000Z',
      window_end: '2026-03-05T00:00:00.000Z',
      rows: 1,
    });
    const later = iso('2026-03-06T00:00:00Z');
    const second = await runDetection(store.connection, {
      detectors: [goodDetector('aws/delete-trail')],
      config: config(),
      now: later,
    });
    expect(second.outcomes[0]).toMatchObject({ window_start: '2026-03-05T00:00:00.000Z', rows: 0 });
  });

  it('isolates a failing detector: reported by id with its error, the others still run', async () => {
    await ingest(store, [trailRecord(1, { eventTime: at(0) })]);
    const hostile = loadDetectors(HOSTILE_ROOT).detectors.filter((d) =>
      ['aws/sql-error', 'aws/missing-columns'].includes(d.id),
    );
    const result = await runDetection(store.connection, {
      detectors: [...hostile, goodDetector('aws/delete-trail')],
      config: config(),
      since: iso(at(0)),
      until: iso(at(30)),
    });
    expect(result.status).toBe('partial');
    expect(result.failed).toBe(2);
    const byId = Object.fromEntries(result.outcomes.map((o) => [o.detector, o]));
    expect(byId['aws/sql-error']?.error).toContain('no_such_table');
    expect(byId['aws/missing-columns']?.error).toContain('lacks column(s) account');
    expect(byId['aws/delete-trail']).toMatchObject({ error: null, new_findings: 1 });
    const runs = await detectionRuns();
    expect(runs.map((r) => [r.detector_id, r.error === null])).toEqual([
      ['aws/delete-trail', true],
      ['aws/missing-columns', false],
      ['aws/sql-error', false],
    ]);
  });

  it('records every detector of a run together, each with its own counts', async () => {
    await ingest(store, [
      trailRecord(1, { eventTime: at(0) }),
      trailRecord(2, { eventTime: at(5), eventName: 'StopLogging' }),
      trailRecord(3, { eventTime: at(6) }),
    ]);
    const result = await runDetection(store.connection, {
      detectors: [goodDetector('aws/api-burst'), goodDetector('aws/delete-trail')],
      config: config({ params: { 'aws/api-burst': { min_events: 3 } } }),
      since: iso(at(0)),
      until: iso(at(30)),
    });
    expect(result.outcomes.map((o) => [o.detector, o.rows, o.new_findings, o.error])).toEqual([
      ['aws/api-burst', 1, 1, null],
      ['aws/delete-trail', 3, 1, null],
    ]);
    const findings = await listFindings(store.connection);
    expect(findings.map((f) => [f.detector, f.count, [...f.evidence].sort()]).sort()).toEqual([
      ['aws/api-burst', 3, ['evt-1', 'evt-2', 'evt-3']],
      ['aws/delete-trail', 3, ['evt-1', 'evt-2', 'evt-3']],
    ]);
    expect(await detectionRuns()).toEqual([
      { detector_id: 'aws/api-burst', rows: '1', new_findings: '1', updated_findings: '0', error: null },
      { detector_id: 'aws/delete-trail', rows: '3', new_findings: '1', updated_findings: '0', error: null },
    ]);
  });

  it('records detector by detector when the findings of one cannot be written: that one fails, the others keep theirs', async () => {
    // A write failure injected in the database itself: the findings table refuses one detector's rows.
    const ddl = String(
      (
        await store.connection.runAndReadAll(`select sql from duckdb_tables() where table_name = 'findings'`)
      ).getRows()[0]?.[0],
    );
    await store.connection.run('drop table findings');
    await store.connection.run(ddl.replace(/\);?\s*$/, `, check (detector_id <> 'aws/api-burst'))`));
    await ingest(store, [
      trailRecord(1, { eventTime: at(0) }),
      trailRecord(2, { eventTime: at(5), eventName: 'StopLogging' }),
      trailRecord(3, { eventTime: at(6) }),
    ]);
    const result = await runDetection(store.connection, {
      detectors: [goodDetector('aws/api-burst'), goodDetector('aws/delete-trail')],
      config: config({ params: { 'aws/api-burst': { min_events: 3 } } }),
      since: iso(at(0)),
      until: iso(at(30)),
    });
    expect(result.status).toBe('partial');
    const byId = Object.fromEntries(result.outcomes.map((o) => [o.detector, o]));
    expect(byId['aws/api-burst']?.error).toMatch(/CHECK constraint/i);
    expect(byId['aws/delete-trail']).toMatchObject({ error: null, new_findings: 1 });
    expect((await listFindings(store.connection)).map((f) => f.detector)).toEqual(['aws/delete-trail']);
    expect((await detectionRuns()).map((r) => [r.detector_id, r.error === null])).toEqual([
      ['aws/api-burst', false],
      ['aws/delete-trail', true],
    ]);
  });

  it('writes many findings at once (appended, not bound) with the same values as a few', async () => {
    const user = (n: number) => ({
      type: 'IAMUser',
      arn: `arn:aws:iam::111122223333:user/u${n}`,
      accountId: '111122223333',
      userName: `u${n}`,
    });
    await ingest(
      store,
      Array.from({ length: 120 }, (_, i) =>
        trailRecord(i + 1, { eventTime: at(i % 60), userIdentity: user(i % 60) }),
      ),
    );
    const result = await runDetection(store.connection, {
      detectors: [goodDetector('aws/delete-trail')],
      config: config(),
      since: iso(at(0)),
      until: iso(at(59)),
      now: iso('2026-03-02T00:00:00Z'),
    });
    expect(result.outcomes[0]).toMatchObject({ rows: 118, new_findings: 59, error: null });
    const findings = await listFindings(store.connection);
    expect(findings).toHaveLength(59);
    const u7 = findings.find((f) => f.actor === 'arn:aws:iam::111122223333:user/u7');
    expect(u7).toMatchObject({
      detector: 'aws/delete-trail',
      severity: 'high',
      status: 'open',
      account: '111122223333',
      first_seen: '2026-03-01T10:07:00.000Z',
      last_seen: '2026-03-01T10:07:00.000Z',
      count: 2,
      controls: { 'cis_aws_v4.0.0': ['3.1'], nist_800_53_r5: ['AU-6'] },
    });
    expect(u7?.evidence.sort()).toEqual(['evt-68', 'evt-8']);
    const history = await store.connection.runAndReadAll(
      `select count(*), count(distinct finding_id), min(reason), min(changed_at)::varchar from finding_history`,
    );
    expect(history.getRows()[0]?.map(String)).toEqual([
      '59',
      '59',
      'first detected',
      '2026-03-02 00:00:00+00',
    ]);
  });

  it('runs detectors side by side on several connections with the outcomes and findings of one connection', async () => {
    const records = [
      trailRecord(1, { eventTime: at(0) }),
      trailRecord(2, { eventTime: at(5), eventName: 'StopLogging' }),
      trailRecord(3, { eventTime: at(6) }),
    ];
    const hostile = loadDetectors(HOSTILE_ROOT).detectors.filter((d) =>
      ['aws/sql-error', 'aws/slow'].includes(d.id),
    );
    const detectors = [...hostile, goodDetector('aws/api-burst'), goodDetector('aws/delete-trail')];
    const options = {
      detectors,
      // a param set for one detector must not reach the others, whichever connection they share
      config: config({ params: { 'aws/api-burst': { min_events: 3 } } }),
      since: iso(at(0)),
      until: iso(at(30)),
      now: iso('2026-03-02T00:00:00Z'),
      timeoutMs: 300,
    };
    const judge = async (target: Store, parallel: number) => {
      await ingest(target, records);
      await restrictForDetection(target.connection);
      const result = await runDetection(target.connection, {
        ...options,
        connections: await detectionConnections(target, parallel),
      });
      return {
        outcomes: result.outcomes.map(({ duration_ms: _ms, ...o }) => ({
          ...o,
          error: o.error?.replace(/\d+(\.\d+)?s/, 'Ns') ?? null,
        })),
        findings: (await listFindings(target.connection)).map((f) => [f.id, f.detector, f.count]),
        runs: await target.connection
          .runAndReadAll(
            'select detector_id, rows, new_findings, error is null from detection_runs order by 1',
          )
          .then((r) => r.getRowsJson()),
      };
    };
    const sideBySide = await judge(store, 3);
    const other = await memoryStore();
    try {
      expect(sideBySide).toEqual(await judge(other, 1));
    } finally {
      other.close();
    }
    expect(sideBySide.outcomes.map((o) => [o.detector, o.rows, o.error === null])).toEqual([
      ['aws/slow', 0, false],
      ['aws/sql-error', 0, false],
      ['aws/api-burst', 1, true],
      ['aws/delete-trail', 3, true],
    ]);
    expect(sideBySide.outcomes[0]?.error).toMatch(/timed out/);
    expect(sideBySide.findings.map(([, detector, count]) => [detector, count]).sort()).toEqual([
      ['aws/api-burst', 3],
      ['aws/delete-trail', 3],
    ]);
  });

  it('interrupts a detector that runs past the timeout and goes on', async () => {
    const slow = loadDetectors(HOSTILE_ROOT).detectors.find((d) => d.id === 'aws/slow');
    if (!slow) throw new Error('no slow detector');
    await ingest(store, [trailRecord(1, { eventTime: at(0) })]);
    const result = await runDetection(store.connection, {
      detectors: [slow, goodDetector('aws/delete-trail')],
      config: config(),
      since: iso(at(0)),
      until: iso(at(30)),
      timeoutMs: 300,
    });
    expect(result.outcomes[0]?.error).toMatch(/timed out after 0.3s/);
    expect(result.outcomes[1]).toMatchObject({ detector: 'aws/delete-trail', error: null, rows: 1 });
  });

  it('refuses detectors that would write (COPY, ATTACH, INSTALL, a second statement) and runs the rest', async () => {
    await restrictForDetection(store.connection);
    await ingest(store, [trailRecord(1, { eventTime: at(0) })]);
    const hostile = loadDetectors(HOSTILE_ROOT).detectors.filter((d) =>
      ['aws/copy-out', 'aws/attach', 'aws/install', 'aws/two-statements'].includes(d.id),
    );
    expect(hostile).toHaveLength(4);
    const result = await runDetection(store.connection, {
      detectors: [...hostile, goodDetector('aws/delete-trail')],
      config: config(),
      since: iso(at(0)),
      until: iso(at(30)),
    });
    const errors = Object.fromEntries(result.outcomes.map((o) => [o.detector, o.error]));
    expect(errors['aws/copy-out']).toBe(
      'refused: the statement is COPY, not a SELECT; detectors may only read',
    );
    expect(errors['aws/attach']).toBe(
      'refused: the statement is ATTACH, not a SELECT; detectors may only read',
    );
    expect(errors['aws/install']).toBe(
      'refused: the statement is INSTALL, not a SELECT; detectors may only read',
    );
    expect(errors['aws/two-statements']).toContain('2 SQL statements');
    expect(errors['aws/delete-trail']).toBeNull();
    expect(existsSync('/tmp/auditlake-exfil.csv')).toBe(false);
    const tables = await store.connection.runAndReadAll('select count(*) from events');
    expect(Number(tables.getRows()[0]?.[0])).toBe(1);
  });

  it('refuses hostile SQL even on an unrestricted connection', async () => {
    const hostile = loadDetectors(HOSTILE_ROOT).detectors.filter((d) =>
      ['aws/copy-out', 'aws/attach'].includes(d.id),
    );
    const result = await runDetection(store.connection, {
      detectors: hostile,
      config: config(),
      since: iso(at(0)),
      until: iso(at(1)),
    });
    expect(result.outcomes.every((o) => o.error?.startsWith('refused'))).toBe(true);
    const dbs = await store.connection.runAndReadAll(
      'select count(*) from duckdb_databases() where database_name = $1',
      ['other'],
    );
    expect(Number(dbs.getRows()[0]?.[0])).toBe(0);
  });

  it('reports invalid detector files as failed detectors', async () => {
    const result = await runDetection(store.connection, {
      detectors: [],
      problems: [
        {
          id: 'aws/broken',
          file: 'queries/aws/broken.sql',
          issues: [{ file: 'x', line: 3, key: 'severity', message: 'bad' }],
        },
      ],
      config: config(),
    });
    expect(result.outcomes[0]).toMatchObject({
      detector: 'aws/broken',
      error: 'invalid detector file: line 3: severity: bad',
    });
    expect(result.status).toBe('partial');
  });

  it('loads the test library without problems', () => {
    expect(loadDetectors(GOOD_ROOT).problems).toEqual([]);
  });
});
