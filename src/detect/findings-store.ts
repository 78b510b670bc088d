import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { AuditlakeError, describeError, UsageError } from '../errors.js';
import { type FindingStatus, type ManualAction, manualTransition, onHit } from './finding-lifecycle.js';
import type { Candidate } from './fingerprint.js';
import type { Detector } from './load-detectors.js';
import { jsonValue, type PlainValue, plainValue } from './plain-value.js';
import { type DetectionWindow, DISPLAY_COLUMNS } from './run-detector.js';
import type { AppliedSuppression } from './suppressions.js';

/**
 * The only module that writes findings, their evidence and history, and detection_runs. A
 * detection run's findings and its detectors' detection_runs rows are written in one transaction
 * (recordDetectorResults): either a detector's run is on record with everything it found, or
 * neither is.
 */

/** Evidence event ids kept on the finding row; count stays exact beyond it (finding_evidence). */
export const EVIDENCE_CAP = 1000;
const ENGINE = 'auditlake detect';
const ALERT_SEVERITIES = new Set(['high', 'critical']);

export interface DetectorCounts {
  rows: number;
  new_findings: number;
  updated_findings: number;
  reopened_findings: number;
  suppressed_hits: number;
  /** New or reopened findings that are open (not suppressed) and high or critical. */
  alerting: number;
}

export interface DetectorResultInput {
  readonly runId: number;
  readonly detector: Detector;
  readonly window: DetectionWindow;
  readonly candidates: readonly Candidate[];
  readonly suppressions: ReadonlyMap<string, AppliedSuppression | null>;
  readonly rows: number;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly now: Date;
}

const iso = (d: Date): string => d.toISOString();
const json = (v: unknown): string => JSON.stringify(v);

async function inTransaction<T>(connection: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  await connection.run('begin transaction');
  try {
    const result = await work();
    await connection.run('commit');
    return result;
  } catch (error) {
    try {
      await connection.run('rollback');
    } catch {
      // Already aborted; the original error is the one worth reporting.
    }
    throw error;
  }
}

/** Earliest and latest time of each candidate's evidence events, so a threshold finding's last_seen is its last event. */
async function evidenceTimes(
  connection: DuckDBConnection,
  candidates: readonly Candidate[],
  window: DetectionWindow,
): Promise<Map<string, { min: Date; max: Date }>> {
  await connection.run('create or replace temp table detect_evidence (finding_id varchar, event_id varchar)');
  const appender = await connection.createAppender('detect_evidence', 'main', 'temp');
  let lower = window.start;
  for (const c of candidates) {
    if (c.firstSeen < lower) lower = c.firstSeen;
    for (const e of c.evidence) {
      appender.appendVarchar(c.id);
      appender.appendVarchar(e);
      appender.endRow();
    }
  }
  appender.closeSync();
  // The time bounds let DuckDB skip every row group outside the judged period.
  const reader = await connection.runAndReadAll(
    `select d.finding_id, min(e.event_time), max(e.event_time)
from temp.detect_evidence d
join events e
  on e.event_id = d.event_id
where e.event_time >= $1::timestamptz
  and e.event_time <= $2::timestamptz
group by d.finding_id`,
    [iso(lower), iso(window.end)],
  );
  const out = new Map<string, { min: Date; max: Date }>();
  for (const [id, min, max] of reader.getRows()) {
    const lo = plainValue(min ?? null);
    const hi = plainValue(max ?? null);
    if (lo instanceof Date && hi instanceof Date) out.set(String(id), { min: lo, max: hi });
  }
  return out;
}

