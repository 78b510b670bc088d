import { existsSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { StoreError } from '../../errors.js';
import { openStore, resolveDbPath } from '../../store/open-store.js';
import { listRuns, type RunRecord } from '../../store/runs.js';
import { storeOptionsFromEnvironment } from '../../store/store-key.js';
import type { CommandResult, GlobalOptions } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { chooseFormat, type Row, renderRows } from '../output.js';

interface RunsOptions {
  limit: number;
  command?: string;
  json?: boolean;
  format?: string;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

/** A `run` row's details (the run summary), read defensively: older rows or other commands differ. */
function runDetails(details: unknown): {
  new_findings: number | null;
  alerting: number | null;
  reports: number | null;
  problems: string[];
} {
  const d = (details ?? {}) as Record<string, unknown>;
  const detection = (d.detection ?? {}) as Record<string, unknown>;
  return {
    new_findings: Array.isArray(d.new_findings) ? d.new_findings.length : null,
    alerting: typeof detection.alerting === 'number' ? detection.alerting : null,
    reports: Array.isArray(d.reports)
      ? (d.reports as { files?: unknown[] }[]).reduce((n, r) => n + (r.files?.length ?? 0), 0)
      : null,
    problems: Array.isArray(d.problems) ? d.problems.map(String) : [],
  };
}

/** The table row: counts, duration and status; the full details stay in the JSON form. */
function tableRow(r: RunRecord): Row {
  const extra = runDetails(r.details);
  return {
    run: r.run_id,
    command: r.command,
    started: r.started_at.replace(/\.\d+Z$/, 'Z'),
    seconds: r.duration_s,
    status: r.status,
    new_events: r.events_new,
    duplicates: r.events_duplicate,
    errors: r.errors,
    new_findings: extra.new_findings,
    high_critical: extra.alerting,
    report_files: extra.reports,
    problem: extra.problems[0] ?? null,
  };
}

export function registerRuns(
  program: Command,
  globals: () => GlobalOptions,
  done: (r: CommandResult) => void,
): void {
  program
    .command('runs')
    .description('list past runs (auditlake run, ingest, detect, demo) with counts, durations and status')
    .option('--limit <n>', 'how many, newest first', positiveInt, 20)
    .option('--command <name>', 'only runs of this command, e.g. run or detect')
    .option('--json', 'JSON with each run’s full details (same as --format json)')
    .option('--format <format>', 'table, json, csv or ndjson')
    .addHelpText(
      'after',
      `
Examples:
  auditlake runs
  auditlake runs --command run --limit 7 --json`,
    )
    .action(async (opts: RunsOptions) => {
      const format = opts.json ? 'json' : chooseFormat(opts.format, Boolean(process.stdout.isTTY));
      const dbPath = resolveDbPath(globals().db);
      if (dbPath !== ':memory:' && !existsSync(dbPath)) {
        throw new StoreError(`no store at ${dbPath}`, {
          hint: 'run `auditlake run` (or `npm start`) first, or pass --db',
        });
      }
      const store = await openStore({ path: dbPath, readOnly: true, ...storeOptionsFromEnvironment() });
      let runs: RunRecord[];
      try {
        runs = await listRuns(store.connection, { limit: opts.limit, command: opts.command });
      } finally {
        store.close();
      }
      const rows: Row[] =
        format === 'json' || format === 'ndjson' ? runs.map((r) => ({ ...r })) : runs.map(tableRow);
      done({ output: renderRows(rows, format), exitCode: EXIT.ok });
    });
}
