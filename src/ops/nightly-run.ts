import { hostname } from 'node:os';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LoadedConfig } from '../config/load-config.js';
import { durationMs } from '../config/ops-schema.js';
import type { ConnectorContext } from '../connectors/source-connector.js';
import { detectionConnections, restrictForDetection } from '../detect/detection-connection.js';
import { checkParamOverrides } from '../detect/detector-params.js';
import { listFindings } from '../detect/findings-store.js';
import { defaultQueriesRoot, loadDetectors } from '../detect/load-detectors.js';
import { runDetection } from '../detect/run-detection.js';
import { describeError } from '../errors.js';
import { configPublicKeys } from '../integrity/digest-config.js';
import type { StoredFinding } from '../notify/run-notification.js';
import { type ReportSigningKey, signingKeyFromConfig } from '../report/signing-key.js';
import { ingestMemoryLimit } from '../store/ingest-memory.js';
import { openStore, type Store } from '../store/open-store.js';
import { finishRun, markInterruptedRuns, startRun } from '../store/runs.js';
import { openStagingConnections } from '../store/staging.js';
import { storeOptionsFromEnvironment } from '../store/store-key.js';
import { storeFiles } from '../store/store-owner.js';
import { redact, redactJson } from '../util/redact.js';
import { applyRetention, type RetentionOutcome } from './retention.js';
import { ingestConfiguredSources, type RunSourceResult } from './run-ingest.js';
import { acquireRunLock, lockPathFor, type StaleLock } from './run-lock.js';
import { checkScheduledReports, type RunReportResult, writeScheduledReports } from './run-reports.js';

/**
 * `auditlake run`: the nightly job. Under the run lock, with the store open once for writing: ingest
 * every configured source, run every detector over its new window, apply retention, write the
 * configured reports, and record it all as one row of `runs` (command `run`; detection keeps its own
 * `detect` row, linked from this one's details).
 */

export type RunOutcomeStatus = 'ok' | 'partial' | 'failed';

/** A finding that is new (or reopened) in this run. */
export type RunFinding = StoredFinding;

/** What `auditlake run --json` prints and the run's `details` record (docs/operations.md). */
export interface RunSummary {
  /** The run's row in `runs`; null when it failed before it could be recorded. */
  run_id: number | null;
  status: RunOutcomeStatus;
  exit_code: number;
  started_at: string;
  finished_at: string;
  duration_s: number;
  host: string;
  store: string;
  config: string | null;
  /** AUDITLAKE__* variables that overrode the config file. */
  overrides: string[];
  lock: { path: string; waited_s: number; took_over: StaleLock | null };
  /** Runs found still `running` from a process that died, now marked interrupted. */
  interrupted_runs: number[];
  ingest: {
    events_new: number;
    events_duplicate: number;
    errors: number;
    sources: RunSourceResult[];
  };
  detection: {
    run_id: number | null;
    detectors_run: number;
    detectors_failed: number;
    failed: { detector: string; error: string }[];
    /** New or reopened open findings of high or critical severity. */
    alerting: number;
  };
  new_findings: RunFinding[];
  reports: RunReportResult[];
  retention: RetentionOutcome | null;
  /** One line for each thing that made the run partial or failed. */
  problems: string[];
  /** Why the run failed, when it did. */
  error: string | null;
}

export interface NightlyRunOptions {
  dbPath: string;
  loaded: LoadedConfig;
  /** Seconds to wait for another run's lock: 0 fails at once, Infinity waits for ever. */
  waitSeconds: number;
  /** The day report periods are relative to (default: today, UTC). */
  reportDate?: Date | undefined;
  /** Info lines on stderr (warnings such as a lock takeover are always written). */
  quiet: boolean;
  queriesRoot?: string | undefined;
  /** Where log lines go (default: stderr, one JSON object per line). */
  log?: (level: 'info' | 'warn', event: string, fields: Record<string, unknown>) => void;
  signal?: AbortSignal;
}