/** New evidence per finding (ids not seen before), then recorded; a rerun of a seen window adds none. */
async function addEvidence(connection: DuckDBConnection, runId: number): Promise<Map<string, string[]>> {
  const reader = await connection.runAndReadAll(
    `select d.finding_id, list(distinct d.event_id order by d.event_id)
from temp.detect_evidence d
where not exists (
  select 1
  from finding_evidence f
  where f.finding_id = d.finding_id
    and f.event_id = d.event_id
)
group by d.finding_id`,
  );
  await connection.run(
    `insert into finding_evidence (finding_id, event_id, run_id)
select distinct d.finding_id, d.event_id, $1
from temp.detect_evidence d
where not exists (
  select 1
  from finding_evidence f
  where f.finding_id = d.finding_id
    and f.event_id = d.event_id
)`,
    [runId],
  );
  const out = new Map<string, string[]>();
  for (const [id, ids] of reader.getRows()) {
    const list = plainValue(ids ?? null);
    out.set(String(id), Array.isArray(list) ? list.map(String) : []);
  }
  return out;
}

/** One status change of a finding, as finding_history records it. */
interface HistoryWrite {
  id: string;
  from: FindingStatus | null;
  to: FindingStatus;
  by: string;
  reason: string;
  runId: number | null;
  at: Date;
}

const INSERT_HISTORY =
  'insert into finding_history (finding_id, changed_at, from_status, to_status, changed_by, reason, run_id)';

async function addHistory(connection: DuckDBConnection, entry: HistoryWrite): Promise<void> {
  await connection.run(`${INSERT_HISTORY}\nvalues ${historyPlaceholders(0)}`, historyRow(entry));
}

function ruleReason(s: AppliedSuppression): string {
  return `suppressed by auditlake.yaml rule #${s.rule}: ${s.reason}`;
}

interface ExistingFinding {
  status: FindingStatus;
  byRule: boolean;
  suppression: string | null;
  evidence: string[];
  firstSeen: Date;
  lastSeen: Date;
}

/** The stored findings among the candidates, by id, in one query. */
async function existingFindings(
  connection: DuckDBConnection,
  ids: readonly string[],
): Promise<Map<string, ExistingFinding>> {
  const out = new Map<string, ExistingFinding>();
  if (ids.length === 0) return out;
  const reader = await connection.runAndReadAll(
    `select id, status, suppression is not null, evidence, first_seen, last_seen, suppression::varchar
from findings
where id in (select unnest(from_json($1, '["varchar"]')))`,
    [json(ids)],
  );
  for (const row of reader.getRows()) {
    const [id, status, byRule, evidence, firstSeen, lastSeen, suppression] = row.map((v) =>
      plainValue(v ?? null),
    );
    out.set(String(id), {
      status: status as FindingStatus,
      byRule: byRule === true,
      suppression: typeof suppression === 'string' ? suppression : null,
      evidence: Array.isArray(evidence) ? evidence.map(String) : [],
      firstSeen: firstSeen as Date,
      lastSeen: lastSeen as Date,
    });
  }
  return out;
}

/** Recorded evidence per finding among the candidates, in one query. */
async function evidenceCounts(
  connection: DuckDBConnection,
  ids: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (ids.length === 0) return out;
  const reader = await connection.runAndReadAll(
    `select finding_id, count(*)
from finding_evidence
where finding_id in (select unnest(from_json($1, '["varchar"]')))
group by finding_id`,
    [json(ids)],
  );
  for (const [id, n] of reader.getRows()) out.set(String(id), Number(n ?? 0));
  return out;
}

const INSERT_FINDING_COLUMNS = `detector_version, title, severity, controls, attack, actor, account, region, source_ip, action, resource, summary, extra,
  id, fingerprint, detector_id, key_values, first_seen, last_seen, count, evidence,
  status, status_by, status_reason, status_at, suppression, created_at, updated_at, created_run_id, last_run_id`;
