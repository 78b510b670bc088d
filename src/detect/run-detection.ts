import type { DuckDBConnection } from '@duckdb/node-api';
import type { DetectionConfig } from '../config/config-schema.js';
import { describeError } from '../errors.js';
import { finishRun, startRun } from '../store/runs.js';
import { timePhase } from '../util/phase-timings.js';
import { type ProfileRefresh, refreshActivityProfile } from './activity-profile.js';
import { DetectorError } from './detector-error.js';
import { resolveParams } from './detector-params.js';
import {
  type DetectorCounts,
  type DetectorResultInput,
  insertDetectionRun,
  lastWindowEnds,
  recordDetectorResult,
  recordDetectorResults,
} from './findings-store.js';
import { groupByFingerprint } from './fingerprint.js';
import type { Detector, DetectorProblem } from './load-detectors.js';
import { plainValue } from './plain-value.js';
import { type DetectionWindow, runDetector } from './run-detector.js';
import { type AppliedSuppression, suppressionForRows } from './suppressions.js';

const DAY_MS = 86_400_000;

export interface DetectionOptions {
  readonly detectors: readonly Detector[];
  /** Files that did not load: reported as failed detectors, so a broken file is not silently skipped. */
  readonly problems?: readonly DetectorProblem[];
  readonly config: DetectionConfig;
  readonly since?: Date | undefined;
  readonly until?: Date | undefined;
  /** The clock, for tests (suppression expiry, default window end). */
  readonly now?: Date;
  /** Overrides config.timeout_seconds. */
  readonly timeoutMs?: number;
  /**
   * Connections to the same store that detector queries run on, side by side (detectionConnections);
   * default: the one connection. Findings are always recorded on `connection`.
   */
  readonly connections?: readonly DuckDBConnection[];
}

export interface DetectorOutcome extends DetectorCounts {
  readonly detector: string;
  readonly severity: string | null;
  readonly window_start: string | null;
  readonly window_end: string | null;
  readonly duration_ms: number;
  readonly error: string | null;
}

export interface DetectionResult {
  readonly run_id: number;
  readonly status: 'ok' | 'partial';
  readonly outcomes: DetectorOutcome[];
  /** New or reopened open findings of high or critical severity. */
  readonly alerting: number;
  readonly failed: number;
  /** What the activity profile refresh before the detectors rebuilt. */
  readonly profile: ProfileRefresh;
  /** Wall-clock milliseconds of the detector queries (side by side) and of recording their results. */
  readonly queries_ms: number;
  readonly record_ms: number;
}

const ZERO: DetectorCounts = {
  rows: 0,
  new_findings: 0,
  updated_findings: 0,
  reopened_findings: 0,
  suppressed_hits: 0,
  alerting: 0,
};

/** True when events exist but were never profiled (written behind the batch writer). */
async function profileIsEmpty(connection: DuckDBConnection): Promise<boolean> {
  const reader = await connection.runAndReadAll('select count(*) = 0 from activity_day_state');
  return reader.getRows()[0]?.[0] === true;
}

async function maxEventTime(connection: DuckDBConnection): Promise<Date | null> {
  const reader = await connection.runAndReadAll('select max(event_time) from events');
  const value = plainValue(reader.getRows()[0]?.[0] ?? null);
  return value instanceof Date ? value : null;
}

/**
 * The window a detector judges: --since/--until when given; else from where this detector's last
 * clean run stopped, or (first run) the last 24 hours of data, up to now. Overlap with an earlier
 * run is harmless: findings merge by fingerprint and count distinct evidence.
 */
export function detectionWindow(
  detectorId: string,
  options: {
    since?: Date | undefined;
    until?: Date | undefined;
    now: Date;
    latestEvent: Date | null;
    /** lastWindowEnds(): where each detector's last clean run stopped, late arrivals included. */
    lastEnds: ReadonlyMap<string, Date>;
  },
): DetectionWindow {
  const end = options.until ?? options.now;
  let start = options.since ?? options.lastEnds.get(detectorId) ?? null;
  if (!start) start = new Date((options.latestEvent ?? end).getTime() - DAY_MS);
  if (start >= end) start = new Date(end.getTime() - DAY_MS);
  return { start, end };
}