function stderrLog(quiet: boolean): NonNullable<NightlyRunOptions['log']> {
  return (level, event, fields) => {
    if (quiet && level === 'info') return;
    process.stderr.write(`${redactJson({ level, event, ...fields })}\n`);
  };
}

/** Exit code of a finished run (README): new high/critical findings win, as in `auditlake detect`. */
export function runExitCode(summary: Pick<RunSummary, 'status' | 'detection'>): number {
  if (summary.status === 'failed') return 1;
  if (summary.detection.alerting > 0) return 3;
  if (summary.status === 'partial') return 4;
  return 0;
}

/** What makes a run partial: failed sources, unreadable records, failed detectors, reports, retention. */
export function runProblems(
  summary: Pick<RunSummary, 'ingest' | 'detection' | 'reports' | 'retention'>,
): string[] {
  const problems: string[] = [];
  for (const s of summary.ingest.sources) {
    if (s.status === 'failed') problems.push(`source failed: ${s.error ?? `${s.source} ${s.name}`}`);
    else if (s.errors > 0) {
      problems.push(
        `source ${s.source} ${s.name}: ${s.errors} record(s) could not be read (see ingest_errors)`,
      );
    }
  }
  for (const d of summary.detection.failed) problems.push(`detector failed: ${d.detector}: ${d.error}`);
  for (const r of summary.reports) {
    if (r.error) problems.push(`report failed: ${r.framework} ${r.period}: ${r.error}`);
    else if (r.integrity === 'broken')
      problems.push(
        `hash chain broken: ${r.framework} ${r.period} report (${r.from} to ${r.to}); run auditlake verify`,
      );
  }
  if (summary.retention?.error) problems.push(`retention failed: ${summary.retention.error}`);
  return problems;
}

/** Findings this detection run created or reopened (finding_history rows of the run turning open). */
async function newFindingsOf(connection: DuckDBConnection, detectRunId: number): Promise<RunFinding[]> {
  const reader = await connection.runAndReadAll(
    `select distinct finding_id
from finding_history
where run_id = $1
  and to_status = 'open'`,
    [detectRunId],
  );
  const ids = new Set(reader.getRows().map(([id]) => String(id)));
  if (ids.size === 0) return [];
  return (await listFindings(connection, { status: ['open'] }))
    .filter((f) => ids.has(f.id))
    .map((f) => ({
      id: f.id,
      detector: f.detector,
      severity: f.severity,
      title: f.title,
      summary: f.summary,
      actor: f.actor,
      account: f.account,
      first_seen: f.first_seen,
    }));
}

function emptySummary(options: NightlyRunOptions, started: Date, lockPath: string): RunSummary {
  return {
    run_id: null,
    status: 'ok',
    exit_code: 0,
    started_at: started.toISOString(),
    finished_at: started.toISOString(),
    duration_s: 0,
    host: hostname(),
    store: options.dbPath,
    config: options.loaded.file,
    overrides: [...(options.loaded.overrides ?? [])],
    lock: { path: lockPath, waited_s: 0, took_over: null },
    interrupted_runs: [],
    ingest: { events_new: 0, events_duplicate: 0, errors: 0, sources: [] },
    detection: { run_id: null, detectors_run: 0, detectors_failed: 0, failed: [], alerting: 0 },
    new_findings: [],
    reports: [],
    retention: null,
    problems: [],
    error: null,
  };
}

/**
 * Runs the nightly job. Throws for what stops it before it starts (bad config, the lock held by a
 * live run); once the lock is held, a failure is recorded and returned as a failed summary, so the
 * caller still prints it and notifies.
 */
