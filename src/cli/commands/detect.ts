import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { detectionConnections, restrictForDetection } from '../../detect/detection-connection.js';
import { checkParamOverrides } from '../../detect/detector-params.js';
import {
  type Detector,
  type DetectorProblem,
  defaultQueriesRoot,
  loadDetectors,
} from '../../detect/load-detectors.js';
import { type DetectionResult, runDetection } from '../../detect/run-detection.js';
import { globMatches } from '../../detect/suppressions.js';
import { StoreError, UsageError } from '../../errors.js';
import { openStore, resolveDbPath } from '../../store/open-store.js';
import { storeOptionsFromEnvironment } from '../../store/store-key.js';
import type { CommandResult, GlobalOptions } from '../command.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { chooseFormat, renderDocument, renderRows } from '../output.js';

/** --since/--until: an ISO date or date-time (UTC unless it says otherwise). */
export function parseTime(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const normalized = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const time = Date.parse(normalized);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time)) {
    throw new UsageError(
      `${flag} "${value}" is not a date`,
      'use an ISO date or date-time, e.g. 2026-03-01 or 2026-03-01T06:00:00Z',
    );
  }
  return new Date(time);
}

/** `--since` / `--until` of a command that judges or searches a window; since must come first. */
export function parseWindowFlags(opts: { since?: string | undefined; until?: string | undefined }): {
  since: Date | undefined;
  until: Date | undefined;
} {
  const since = parseTime('--since', opts.since);
  const until = parseTime('--until', opts.until);
  if (since && until && since >= until) throw new UsageError('--since must be before --until');
  return { since, until };
}

/** `--timeout SECONDS` as milliseconds, or undefined when not given. */
export function parseTimeoutFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!(seconds > 0)) throw new UsageError(`--timeout "${value}" is not a positive number of seconds`);
  return seconds * 1000;
}

/** Comma-separated or repeated values. */
export function listOption(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** The detectors (and broken files) the --detector patterns pick; all when none given. */
export function selectDetectors(
  detectors: readonly Detector[],
  problems: readonly DetectorProblem[],
  patterns: readonly string[],
): { detectors: Detector[]; problems: DetectorProblem[] } {
  if (patterns.length === 0) return { detectors: [...detectors], problems: [...problems] };
  const picked = (id: string) => patterns.some((p) => globMatches(p, id));
  for (const p of patterns) {
    if (![...detectors, ...problems].some((d) => globMatches(p, d.id))) {
      throw new UsageError(`no detector matches "${p}"`, 'list them with `auditlake detectors list`');
    }
  }
  return { detectors: detectors.filter((d) => picked(d.id)), problems: problems.filter((p) => picked(p.id)) };
}

export function detectExitCode(result: Pick<DetectionResult, 'alerting' | 'failed'>): ExitCode {
  // New high/critical findings win over a partial run: the alert is what a nightly job must not miss;
  // the failed detectors are in the same summary and in detection_runs.
  if (result.alerting > 0) return EXIT.highFindings;
  if (result.failed > 0) return EXIT.partial;
  return EXIT.ok;
}

interface DetectOptions {
  since?: string;
  until?: string;
  detector?: string[];
  config?: string;
  queries?: string;
  timeout?: string;
  format?: string;
}

export function registerDetect(
  program: Command,
  globals: () => GlobalOptions,
  done: (r: CommandResult) => void,
): void {
  program
    .command('detect')
    .description('run the detectors over a time window and record findings')
    .option(
      '--since <time>',
      "window start (default: where each detector's last run stopped, else 24 h before the newest event)",
    )
    .option('--until <time>', 'window end (default: now)')
    .option('--detector <ids...>', 'only these detector ids (globs allowed, e.g. aws/*)')
    .option('--config <path>', 'config file (default: ./auditlake.yaml when present)')
    .option('--queries <dir>', 'detector folder (default: the queries/ shipped with auditlake)')
    .option('--timeout <seconds>', 'per-detector time limit (default: detection.timeout_seconds, 300)')
    .option('--format <format>', 'summary as table, json, csv or ndjson')
    .addHelpText(
      'after',
      `
Exit codes: 0 clean, 3 new high or critical findings, 4 a detector failed (the others still ran).

Examples:
  auditlake detect
  auditlake detect --since 2026-03-01 --until 2026-03-02 --detector 'aws/*'`,
    )
    .action(async (opts: DetectOptions) => {
      const format = chooseFormat(opts.format, Boolean(process.stdout.isTTY));
      const { since, until } = parseWindowFlags(opts);
      const timeoutMs = parseTimeoutFlag(opts.timeout);
      const loadedConfig = loadConfig({ path: opts.config });
      const library = loadDetectors(opts.queries ?? defaultQueriesRoot());
      checkParamOverrides(
        loadedConfig,
        library.detectors,
        [...library.detectors, ...library.problems].map((d) => d.id),
      );
      const selected = selectDetectors(library.detectors, library.problems, listOption(opts.detector));
      const dbPath = resolveDbPath(globals().db);
      if (dbPath !== ':memory:' && !existsSync(dbPath)) {
        throw new StoreError(`no store at ${dbPath}`, {
          hint: 'ingest first (`auditlake ingest files PATH`), or pass --db',
        });
      }
      const store = await openStore({ path: dbPath, ...storeOptionsFromEnvironment() });
      let result: DetectionResult;
      try {
        await restrictForDetection(store.connection);
        const detection = loadedConfig.config.detection;
        result = await runDetection(store.connection, {
          connections: await detectionConnections(store, detection.parallel),
          detectors: selected.detectors,
          problems: selected.problems,
          config: detection,
          since,
          until,
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
        });
      } finally {
        store.close();
      }
      const rows = result.outcomes.map((o) => ({
        detector: o.detector,
        severity: o.severity,
        rows: o.rows,
        new: o.new_findings,
        updated: o.updated_findings,
        reopened: o.reopened_findings,
        suppressed: o.suppressed_hits,
        error: o.error,
      }));
      const output =
        format === 'csv' || format === 'ndjson'
          ? renderRows(rows, format)
          : renderDocument(result, format, () => {
              const table = rows.length ? renderRows(rows, 'table') : 'no detectors to run\n';
              const summary =
                `run ${result.run_id}: ${result.outcomes.length} detector(s), ${result.failed} failed, ` +
                `${result.alerting} new high/critical finding(s)` +
                (result.alerting > 0
                  ? ' (see `auditlake findings --status open --severity high,critical`)'
                  : '');
              const profile =
                result.profile.slices > 0
                  ? `activity profile: ${result.profile.slices} (source, day) slice(s) rebuilt in ${result.profile.durationMs} ms\n`
                  : '';
              return `${table}${profile}${summary}\n`;
            });
      done({ output, exitCode: detectExitCode(result) });
    });
}