function outcomeOf(input: DetectorResultInput, counts: DetectorCounts): DetectorOutcome {
  return {
    ...counts,
    detector: input.detector.id,
    severity: input.detector.header.severity,
    window_start: input.window.start.toISOString(),
    window_end: input.window.end.toISOString(),
    duration_ms: Math.round(input.durationMs),
    error: null,
  };
}

/**
 * Records every detector's result in one transaction. Should that fail, each is recorded on its
 * own, so one detector whose findings cannot be written is reported with its error and the others
 * keep theirs.
 */
async function recordAll(
  connection: DuckDBConnection,
  pending: readonly DetectorResultInput[],
): Promise<DetectorOutcome[]> {
  if (pending.length === 0) return [];
  try {
    const counts = await timePhase('detect.record', () => recordDetectorResults(connection, pending));
    return pending.map((input, i) => outcomeOf(input, counts[i] ?? ZERO));
  } catch {
    const outcomes: DetectorOutcome[] = [];
    for (const input of pending) {
      try {
        outcomes.push(outcomeOf(input, await recordDetectorResult(connection, input)));
      } catch (error) {
        outcomes.push(
          await recordFailure(
            connection,
            input.runId,
            subjectOf(input.detector),
            input.window,
            input.startedAt,
            input.durationMs,
            failureMessage(input.detector.id, error),
          ),
        );
      }
    }
    return outcomes;
  }
}

/** Why a detector failed, in one line, without repeating its id. */
function failureMessage(detectorId: string, error: unknown): string {
  return error instanceof DetectorError
    ? error.message.replace(`${detectorId}: `, '')
    : (describeError(error).split('\n')[0] ?? '');
}

/** A detector, or a file that did not load as one, that failed: on record (detection_runs) and as its outcome. */
async function recordFailure(
  connection: DuckDBConnection,
  runId: number,
  subject: { readonly id: string; readonly version: string | null; readonly severity: string | null },
  window: DetectionWindow | null,
  startedAt: Date,
  durationMs: number,
  error: string,
): Promise<DetectorOutcome> {
  await insertDetectionRun(connection, {
    runId,
    detectorId: subject.id,
    version: subject.version,
    window,
    startedAt,
    durationMs,
    counts: null,
    error,
  });
  return {
    ...ZERO,
    detector: subject.id,
    severity: subject.severity,
    window_start: window?.start.toISOString() ?? null,
    window_end: window?.end.toISOString() ?? null,
    duration_ms: Math.round(durationMs),
    error,
  };
}

/** A detector whose query failed, waiting to be recorded. */
interface Failure {
  readonly detector: Detector;
  readonly window: DetectionWindow | null;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly error: string;
}

/** What recordFailure needs of a loaded detector. */
function subjectOf(detector: Detector) {
  return { id: detector.id, version: detector.version, severity: detector.header.severity };
}

/**
 * Runs every detector over its window, each isolated: one that fails (SQL error, refused
 * statement, bad columns, timeout) is recorded with its error and the others still run.
 */
