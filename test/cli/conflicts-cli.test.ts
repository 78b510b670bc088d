import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conflictsLine } from '../../src/cli/commands/ingest-files.js';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';

/** Duplicate ids with different content, as the ingest summary and `auditlake verify` show them. */
let dir: string;

function cli(db: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--db', db, ...args], {
    encoding: 'utf8',
    env: { ...process.env, AUDITLAKE_DB_KEY: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-conflicts-cli-'));
  mkdirSync(join(dir, 'in'));
  const records = [
    cloudtrailRecord(1),
    cloudtrailRecord(1, { userIdentity: { type: 'Root', arn: 'arn:aws:iam::111122223333:root' } }),
    cloudtrailRecord(2),
  ];
  writeFileSync(join(dir, 'in', 'a.ndjson'), records.map((r) => JSON.stringify(r)).join('\n'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('conflicting duplicates on the command line', () => {
  it('the ingest summary counts them; verify reports them and stays at exit 0 (the chain is intact)', () => {
    const db = join(dir, 'store.duckdb');
    const ingest = cli(db, ['ingest', 'files', join(dir, 'in'), '--format', 'json']);
    expect(ingest.code).toBe(0);
    const result = JSON.parse(ingest.stdout) as { run_id: number; summary: Record<string, number> };
    expect(result.summary).toMatchObject({ events_new: 2, events_duplicate: 1, events_conflicting: 1 });

    const verify = cli(db, ['verify', '--format', 'table']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('chain intact');
    expect(verify.stdout).toMatch(
      /conflicting duplicates: 1 copy of 1 event id differed from the stored event \(last \d{4}-\d\d-\d\dT/,
    );
    expect(verify.stdout).toContain('select * from event_conflicts');
  });

  it('the summary line', () => {
    expect(conflictsLine(0, 7)).toBe('conflicts: none (no duplicate id with different content)');
    expect(conflictsLine(2, 7)).toContain(
      'conflicts: 2 duplicate event id(s) with different content; the first copy was kept',
    );
    expect(conflictsLine(2, 7)).toContain('where run_id = 7');
  });
});