/** Placeholders of one findings row, numbered from base (27 values per row). */
function findingPlaceholders(base: number): string {
  const p = (n: number): string => `$${base + n}`;
  return `(
  ${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}::json, ${p(5)}::json::varchar[], ${p(6)}, ${p(7)}, ${p(8)}, ${p(9)}, ${p(10)}, ${p(11)}, ${p(12)}, ${p(13)}::json,
  ${p(14)}, ${p(15)}, ${p(16)}, ${p(17)}::json, ${p(18)}::timestamptz, ${p(19)}::timestamptz, ${p(20)}, ${p(21)}::json::varchar[],
  ${p(22)}, ${p(23)}, ${p(24)}, ${p(25)}::timestamptz, ${p(26)}::json, ${p(25)}::timestamptz, ${p(25)}::timestamptz, ${p(27)}, ${p(27)}
)`;
}
const FINDING_VALUES = 27;
const HISTORY_VALUES = 7;
/** Up to this many rows go in one INSERT ... VALUES with parameters; more go through an appender. */
const VALUES_ROWS = 50;

/**
 * Inserts rows whose values fit `placeholders` (one row's `($1, $2::json, ...)`, numbered from a
 * base). A few rows: one INSERT ... VALUES. Many (a first hunt over a month makes thousands of
 * findings): appended as text to a temp table and inserted with the same casts, because binding
 * thousands of parameters costs far more than the data (6,000 findings: 2.6 s that way).
 */
async function insertRows(
  connection: DuckDBConnection,
  rows: readonly DuckDBValue[][],
  head: string,
  placeholders: (base: number) => string,
  width: number,
): Promise<void> {
  if (rows.length === 0) return;
  if (rows.length <= VALUES_ROWS) {
    await connection.run(
      `${head}\nvalues ${rows.map((_, k) => placeholders(k * width)).join(',\n')}`,
      rows.flat(),
    );
    return;
  }
  const columns = Array.from({ length: width }, (_, i) => `c${i + 1}`);
  await connection.run(
    `create or replace temp table detect_rows (${columns.map((c) => `${c} varchar`).join(', ')})`,
  );
  const appender = await connection.createAppender('detect_rows', 'main', 'temp');
  for (const row of rows) {
    for (const value of row) {
      if (value === null || value === undefined) appender.appendNull();
      else appender.appendVarchar(String(value));
    }
    appender.endRow();
  }
  appender.closeSync();
  // The placeholders' casts, applied to the text columns: $4::json becomes c4::json.
  const select = placeholders(0)
    .trim()
    .replace(/^\(|\)$/g, '')
    .replace(/\$(\d+)/g, 'c$1');
  await connection.run(`${head}\nselect ${select}\nfrom temp.detect_rows`);
  await connection.run('drop table temp.detect_rows');
}

function historyPlaceholders(base: number): string {
  const p = (n: number): string => `$${base + n}`;
  return `(${p(1)}, ${p(2)}::timestamptz, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)})`;
}

function historyRow(entry: HistoryWrite): DuckDBValue[] {
  return [entry.id, iso(entry.at), entry.from, entry.to, entry.by, entry.reason, entry.runId];
}

function extraColumns(values: Readonly<Record<string, PlainValue>>): Record<string, unknown> {
  const display = new Set<string>(DISPLAY_COLUMNS);
  return Object.fromEntries(
    Object.entries(values)
      .filter(([k]) => !display.has(k))
      .map(([k, v]) => [k, jsonValue(v)]),
  );
}

/** Turns one detector run's candidates into new or updated findings and records the run. */
export async function recordDetectorResult(
  connection: DuckDBConnection,
  input: DetectorResultInput,
): Promise<DetectorCounts> {
  const [counts] = await recordDetectorResults(connection, [input]);
  if (!counts) throw new Error('recordDetectorResults returned no counts');
  return counts;
}

/** What the batch's bookkeeping queries found, by finding id. */
interface BatchState {
  readonly times: ReadonlyMap<string, { min: Date; max: Date }>;
  readonly fresh: ReadonlyMap<string, string[]>;
  readonly stored: ReadonlyMap<string, ExistingFinding>;
  readonly evidenceTotals: ReadonlyMap<string, number>;
  /** Rows inserted at the end of the batch, in multi-row inserts. */
  readonly newFindings: DuckDBValue[][];
  readonly histories: DuckDBValue[][];
}

