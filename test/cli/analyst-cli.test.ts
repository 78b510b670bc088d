import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandResult, GlobalOptions } from '../../src/cli/command.js';
import { registerExport } from '../../src/cli/commands/export.js';
import { registerHunt } from '../../src/cli/commands/hunt.js';
import { AuditlakeError } from '../../src/errors.js';
import { openStore } from '../../src/store/open-store.js';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';
import { storeWithRecords } from '../helpers/store-with-records.js';

let dir: string;
let db: string;
const ALICE = 'arn:aws:iam::111122223333:user/alice';

/** The built CLI, end to end (exit codes and stderr as a nightly job or a person sees them). */
function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--db', db, ...args], {
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Register = (program: Command, globals: () => GlobalOptions, done: (r: CommandResult) => void) => void;

/** One command parsed in-process, as main() does, without a process per case. */
async function command(register: Register, args: string[]): Promise<CommandResult> {
  const program = new Command().option('--db <path>').exitOverride();
  let result: CommandResult | undefined;
  register(
    program,
    () => program.opts<GlobalOptions>(),
    (r) => {
      result = r;
    },
  );
  await program.parseAsync(['--db', db, ...args], { from: 'user' });
  if (!result) throw new Error('the command returned nothing');
  return result;
}

async function usageError(register: Register, args: string[]): Promise<string> {
  const error = await command(register, args).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuditlakeError);
  expect((error as AuditlakeError).code).toBe('usage');
  return `${(error as AuditlakeError).message}\n${(error as AuditlakeError).hint ?? ''}`;
}

async function eventCount(): Promise<number> {
  const store = await openStore({ path: db, readOnly: true });
  try {
    const reader = await store.connection.runAndReadAll('select count(*)::int from events');
    return Number(reader.getRows()[0]?.[0]);
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-analyst-cli-'));
  db = join(dir, 'store.duckdb');
  const records = [1, 2, 3].map((n) =>
    cloudtrailRecord(n, n === 3 ? { sourceIPAddress: '203.0.113.9' } : {}),
  );
  (await storeWithRecords(db, records)).close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hunt and export commands', () => {
  it('lists hunts and runs one by name, in CSV and JSON', async () => {
    const list = await command(registerHunt, ['hunt', '--list', '--format', 'json']);
    const hunts = JSON.parse(list.output) as { id: string; params: Record<string, { type: string }> }[];
    expect(hunts.find((h) => h.id === 'principal-activity')?.params.principal?.type).toBe('string');
    const table = await command(registerHunt, ['hunt', '--list', '--format', 'table']);
    expect(table.output).toMatch(/^id\s+title\s+params\s+window\s+sources/);
    expect(table.output).toContain('principal:string max_rows:integer=1000');

    const csv = await command(registerHunt, [
      'hunt',
      'ip-activity',
      '--param',
      'ip=203.0.113.9',
      '--format',
      'csv',
    ]);
    const [header, row, ...rest] = csv.output.trim().split('\n');
    expect(header).toBe(
      'event_time,source,account,source_ip,actor,actor_type,action,outcome,error_code,user_agent,resources,event_id',
    );
    expect(row).toContain(String(cloudtrailRecord(3).eventID));
    expect(row).toContain('2026-11-02T10:00:03.000Z');
    expect(rest).toEqual([]);

    const json = await command(registerHunt, [
      'hunt',
      'principal-activity',
      '--param',
      `principal=${ALICE}`,
      '--since',
      '2026-11-02',
      '--until',
      '2026-11-02T10:00:02Z',
      '--format',
      'json',
    ]);
    expect((JSON.parse(json.output) as { event_id: string }[]).map((r) => r.event_id)).toEqual(
      [1].map((n) => String(cloudtrailRecord(n).eventID)),
    );
  });

  it('says what a hunt needs: missing, unknown and mistyped params are usage errors', async () => {
    const missing = await usageError(registerHunt, ['hunt', 'principal-activity']);
    expect(missing).toContain('needs --param principal=');
    expect(missing).toContain('principal (string, required)');
    expect(
      await usageError(registerHunt, [
        'hunt',
        'principal-activity',
        '--param',
        'principal=x',
        '--param',
        'limit=5',
      ]),
    ).toContain('has no param "limit"');
    expect(
      await usageError(registerHunt, [
        'hunt',
        'principal-activity',
        '--param',
        'principal=x',
        '--param',
        'max_rows=ten',
      ]),
    ).toContain('"ten" is not an integer');
    expect(await usageError(registerHunt, ['hunt', 'principal-activity', '--param', 'principal'])).toContain(
      'is not name=value',
    );
    expect(await usageError(registerHunt, ['hunt', 'no-such-hunt'])).toContain('no hunt "no-such-hunt"');
  });

  it('exports with a guarded --where and refuses a smuggled statement', async () => {
    const out = join(dir, 'alice.csv');
    const ok = await command(registerExport, [
      'export',
      '--format',
      'csv',
      '--out',
      out,
      '--where',
      "actor like '%alice'",
      '--json',
    ]);
    expect(JSON.parse(ok.output)).toMatchObject({ format: 'csv', rows: 3 });
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(4);
    expect(
      await usageError(registerExport, ['export', '--format', 'xlsx', '--out', join(dir, 'x.xlsx')]),
    ).toContain('unknown export format');
    expect(
      await usageError(registerExport, [
        'export',
        '--format',
        'csv',
        '--out',
        join(dir, 'x.csv'),
        '--where',
        '1=1; drop table events',
      ]),
    ).toContain('refused --where');
    expect(await eventCount()).toBe(3);
  });

  it('end to end: a hostile hunt param is data (exit 0, no rows), a smuggled --where exits 2', () => {
    const hostile = cli([
      'hunt',
      'ip-activity',
      '--param',
      "ip=x'; drop table events; --",
      '--format',
      'json',
    ]);
    expect(hostile.stderr).toBe('');
    expect(hostile.code).toBe(0);
    expect(JSON.parse(hostile.stdout)).toEqual([]);
    const refused = cli([
      'export',
      '--format',
      'csv',
      '--out',
      join(dir, 'y.csv'),
      '--where',
      'true; drop table events',
    ]);
    expect(refused.stderr).toContain('refused --where');
    expect(refused.code).toBe(2);
  });
});