export async function runDetection(
  connection: DuckDBConnection,
  options: DetectionOptions,
): Promise<DetectionResult> {
  const now = options.now ?? new Date();
  const timeoutMs = options.timeoutMs ?? options.config.timeout_seconds * 1000;
  const runId = await startRun(connection, 'detect');
  const outcomes: DetectorOutcome[] = [];
  const latestEvent = await maxEventTime(connection);
  const profile = await refreshActivityProfile(connection, {
    full: latestEvent !== null && (await profileIsEmpty(connection)),
  });
  const lastEnds = options.since ? new Map<string, Date>() : await lastWindowEnds(connection);
  for (const problem of options.problems ?? []) {
    const error = `invalid detector file: ${problem.issues.map((i) => `${i.line ? `line ${i.line}: ` : ''}${i.key ? `${i.key}: ` : ''}${i.message}`).join('; ')}`;
    outcomes.push(
      await recordFailure(
        connection,
        runId,
        { id: problem.id, version: null, severity: null },
        null,
        now,
        0,
        error,
      ),
    );
  }
  // Detectors run side by side on the given connections, each taking the next from the library;
  // what they found is recorded at the end, in one transaction (recordDetectorResults): a run's
  // findings land together or not at all, and a crash before the end leaves no detection_runs
  // row, so the next run judges the same windows again. Failures wait for the queries too: a
  // connection runs one statement at a time, and `connection` may be one of the pool.
  const pending: DetectorResultInput[] = [];
  const failures: Failure[] = [];
  // Overlapping the profile refresh with the detectors that do not read it was tried: on 2 cores
  // it slowed the refresh more than it saved (10M-event bench: 0.84 -> 0.93 s).
  const queue = [...options.detectors];
  const judge = async (queryConnection: DuckDBConnection): Promise<void> => {
    for (let detector = queue.shift(); detector; detector = queue.shift()) {
      const startedAt = new Date();
      const t0 = performance.now();
      let window: DetectionWindow | null = null;
      try {
        const judged = detectionWindow(detector.id, {
          since: options.since,
          until: options.until,
          now,
          latestEvent,
          lastEnds,
        });
        window = judged;
        const output = await timePhase('detect.query', () =>
          runDetector(queryConnection, detector, {
            window: judged,
            params: resolveParams(detector, options.config.params),
            timeoutMs,
          }),
        );
        const candidates = groupByFingerprint(detector.id, detector.header.keys, output.rows);
        const suppressions = new Map<string, AppliedSuppression | null>(
          candidates.map((c) => [
            c.id,
            suppressionForRows(options.config.suppressions, detector.id, c.rows, now),
          ]),
        );
        pending.push({
          runId,
          detector,
          window: judged,
          candidates,
          suppressions,
          rows: output.rows.length,
          startedAt,
          durationMs: performance.now() - t0,
          now,
        });
      } catch (error) {
        failures.push({
          detector,
          window,
          startedAt,
          durationMs: performance.now() - t0,
          error: failureMessage(detector.id, error),
        });
      }
    }
  };
  const queriesStart = performance.now();
  await Promise.all((options.connections ?? [connection]).map(judge));
  const recordStart = performance.now();
  const queriesMs = recordStart - queriesStart;
  // Back in the library's order, whichever finished first, so a run records (and reports) the
  // same way every time.
  const order = new Map(options.detectors.map((d, i) => [d.id, i]));
  const rank = (id: string): number => order.get(id) ?? 0;
  const byOrder = (a: { detector: Detector }, b: { detector: Detector }): number =>
    rank(a.detector.id) - rank(b.detector.id);
  pending.sort(byOrder);
  failures.sort(byOrder);
  const ran: DetectorOutcome[] = [];
  for (const f of failures) {
    ran.push(
      await recordFailure(
        connection,
        runId,
        subjectOf(f.detector),
        f.window,
        f.startedAt,
        f.durationMs,
        f.error,
      ),
    );
  }
  ran.push(...(await recordAll(connection, pending)));
  const recordMs = performance.now() - recordStart;
  // In the library's order, whether they failed or not.
  outcomes.push(...ran.sort((a, b) => rank(a.detector) - rank(b.detector)));
  const failed = outcomes.filter((o) => o.error !== null).length;
  const alerting = outcomes.reduce((n, o) => n + o.alerting, 0);
  const status = failed > 0 ? 'partial' : 'ok';
  await finishRun(
    connection,
    runId,
    status,
    { events_read: 0, events_new: 0, events_duplicate: 0, errors: failed, files_read: 0, files_skipped: 0 },
    {
      detectors: outcomes.length,
      failed,
      new_findings: outcomes.reduce((n, o) => n + o.new_findings, 0),
      alerting,
    },
  );
  return {
    run_id: runId,
    status,
    outcomes,
    alerting,
    failed,
    profile,
    queries_ms: Math.round(queriesMs),
    record_ms: Math.round(recordMs),
  };
}