const UPDATE_FINDING = `update findings
set detector_version = $1, title = $2, severity = $3, controls = $4::json, attack = $5::json::varchar[],
  actor = $6, account = $7, region = $8, source_ip = $9, action = $10, resource = $11, summary = $12, extra = $13::json,
  first_seen = least(first_seen, $15::timestamptz),
  last_seen = greatest(last_seen, $16::timestamptz),
  count = $17,
  evidence = $18::json::varchar[],
  status = $19,
  status_by = case when $20 then $21 else status_by end,
  status_reason = case when $20 then $22 else status_reason end,
  status_at = case when $20 then $23::timestamptz else status_at end,
  suppression = $24::json,
  updated_at = case when $25 then $23::timestamptz else updated_at end,
  last_run_id = $26
where id = $14`;

/**
 * One candidate of a detector: a new finding (queued in the batch's rows) or an update of the
 * stored one, following the lifecycle; its detector's counts go up as it goes.
 */
async function recordCandidate(
  connection: DuckDBConnection,
  input: DetectorResultInput,
  c: Candidate,
  batch: BatchState,
  counts: DetectorCounts,
): Promise<void> {
  const { detector, runId, now } = input;
  const alerts = ALERT_SEVERITIES.has(detector.header.severity);
  const { times, fresh, stored, evidenceTotals, newFindings, histories } = batch;
  const suppression = input.suppressions.get(c.id) ?? null;
  if (suppression) counts.suppressed_hits++;
  const t = times.get(c.id);
  const firstSeen = t && t.min < c.firstSeen ? t.min : c.firstSeen;
  const lastSeen = t && t.max > c.lastSeen ? t.max : c.lastSeen;
  const newIds = fresh.get(c.id) ?? [];
  const existing = stored.get(c.id) ?? null;
  const count = Math.max(1, evidenceTotals.get(c.id) ?? 0);
  const row = c.latest;
  const common = [
    detector.version,
    detector.header.title,
    detector.header.severity,
    json(detector.header.controls),
    json(detector.header.attack),
    row.actor,
    row.account,
    row.region,
    row.source_ip,
    row.action,
    row.resource,
    row.summary,
    json(extraColumns(row.values)),
  ] satisfies DuckDBValue[];
  if (!existing) {
    const status: FindingStatus = suppression ? 'suppressed' : 'open';
    const reason = suppression ? ruleReason(suppression) : 'first detected';
    newFindings.push([
      ...common,
      c.id,
      c.fingerprint,
      detector.id,
      json(c.keyValues),
      iso(firstSeen),
      iso(lastSeen),
      count,
      json(c.evidence.slice(0, EVIDENCE_CAP)),
      status,
      ENGINE,
      reason,
      iso(now),
      suppression ? json(suppression) : null,
      runId,
    ]);
    histories.push(historyRow({ id: c.id, from: null, to: status, by: ENGINE, reason, runId, at: now }));
    counts.new_findings++;
    if (status === 'open' && alerts) counts.alerting++;
    return;
  }
  const newEvidence = newIds.length > 0 || (c.evidence.length === 0 && lastSeen > existing.lastSeen);
  const next = onHit(
    { status: existing.status, suppressedByRule: existing.byRule },
    { suppressed: suppression !== null, newEvidence },
  );
  const kept = new Set(existing.evidence);
  const evidence = [...existing.evidence];
  for (const id of newIds) {
    if (evidence.length >= EVIDENCE_CAP) break;
    if (!kept.has(id)) evidence.push(id);
  }
  const changed = next.change !== 'none';
  // The rule on record: the matching one for a rule-suppressed finding, the old one while no
  // rule matches but nothing new came (it stays suppressed), none once it is not suppressed;
  // a person's suppression (no rule) is left alone.
  let recordedRule: string | null = null;
  if (next.status === 'suppressed') {
    recordedRule = suppression && (existing.byRule || changed) ? json(suppression) : existing.suppression;
  }
  let reason = '';
  if (next.change === 'suppressed') reason = suppression ? ruleReason(suppression) : '';
  else if (next.change === 'unsuppressed')
    reason = 'fired again after its auditlake.yaml suppression expired or was removed';
  else if (next.change === 'reopened') {
    reason = `reopened: fired again after it was resolved${suppression ? `; ${ruleReason(suppression)}` : ''}`;
  }
  await connection.run(UPDATE_FINDING, [
    ...common,
    c.id,
    iso(firstSeen),
    iso(lastSeen),
    count,
    json(evidence),
    next.status,
    changed,
    ENGINE,
    reason,
    iso(now),
    recordedRule,
    changed || newIds.length > 0,
    runId,
  ]);
  if (changed) {
    histories.push(
      historyRow({
        id: c.id,
        from: existing.status,
        to: next.status,
        by: ENGINE,
        reason,
        runId,
        at: now,
      }),
    );
  }
  if (next.change === 'reopened') {
    counts.reopened_findings++;
    if (next.status === 'open' && alerts) counts.alerting++;
  } else if (newIds.length > 0 || next.change !== 'none') counts.updated_findings++;
}

