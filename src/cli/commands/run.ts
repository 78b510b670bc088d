import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { UsageError } from '../../errors.js';
import type { NotificationResult } from '../../notify/notify.js';
import { type RunSummary, runNightly } from '../../ops/nightly-run.js';
import { notifyRun } from '../../ops/notify-run.js';
import { resolveDbPath } from '../../store/open-store.js';
import { redactJson } from '../../util/redact.js';
import type { CommandResult, GlobalOptions } from '../command.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { chooseFormat, renderDocument } from '../output.js';
import { parseTime } from './detect.js';

interface RunCliOptions {
  config?: string;
  wait?: string | boolean;
  reportDate?: string;
  queries?: string;
  json?: boolean;
  format?: string;
  quiet?: boolean;
}

/** What `auditlake run --json` prints: the run summary plus how its notifications went. */
export type RunOutput = RunSummary & { notifications: NotificationResult[] };

/** --wait: absent 0 (fail at once), bare for ever, else seconds. */
export function parseWait(value: string | boolean | undefined): number {
  if (value === undefined || value === false) return 0;
  if (value === true) return Number.POSITIVE_INFINITY;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(
      `--wait "${value}" is not a number of seconds`,
      'e.g. --wait 600, or --wait alone to wait for ever',
    );
  }
  return seconds;
}

function toExitCode(code: number): ExitCode {
  return (Object.values(EXIT) as number[]).includes(code) ? (code as ExitCode) : EXIT.failed;
}

const MAX_FINDINGS_SHOWN = 10;

/** One screen: what was read, found, written and pruned, and what went wrong. */
export function runSummaryText(r: RunOutput): string {
  const lines: string[] = [];
  lines.push(
    `auditlake run${r.run_id === null ? '' : ` ${r.run_id}`}: ${r.status} (exit ${r.exit_code}) in ${r.duration_s} s; store ${r.store}`,
  );
  if (r.lock.took_over) {
    const h = r.lock.took_over.holder;
    lines.push(
      `lock: took over a stale lock${h ? ` of pid ${h.pid} on ${h.host} (since ${h.started_at})` : ''}: ${r.lock.took_over.reason}`,
    );
  } else if (r.lock.waited_s > 0) lines.push(`lock: waited ${r.lock.waited_s} s for another run`);
  if (r.interrupted_runs.length)
    lines.push(`earlier runs marked interrupted: ${r.interrupted_runs.join(', ')}`);
  if (r.overrides.length) lines.push(`config overridden by: ${r.overrides.join(', ')}`);
  lines.push('');
  if (r.ingest.sources.length === 0) lines.push('sources: none configured (auditlake.yaml sources:)');
  else {
    lines.push(
      `ingest: ${r.ingest.events_new} new events, ${r.ingest.events_duplicate} already stored, ${r.ingest.errors} unreadable`,
    );
    for (const s of r.ingest.sources) {
      const counts = `${s.events_new} new, ${s.events_duplicate} dup, ${s.errors} unreadable`;
      lines.push(`  ${s.status === 'ok' ? 'ok    ' : 'FAILED'} ${s.source} ${s.name}: ${s.error ?? counts}`);
    }
  }
  const d = r.detection;
  lines.push(
    `detection: ${d.detectors_run} detectors, ${d.detectors_failed} failed; ${r.new_findings.length} new finding(s), ${d.alerting} high/critical`,
  );
  for (const f of r.new_findings.slice(0, MAX_FINDINGS_SHOWN)) {
    lines.push(`  ${f.severity.padEnd(8)} ${f.id}  ${f.detector}: ${f.summary ?? f.title}`);
  }
  if (r.new_findings.length > MAX_FINDINGS_SHOWN) {
    lines.push(`  ... ${r.new_findings.length - MAX_FINDINGS_SHOWN} more: auditlake findings --status open`);
  }
  if (r.reports.length) {
    lines.push('reports:');
    for (const rep of r.reports) {
      const what = `${rep.framework} ${rep.period} (${rep.from} to ${rep.to})`;
      lines.push(`  ${what}: ${rep.error ? `FAILED: ${rep.error}` : rep.files.join(', ')}`);
    }
  }
  if (r.retention) {
    const t = r.retention;
    lines.push(
      t.policy === 'forever'
        ? 'retention: events kept for ever (retention.events)'
        : t.error
          ? `retention ${t.policy}: FAILED: ${t.error}`
          : `retention ${t.policy}: events before ${t.cutoff} pruned; ${t.events_deleted} deleted this run`,
    );
  }
  for (const n of r.notifications) {
    const state = n.skipped ? 'not needed' : n.ok ? 'sent' : `FAILED: ${n.error ?? 'unknown error'}`;
    lines.push(`notification ${n.kind} ${n.target}: ${state}`);
  }
  if (r.problems.length) {
    lines.push('problems:');
    for (const p of r.problems) lines.push(`  - ${p}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerRun(
  program: Command,
  globals: () => GlobalOptions,
  done: (r: CommandResult) => void,
): void {
  program
    .command('run')
    .description(
      'the nightly job: ingest every configured source, detect, write the configured reports, apply retention, record and notify',
    )
    .option('--config <path>', 'config file (default: ./auditlake.yaml when present)')
    .option('--wait [seconds]', 'when another run holds the lock, wait for it (bare: without limit)')
    .option('--report-date <date>', 'the day report periods are relative to (default: today, UTC)')
    .option('--queries <dir>', 'detector folder (default: the queries/ shipped with auditlake)')
    .option('--json', 'print the summary as JSON (same as --format json)')
    .option('--format <format>', 'summary as table (text) or json')
    .option('-q, --quiet', 'no progress lines on stderr (warnings still)')
    .addHelpText(
      'after',
      `
Exit codes: 0 clean, 1 failed (or the lock is held and --wait ran out), 3 new high or critical
findings, 4 partial (a source, detector, report or retention step failed, or records could not be
read: the summary names them).

Examples:
  auditlake run
  auditlake run --config /etc/auditlake/auditlake.yaml --wait 600 --json`,
    )
    .action(async (opts: RunCliOptions) => {
      const format = opts.json ? 'json' : chooseFormat(opts.format, true);
      const waitSeconds = parseWait(opts.wait);
      const reportDate = parseTime('--report-date', opts.reportDate);
      const loaded = loadConfig({ path: opts.config });
      const quiet = Boolean(opts.quiet) || format !== 'table';
      // The first SIGTERM/SIGINT stops the run at the next step boundary, recorded as failed with
      // its lock released; a second one kills at once (the listeners are gone by then).
      const controller = new AbortController();
      const stop = (signal: NodeJS.Signals) => controller.abort(new Error(`interrupted by ${signal}`));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      let summary: RunSummary;
      try {
        summary = await runNightly({
          dbPath: resolveDbPath(globals().db),
          loaded,
          waitSeconds,
          reportDate,
          quiet,
          queriesRoot: opts.queries,
          signal: controller.signal,
        });
      } finally {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
      }
      const notifications = await notifyRun(summary, loaded.config.notifications, (event, fields) => {
        if (!quiet) process.stderr.write(`${redactJson({ level: 'info', event, ...fields })}\n`);
      });
      for (const n of notifications.filter((x) => !x.ok)) {
        process.stderr.write(
          `${redactJson({ level: 'warn', event: 'run.notification_failed', kind: n.kind, target: n.target, error: n.error })}\n`,
        );
      }
      const output: RunOutput = { ...summary, notifications };
      done({
        output: renderDocument(output, format, () => runSummaryText(output)),
        exitCode: toExitCode(summary.exit_code),
      });
    });
}