export async function runNightly(options: NightlyRunOptions): Promise<RunSummary> {
  const log = options.log ?? stderrLog(options.quiet);
  const { config } = options.loaded;
  // Checked before taking the lock: a config mistake is reported with its line, at once.
  const library = loadDetectors(options.queriesRoot ?? defaultQueriesRoot());
  checkParamOverrides(
    options.loaded,
    library.detectors,
    [...library.detectors, ...library.problems].map((d) => d.id),
  );
  checkScheduledReports(options.loaded);
  // Like `auditlake report`: a configured key that cannot be read stops the run, never an unsigned report.
  const signingKey = config.reports.length > 0 ? signingKeyFromConfig(options.loaded) : null;
  const storeKey = storeOptionsFromEnvironment({ configPath: options.loaded.file ?? undefined });

  const lockPath = lockPathFor(options.dbPath);
  const lock = await acquireRunLock({
    path: lockPath,
    command: 'auditlake run',
    staleAfterMs: durationMs(config.run.lock_stale_after),
    waitMs: options.waitSeconds * 1000,
    signal: options.signal,
    // A warning: an overlap means the previous run is running late, which an operator wants to know.
    onWait: (holder) =>
      log('warn', 'run.lock.waiting', {
        lock: lockPath,
        holder_pid: holder?.pid ?? null,
        holder_host: holder?.host ?? null,
        holder_since: holder?.started_at ?? null,
        wait_seconds: Number.isFinite(options.waitSeconds) ? options.waitSeconds : 'unlimited',
      }),
    onTakeover: (stale) =>
      log('warn', 'run.lock.takeover', {
        lock: lockPath,
        reason: stale.reason,
        holder_pid: stale.holder?.pid ?? null,
        holder_host: stale.holder?.host ?? null,
        holder_since: stale.holder?.started_at ?? null,
        refreshed_at: stale.refreshed_at,
      }),
  });
  const started = new Date();
  const summary = emptySummary(options, started, lockPath);
  summary.lock = { path: lockPath, waited_s: Math.round(lock.waitedMs / 100) / 10, took_over: lock.tookOver };
  let store: Store | null = null;
  try {
    store = await openStore({
      path: options.dbPath,
      memoryLimit: ingestMemoryLimit(),
      ...storeKey,
      // Another process (an analyst's query shell) may hold the store: wait as for the lock.
      waitSeconds: options.waitSeconds,
    });
    summary.store = store.path;
    const c = store.connection;
    summary.interrupted_runs = await markInterruptedRuns(c);
    if (summary.interrupted_runs.length > 0) {
      log('warn', 'run.interrupted_runs', { runs: summary.interrupted_runs.join(', ') });
    }
    const runId = await startRun(c, 'run');
    summary.run_id = runId;
    log('info', 'run.start', { run_id: runId, store: store.path, config: options.loaded.file });
    const files = { read: 0, skipped: 0 };
    try {
      await runSteps(
        store,
        runId,
        options,
        { library, signingKey },
        summary,
        log,
        files,
        await openStagingConnections(store),
      );
      summary.problems = runProblems(summary);
      const ingestFailed =
        summary.ingest.sources.length > 0 && summary.ingest.sources.every((s) => s.status === 'failed');
      summary.status = ingestFailed ? 'failed' : summary.problems.length > 0 ? 'partial' : 'ok';
      if (ingestFailed) summary.error = 'every source failed';
    } catch (error) {
      summary.status = 'failed';
      summary.error = redact(describeError(error).split('\n')[0] ?? 'failed');
      summary.problems = [...runProblems(summary), `run failed: ${summary.error}`];
    }
    finalize(summary, started);
    await finishRun(
      c,
      runId,
      summary.status,
      {
        events_read: summary.ingest.sources.reduce((n, s) => n + s.records, 0),
        events_new: summary.ingest.events_new,
        events_duplicate: summary.ingest.events_duplicate,
        errors: summary.ingest.errors,
        files_read: files.read,
        files_skipped: files.skipped,
      },
      summary,
    );
  } catch (error) {
    // The store could not be opened or the run not recorded: still a summary to print and send.
    summary.status = 'failed';
    summary.error = redact(describeError(error).split('\n')[0] ?? 'failed');
    summary.problems = [...summary.problems, `run failed: ${summary.error}`];
    finalize(summary, started);
  } finally {
    store?.close();
    lock.release();
  }
  log(summary.status === 'ok' ? 'info' : 'warn', 'run.finish', {
    run_id: summary.run_id,
    status: summary.status,
    exit_code: summary.exit_code,
    duration_s: summary.duration_s,
  });
  return summary;
}