/**
 * Records several detectors' results in one transaction: their findings, evidence, history and
 * detection_runs rows all land, or none do. The bookkeeping queries (evidence times, evidence
 * already recorded, stored findings) run once for all candidates rather than once per detector:
 * on a nightly run most of the cost of recording was those round trips, not the data.
 * Finding ids include the detector id, so candidates of different detectors never collide.
 */
export async function recordDetectorResults(
  connection: DuckDBConnection,
  inputs: readonly DetectorResultInput[],
): Promise<DetectorCounts[]> {
  const all = inputs.map((input) => ({
    input,
    counts: {
      rows: input.rows,
      new_findings: 0,
      updated_findings: 0,
      reopened_findings: 0,
      suppressed_hits: 0,
      alerting: 0,
    } satisfies DetectorCounts,
  }));
  const withCandidates = all.filter((r) => r.input.candidates.length > 0);
  const times =
    withCandidates.length > 0
      ? await evidenceTimes(
          connection,
          withCandidates.flatMap((r) => r.input.candidates),
          spanOf(withCandidates.map((r) => r.input.window)),
        )
      : new Map<string, { min: Date; max: Date }>();
  await inTransaction(connection, async () => {
    const newFindings: DuckDBValue[][] = [];
    const histories: DuckDBValue[][] = [];
    if (withCandidates.length > 0) {
      // One evidence table for every detector of the batch (evidenceTimes filled it), one runId.
      const [runId, ...others] = new Set(withCandidates.map((r) => r.input.runId));
      if (runId === undefined || others.length > 0) {
        throw new Error('recordDetectorResults: one detection run at a time');
      }
      const ids = withCandidates.flatMap((r) => r.input.candidates.map((c) => c.id));
      const batch: BatchState = {
        times,
        fresh: await addEvidence(connection, runId),
        stored: await existingFindings(connection, ids),
        evidenceTotals: await evidenceCounts(connection, ids),
        newFindings,
        histories,
      };
      for (const { input, counts } of withCandidates) {
        for (const c of input.candidates) await recordCandidate(connection, input, c, batch, counts);
      }
    }
    await insertRows(
      connection,
      newFindings,
      `insert into findings (\n  ${INSERT_FINDING_COLUMNS}\n)`,
      findingPlaceholders,
      FINDING_VALUES,
    );
    await insertRows(connection, histories, INSERT_HISTORY, historyPlaceholders, HISTORY_VALUES);
    await insertDetectionRuns(
      connection,
      all.map(({ input, counts }) => ({
        runId: input.runId,
        detectorId: input.detector.id,
        version: input.detector.version,
        window: input.window,
        startedAt: input.startedAt,
        durationMs: input.durationMs,
        counts,
        error: null,
      })),
    );
  });
  if (withCandidates.length > 0) await connection.run('drop table if exists temp.detect_evidence');
  return all.map((r) => r.counts);
}

