import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';

let dir: string;
let db: string;
const QUERIES = 'test/fixtures/detect-queries/good';

function cli(
  args: string[],
  env: Record<string, string> = {},
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--db', db, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-detect-cli-'));
  db = join(dir, 'store.duckdb');
  mkdirSync(join(dir, 'in'));
  const records = [
    cloudtrailRecord(1, { eventName: 'StopLogging', eventSource: 'cloudtrail.amazonaws.com' }),
    cloudtrailRecord(2),
    cloudtrailRecord(3),
  ];
  writeFileSync(join(dir, 'in', 'trail.json'), JSON.stringify({ Records: records }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('detect, detectors and findings commands', () => {
  it('detects, lists, acknowledges and filters findings end to end, with the documented exit codes', () => {
    expect(cli(['ingest', 'files', join(dir, 'in'), '--quiet']).code).toBe(0);

    const listed = cli(['detectors', 'list', '--queries', QUERIES, '--format', 'json']);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((d) => d.id)).toEqual([
      'aws/api-burst',
      'aws/delete-trail',
    ]);

    // A new high finding: exit 3, so a nightly job can page on it.
    const window = ['--since', '2026-11-02T00:00:00Z', '--until', '2026-11-03T00:00:00Z'];
    const detect = cli(['detect', '--queries', QUERIES, ...window, '--format', 'json']);
    expect(detect.stderr).toBe('');
    expect(detect.code).toBe(3);
    // The first run builds the activity profile from the ingested batches; a rerun finds it current.
    expect((JSON.parse(detect.stdout) as { profile: { slices: number } }).profile.slices).toBeGreaterThan(0);

    const findings = JSON.parse(cli(['findings', '--format', 'json']).stdout) as Record<string, unknown>[];
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding).toMatchObject({
      detector: 'aws/delete-trail',
      severity: 'high',
      status: 'open',
      actor: 'arn:aws:iam::111122223333:user/alice',
      account: '111122223333',
      count: 1,
      evidence: [cloudtrailRecord(1).eventID],
      controls: { 'cis_aws_v4.0.0': ['3.1'], nist_800_53_r5: ['AU-6'] },
    });

    // Rerunning the same window updates, never duplicates, and no longer alerts.
    const rerun = cli(['detect', '--queries', QUERIES, ...window, '--format', 'json']);
    expect(rerun.code).toBe(0);
    expect((JSON.parse(rerun.stdout) as { profile: { slices: number } }).profile.slices).toBe(0);
    expect(JSON.parse(cli(['findings', '--format', 'json']).stdout)).toHaveLength(1);

    const id = String(finding?.id);
    const ack = cli([
      'findings',
      'ack',
      id.slice(0, 8),
      '--reason',
      'planned trail migration',
      '--by',
      'dana',
    ]);
    expect(ack.code).toBe(0);
    const acknowledged = JSON.parse(
      cli(['findings', '--status', 'acknowledged', '--format', 'json']).stdout,
    ) as Record<string, unknown>[];
    expect(acknowledged).toMatchObject([
      { id, status: 'acknowledged', status_by: 'dana', status_reason: 'planned trail migration' },
    ]);
    expect(JSON.parse(cli(['findings', '--status', 'open', '--format', 'json']).stdout)).toEqual([]);

    const csv = cli(['findings', '--format', 'csv']).stdout.split('\n');
    expect(csv[0]).toContain('detector');
    expect(csv[1]).toContain('aws/delete-trail');
  });

  it('rejects bad usage with exit 2 and a hint', () => {
    const bad = cli(['findings', '--severity', 'urgent']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/urgent/);
    const noStore = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', '--db', join(dir, 'none.duckdb'), 'query', 'select 1'],
      {
        encoding: 'utf8',
      },
    );
    expect(noStore.status).toBe(1);
    expect(noStore.stderr).toMatch(/hint:/);
  });
});