function finalize(summary: RunSummary, started: Date): void {
  const finished = new Date();
  summary.finished_at = finished.toISOString();
  summary.duration_s = Math.round((finished.getTime() - started.getTime()) / 100) / 10;
  summary.exit_code = runExitCode(summary);
}

async function runSteps(
  store: Store,
  runId: number,
  options: NightlyRunOptions,
  { library, signingKey }: { library: ReturnType<typeof loadDetectors>; signingKey: ReportSigningKey | null },
  summary: RunSummary,
  log: NonNullable<NightlyRunOptions['log']>,
  files: { read: number; skipped: number },
  staging: readonly DuckDBConnection[],
): Promise<void> {
  const c = store.connection;
  const { config } = options.loaded;
  const context: ConnectorContext = {
    now: () => new Date(),
    log: (event, fields) => log('info', event, fields),
  };
  const ingest = await ingestConfiguredSources(c, runId, config.sources, {
    configFile: options.loaded.file,
    exclude: storeFiles(store.path),
    cloudtrailPublicKeys: configPublicKeys(options.loaded),
    context,
    staging,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  // Stopped (SIGTERM from a scheduler, Ctrl-C): what was committed stays, the rest is skipped and the
  // run is recorded as failed; the next run resumes from the checkpoints.
  options.signal?.throwIfAborted();
  files.read = ingest.files_read;
  files.skipped = ingest.files_skipped;
  summary.ingest = {
    events_new: ingest.sources.reduce((n, s) => n + s.events_new, 0),
    events_duplicate: ingest.sources.reduce((n, s) => n + s.events_duplicate, 0),
    errors: ingest.sources.reduce((n, s) => n + s.errors, 0),
    sources: ingest.sources,
  };
  log('info', 'run.ingested', { events_new: summary.ingest.events_new, errors: summary.ingest.errors });

  // Irreversible for this instance (no file or network access from SQL): ingest is done by now.
  await restrictForDetection(c);
  const now = new Date();
  const detection = await runDetection(c, {
    connections: await detectionConnections(store, config.detection.parallel),
    detectors: library.detectors,
    problems: library.problems,
    config: config.detection,
    now,
  });
  const failed = detection.outcomes
    .filter((o) => o.error !== null)
    .map((o) => ({ detector: o.detector, error: o.error ?? '' }));
  summary.detection = {
    run_id: detection.run_id,
    detectors_run: detection.outcomes.length,
    detectors_failed: failed.length,
    failed,
    alerting: detection.alerting,
  };
  summary.new_findings = await newFindingsOf(c, detection.run_id);
  options.signal?.throwIfAborted();
  log('info', 'run.detected', {
    detectors: detection.outcomes.length,
    failed: failed.length,
    new_findings: summary.new_findings.length,
  });

  // Retention before the reports, so a report describes the store as this run leaves it.
  summary.retention = await applyRetention(c, config.retention, now);
  if (summary.retention.events_deleted > 0) {
    log('info', 'run.retention', {
      cutoff: summary.retention.cutoff,
      events_deleted: summary.retention.events_deleted,
    });
  }
  summary.reports = await writeScheduledReports(c, config.reports, {
    runId,
    runDay: options.reportDate ?? now,
    generatedAt: now,
    report: config.report,
    retention: config.retention,
    signingKey,
  });
}