/** The smallest window holding all of them. */
function spanOf(windows: readonly DetectionWindow[]): DetectionWindow {
  const first = windows[0];
  if (!first) throw new Error('spanOf: no windows');
  let { start, end } = first;
  for (const w of windows) {
    if (w.start < start) start = w.start;
    if (w.end > end) end = w.end;
  }
  return { start, end };
}

export interface DetectionRunRow {
  runId: number;
  detectorId: string;
  version: string | null;
  window: DetectionWindow | null;
  startedAt: Date;
  durationMs: number;
  counts: DetectorCounts | null;
  error: string | null;
}

/** Records one detector's run; failed runs too, so the record shows review was attempted. */
export async function insertDetectionRun(connection: DuckDBConnection, r: DetectionRunRow): Promise<void> {
  await insertDetectionRuns(connection, [r]);
}

const DETECTION_RUN_VALUES = 13;

function detectionRunPlaceholders(base: number): string {
  const p = (n: number): string => `$${base + n}`;
  return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}::timestamptz, ${p(5)}::timestamptz, ${p(6)}::timestamptz, ${p(7)}, ${p(8)}, ${p(9)}, ${p(10)}, ${p(11)}, ${p(12)}, ${p(13)})`;
}

/** Several detectors' runs in multi-row inserts. */
export async function insertDetectionRuns(
  connection: DuckDBConnection,
  runs: readonly DetectionRunRow[],
): Promise<void> {
  await insertRows(
    connection,
    runs.map((r) => [
      r.runId,
      r.detectorId,
      r.version,
      r.window ? iso(r.window.start) : null,
      r.window ? iso(r.window.end) : null,
      iso(r.startedAt),
      Math.round(r.durationMs),
      r.counts?.rows ?? 0,
      r.counts?.new_findings ?? 0,
      r.counts?.updated_findings ?? 0,
      r.counts?.reopened_findings ?? 0,
      r.counts?.suppressed_hits ?? 0,
      r.error,
    ]),
    `insert into detection_runs (
  run_id, detector_id, detector_version, window_start, window_end, started_at, duration_ms,
  rows, new_findings, updated_findings, reopened_findings, suppressed_hits, error
)`,
    detectionRunPlaceholders,
    DETECTION_RUN_VALUES,
  );
}

/**
 * Where each detector's next default window starts: the end of its last clean run, moved back to
 * the earliest event that arrived late (ingested after that run started, timed before its window
 * end). One query over the runs, then one over the events per distinct (window end, start) pair —
 * detectors that ran together share a pair — instead of one scan per detector.
 */
export async function lastWindowEnds(connection: DuckDBConnection): Promise<Map<string, Date>> {
  const runs = await connection.runAndReadAll(
    `select detector_id, max(window_end) as window_end, max(started_at) as started_at
from detection_runs
where error is null
  and window_end is not null
group by detector_id`,
  );
  const out = new Map<string, Date>();
  const late = new Map<string, Date | null>();
  for (const [id, end, started] of runs.getRows()) {
    const windowEnd = plainValue(end ?? null);
    const startedAt = plainValue(started ?? null);
    if (!(windowEnd instanceof Date) || !(startedAt instanceof Date)) continue;
    const pair = `${windowEnd.toISOString()} ${startedAt.toISOString()}`;
    if (!late.has(pair)) {
      const reader = await connection.runAndReadAll(
        `select min(event_time)
from events
where ingested_at >= $1::timestamptz
  and event_time < $2::timestamptz`,
        [startedAt.toISOString(), windowEnd.toISOString()],
      );
      const earliest = plainValue(reader.getRows()[0]?.[0] ?? null);
      late.set(pair, earliest instanceof Date ? earliest : null);
    }
    const earliest = late.get(pair) ?? null;
    out.set(String(id), earliest && earliest < windowEnd ? earliest : windowEnd);
  }
  return out;
}

/** A finding as commands print it; the JSON form is documented in docs/detection.md. */
export interface FindingRecord {
  id: string;
  detector: string;
  severity: string;
  title: string;
  status: FindingStatus;
  actor: string | null;
  account: string | null;
  region: string | null;
  source_ip: string | null;
  action: string | null;
  resource: string | null;
  summary: string | null;
  first_seen: string;
  last_seen: string;
  count: number;
  controls: Record<string, string[]>;
  attack: string[];
  evidence: string[];
  status_by: string | null;
  status_reason: string | null;
  status_at: string;
  suppression: AppliedSuppression | null;
  fingerprint: string;
  detector_version: string;
  key_values: Record<string, unknown>;
  extra: Record<string, unknown>;
}

export interface FindingFilter {
  status?: readonly string[];
  severity?: readonly string[];
  detector?: readonly string[];
  /** Glob on the actor. */
  actor?: string;
  /** Findings seen at or after (last_seen >= since). */
  since?: Date;
  /** Findings seen before (first_seen < until). */
  until?: Date;
  id?: string;
}

const SEVERITY_ORDER =
  "case severity when 'critical' then 0 when 'high' then 1 when 'medium' then 2 when 'low' then 3 else 4 end";

export async function listFindings(
  connection: DuckDBConnection,
  filter: FindingFilter = {},
): Promise<FindingRecord[]> {
  const where: string[] = [];
  const params: DuckDBValue[] = [];
  const add = (clause: (p: string) => string, value: DuckDBValue): void => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (filter.status?.length) add((p) => `list_contains(${p}::json::varchar[], status)`, json(filter.status));
  if (filter.severity?.length)
    add((p) => `list_contains(${p}::json::varchar[], severity)`, json(filter.severity));
  if (filter.detector?.length)
    add((p) => `list_contains(${p}::json::varchar[], detector_id)`, json(filter.detector));
  if (filter.actor) add((p) => `actor ilike ${p} escape '\\'`, globToLike(filter.actor));
  if (filter.since) add((p) => `last_seen >= ${p}::timestamptz`, iso(filter.since));
  if (filter.until) add((p) => `first_seen < ${p}::timestamptz`, iso(filter.until));
  if (filter.id) add((p) => `id = ${p}`, filter.id);
  const reader = await connection.runAndReadAll(
    `select *
from findings
${where.length ? `where ${where.join('\n  and ')}` : ''}
order by ${SEVERITY_ORDER}, last_seen desc, id`,
    params,
  );
  return reader.getRowObjects().map(toRecord);
}

function globToLike(glob: string): string {
  return glob
    .replace(/[\\%_]/g, '\\$&')
    .replaceAll('*', '%')
    .replaceAll('?', '_');
}

function parseJson<T>(value: PlainValue, fallback: T): T {
  if (typeof value !== 'string') return fallback;
  try {
    return JSON.parse(value) as T;
  } catch {
    return fallback;
  }
}

function toRecord(raw: Record<string, DuckDBValue>): FindingRecord {
  const v = (k: string): PlainValue => plainValue(raw[k] ?? null);
  const s = (k: string): string | null => {
    const x = v(k);
    return x === null ? null : String(x);
  };
  const t = (k: string): string => {
    const x = v(k);
    return x instanceof Date ? x.toISOString() : String(x);
  };
  const list = (k: string): string[] => {
    const x = v(k);
    return Array.isArray(x) ? x.map(String) : [];
  };
  return {
    id: String(v('id')),
    detector: String(v('detector_id')),
    severity: String(v('severity')),
    title: String(v('title')),
    status: String(v('status')) as FindingStatus,
    actor: s('actor'),
    account: s('account'),
    region: s('region'),
    source_ip: s('source_ip'),
    action: s('action'),
    resource: s('resource'),
    summary: s('summary'),
    first_seen: t('first_seen'),
    last_seen: t('last_seen'),
    count: Number(v('count')),
    controls: parseJson(v('controls'), {}),
    attack: list('attack'),
    evidence: list('evidence'),
    status_by: s('status_by'),
    status_reason: s('status_reason'),
    status_at: t('status_at'),
    suppression: parseJson(v('suppression'), null),
    fingerprint: String(v('fingerprint')),
    detector_version: String(v('detector_version')),
    key_values: parseJson(v('key_values'), {}),
    extra: parseJson(v('extra'), {}),
  };
}

/** The full id for an id or a unique prefix of one (at least 6 characters), as with git. */
export async function resolveFindingId(connection: DuckDBConnection, given: string): Promise<string> {
  if (!/^[0-9a-f]{6,64}$/.test(given)) {
    throw new UsageError(
      `"${given}" is not a finding id`,
      'ids are hex, e.g. from `auditlake findings`; 6 characters suffice',
    );
  }
  const prefix = given.slice(0, 16);
  const reader = await connection.runAndReadAll(
    'select id from findings where starts_with(id, $1) order by id limit 2',
    [prefix],
  );
  const ids = reader.getRows().map((r) => String(r[0]));
  if (ids.length === 0) throw new UsageError(`no finding ${given}`, 'list them with `auditlake findings`');
  if (ids.length > 1)
    throw new UsageError(`finding id ${given} is ambiguous (${ids.join(', ')}, ...)`, 'give more characters');
  return ids[0] as string;
}

export interface StatusChange {
  id: string;
  from: FindingStatus;
  to: FindingStatus;
  by: string;
  reason: string;
  at: string;
}

/** A person's move (ack, suppress, resolve), with who and why kept in finding_history. */
export async function changeFindingStatus(
  connection: DuckDBConnection,
  given: string,
  action: ManualAction,
  by: string,
  reason: string,
  now: Date = new Date(),
): Promise<StatusChange> {
  if (reason.trim() === '') throw new UsageError('a reason is required', 'pass --reason "why"');
  const id = await resolveFindingId(connection, given);
  const reader = await connection.runAndReadAll('select status from findings where id = $1', [id]);
  const from = String(reader.getRows()[0]?.[0]) as FindingStatus;
  const move = manualTransition(from, action);
  if (!move.ok) throw new UsageError(`cannot ${action} finding ${id}: ${move.reason}`);
  try {
    await inTransaction(connection, async () => {
      await connection.run(
        `update findings
set status = $2, status_by = $3, status_reason = $4, status_at = $5::timestamptz, updated_at = $5::timestamptz,
  suppression = null
where id = $1`,
        [id, move.to, by, reason, iso(now)],
      );
      await addHistory(connection, { id, from, to: move.to, by, reason, runId: null, at: now });
    });
  } catch (error) {
    throw new AuditlakeError(
      'store',
      `could not update finding ${id}: ${describeError(error).split('\n')[0]}`,
      { cause: error },
    );
  }
  return { id, from, to: move.to, by, reason, at: iso(now) };
}

export interface HistoryEntry {
  finding_id: string;
  at: string;
  from_status: string | null;
  to_status: string;
  by: string;
  reason: string | null;
  run_id: number | null;
}

export async function findingHistory(connection: DuckDBConnection, id: string): Promise<HistoryEntry[]> {
  const reader = await connection.runAndReadAll(
    `select finding_id, changed_at, from_status, to_status, changed_by, reason, run_id
from finding_history
where finding_id = $1
order by changed_at, rowid`,
    [id],
  );
  return reader.getRows().map((row) => {
    const [fid, at, from, to, by, reason, run] = row.map((x) => plainValue(x ?? null));
    return {
      finding_id: String(fid),
      at: at instanceof Date ? at.toISOString() : String(at),
      from_status: from === null ? null : String(from),
      to_status: String(to),
      by: String(by),
      reason: reason === null ? null : String(reason),
      run_id: run === null ? null : Number(run),
    };
  });
}
