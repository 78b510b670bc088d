import type { DuckDBConnection } from '@duckdb/node-api';
import { type Detector, loadDetectors } from '../detect/load-detectors.js';
import { describeError } from '../errors.js';
import { chainRootForPeriod } from '../store/chain-heads.js';
import { DAY_ROOT_SQL } from '../store/chain-sql.js';
import { dayBounds, verifyChain } from '../store/chain-verify.js';
import { evaluateChecks, evaluateControls } from './compute-controls.js';
import { activityByHour, computeStoreFacts, STREAM_SQL } from './compute-coverage.js';
import {
  buildReportFindings,
  countBySeverity,
  dispositionsOf,
  listFrameworkFindings,
} from './compute-findings.js';
import { computeReviewDays, detectorsInForce, REVIEW_SQL } from './compute-review.js';
import {
  defaultReportsRoot,
  type EvidenceQuery,
  type Framework,
  loadFramework,
  readEvidenceQueries,
} from './frameworks.js';
import { DAY_MS, daysOf, num, str, tsLiteral } from './query-rows.js';
import {
  type ChainCheck,
  CONTROL_STATUSES,
  type ControlStatus,
  type QueryEvidence,
  REPORT_SCHEMA,
  type Report,
  type ReportFinding,
  type Risk,
  SEVERITY_ORDER,
  type SeverityCounts,
  type SuppressionEntry,
  severityRank,
} from './report-model.js';

/**
 * One computation of the compliance report: data queries only, no layout. Every renderer (PDF,
 * JSON, CSV, OSCAL) takes the `Report` this returns.
 */

export interface ReportOptions {
  framework: string;
  from: Date;
  to: Date;
  generatedAt: Date;
  organization: string;
  reportsRoot?: string;
  /** The detector library; default the package's queries/. */
  detectors?: readonly Detector[];
  /** `retention.events` of auditlake.yaml in days; null or absent: events are kept indefinitely. */
  retentionDays?: number | null;
  /**
   * Recompute the hash chain for the period (default true): the integrity check passes only then.
   * It hashes every event of the period again, so it is the report's largest cost on a big store.
   */
  verifyChain?: boolean;
}

const QUERY_SAMPLE_ROWS = 10;

/** An evidence query's SQL with the period's bounds written in, runnable with `auditlake query`. */
export function querySql(q: EvidenceQuery, from: Date, to: Date): string {
  return q.sql.replaceAll('{{from}}', tsLiteral(from)).replaceAll('{{to}}', tsLiteral(to)).trim();
}

async function runEvidenceQuery(
  connection: DuckDBConnection,
  q: EvidenceQuery,
  from: Date,
  to: Date,
): Promise<QueryEvidence> {
  const sql = querySql(q, from, to);
  try {
    const reader = await connection.runAndReadAll(sql);
    const rows = reader.getRowObjectsJson() as Record<string, string | number | boolean | null>[];
    return {
      id: q.id,
      title: q.title,
      rows: rows.length,
      columns: reader.columnNames(),
      sample: rows.slice(0, QUERY_SAMPLE_ROWS),
      sql,
      error: null,
    };
  } catch (error) {
    return {
      id: q.id,
      title: q.title,
      rows: 0,
      columns: [],
      sample: [],
      sql,
      error: describeError(error).split('\n')[0] ?? '',
    };
  }
}

function topRisks(findings: readonly ReportFinding[]): Risk[] {
  return findings
    .filter((f) => f.status === 'open' || f.status === 'acknowledged')
    .sort(
      (a, b) =>
        severityRank(a.severity) - severityRank(b.severity) ||
        b.count - a.count ||
        b.last_seen.localeCompare(a.last_seen) ||
        a.id.localeCompare(b.id),
    )
    .slice(0, 5)
    .map((f) => ({
      finding_id: f.id,
      severity: f.severity,
      title: f.title,
      actor: f.actor,
      account: f.account,
      status: f.status,
      last_seen: f.last_seen,
      count: f.count,
    }));
}

const total = (c: SeverityCounts): number => SEVERITY_ORDER.reduce((n, s) => n + c[s], 0);

function trendWord(now: number, before: number): string {
  if (now === before) return 'the same as';
  return now > before ? `up from ${before} in` : `down from ${before} in`;
}

function statements(
  report: Omit<Report, 'summary'> & { summary: Omit<Report['summary'], 'statements'> },
): string[] {
  const s = report.summary;
  const assessed = CONTROL_STATUSES.filter((x) => x !== 'not applicable').reduce(
    (n, x) => n + s.controls[x],
    0,
  );
  const out: string[] = [];
  const events = report.store.sources.reduce((n, x) => n + x.events, 0);
  if (events === 0) {
    out.push('The store holds no events for this period: no control can be evidenced from audit logs.');
  }
  out.push(
    `Of ${assessed} controls assessed from audit logs, ${s.controls.satisfied} are satisfied, ` +
      `${s.controls.findings} have findings and ${s.controls['no evidence']} lack evidence; ` +
      `${s.controls['not applicable']} are outside what audit logs can show.`,
  );
  const now = total(s.findings);
  const before = total(s.previous_findings);
  out.push(
    `${now} finding${now === 1 ? '' : 's'} were active in the period, ${trendWord(now, before)} the previous ${report.period.days.length} days; ` +
      `${s.open_findings} remain open and ${s.suppressed_findings} ${s.suppressed_findings === 1 ? 'is' : 'are'} suppressed.`,
  );
  const missing = report.store.sources.filter((x) => x.missing).map((x) => x.source);
  if (missing.length > 0)
    out.push(`No events at all arrived from ${missing.join(', ')}: controls needing them have no evidence.`);
  if (report.coverage.gap_count > 0) {
    out.push(`Log delivery was silent on ${report.coverage.gap_count} stream-days (see Evidence coverage).`);
  }
  const unreviewed = report.review.days_not_reviewed.length;
  out.push(
    unreviewed === 0 && report.review.days_reviewed > 0
      ? `Automated review ran for every day of the period (${report.review.days_reviewed} days).`
      : `Automated review is missing for ${unreviewed} of ${report.period.days.length} days.`,
  );
  return out;
}

/**
 * The day roots the cover's period root is computed from (chainRootForPeriod): the period root is
 * the sha256 of the lines "source day events day_root" of these rows, newline-terminated.
 */
function dayRootsSql(report: Pick<Report, 'period' | 'store'>): string {
  const first = report.period.from.slice(0, 10);
  const end = new Date(Math.ceil(Date.parse(report.period.to) / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
  return `select s.source, s.day, sum(s.events)::bigint as events, ${DAY_ROOT_SQL} as day_root
from batch_days s
where s.day >= date '${first}'
  and s.day < date '${end}'
  and s.batch_id <= ${report.store.digest.as_of_batch_id ?? -1}
group by s.source, s.day
order by s.source, s.day`;
}

function reproductions(
  report: Pick<Report, 'period' | 'framework' | 'store'>,
  queries: readonly QueryEvidence[],
): Report['appendix']['reproduce'] {
  const from = tsLiteral(report.period.from);
  const to = tsLiteral(report.period.to);
  const bind = (sql: string) => sql.replaceAll('$1::timestamptz', from).replaceAll('$2::timestamptz', to);
  return [
    {
      what: 'Events per day, source and stream (coverage, gaps)',
      sql: bind(STREAM_SQL),
    },
    {
      what: 'Review record per day (detection runs covering each day)',
      sql: bind(REVIEW_SQL),
    },
    {
      what: 'Findings active in the period, by severity and status',
      sql: `select severity, status, count(*) as findings
from findings
where last_seen >= ${from}
  and first_seen < ${to}
group by all
order by all`,
    },
    {
      what: 'Status changes of findings (dispositions)',
      sql: `select h.*
from finding_history h
join findings f
  on f.id = h.finding_id
where f.last_seen >= ${from}
  and f.first_seen < ${to}
order by h.changed_at`,
    },
    {
      what: 'Day roots of the hash chain behind the cover digest (run `auditlake verify` to check them against the events)',
      sql: dayRootsSql(report),
    },
    ...queries.map((q) => ({ what: `Evidence query ${q.id}: ${q.title}`, sql: q.sql })),
  ];
}

const METHOD = [
  'Events are read from the auditlake store (one DuckDB file) for the period [from, to), UTC days.',
  'A log stream is a source, format and account, plus the region for AWS. A stream seen in the period or the 30 days before it that has no event on a day of the period counts as a silent day.',
  'Detectors are SQL files whose headers map them to controls (framework key and control ids); a control also collects the detectors of the controls its framework file crosswalks to.',
  'A finding belongs to the period when it was active in it (last seen on or after the start, first seen before the end). Suppressed findings are listed but do not count against a control.',
  'A day counts as reviewed when at least one detection run without error covered it (detection_runs); detector versions are the sha256 of the SQL file that ran.',
  'Control status: not applicable (the framework file says audit logs cannot show it); no evidence (a needed source, detector run, check or query is missing); findings (findings or check exceptions); satisfied (evidence present, nothing found).',
  "The integrity digest on the cover is the root of the store's hash chain for the period: a sha256 over the day roots (per source and UTC day) of the batches committed up to the batch named with it; `auditlake verify --from --to` recomputes those roots from the events (docs/integrity.md).",
  'The integrity check passes only when the chain was recomputed while this report was made: every event of the period hashed again and compared with the digests committed with it, and every link of the chain checked. A change to any stored event, a missing or an inserted one is an exception naming the first batch at fault.',
];

/** The latest UTC day whose events were pruned by retention (pruned_days), or null. */
async function lastPrunedDay(connection: DuckDBConnection): Promise<string | null> {
  const reader = await connection.runAndReadAll('select max(day)::varchar from pruned_days');
  const value = reader.getRows()[0]?.[0];
  return value === null || value === undefined ? null : String(value);
}

/** The chain recomputed for the period's UTC days (all links), in the report's terms. */
async function checkChain(
  connection: DuckDBConnection,
  from: Date,
  to: Date,
  perform: boolean,
): Promise<ChainCheck> {
  if (!perform) {
    return {
      performed: false,
      status: 'not verified',
      range: dayBounds({ from, to }),
      checked: { batches: 0, slices: 0, events: 0, pruned_days: 0 },
      problems_total: 0,
      first_break: null,
    };
  }
  const v = await verifyChain(connection, { from, to });
  const b = v.first_break;
  return {
    performed: true,
    status: v.status,
    range: v.range,
    checked: v.checked,
    problems_total: v.problems_total,
    first_break: b
      ? { kind: b.kind, batch_id: b.batch_id, source: b.source, day: b.day, detail: b.detail }
      : null,
  };
}

export async function computeReport(connection: DuckDBConnection, options: ReportOptions): Promise<Report> {
  // Days, hours and strftime below are UTC whatever the machine's zone. A connection locked for
  // detection (auditlake run reports on it) is UTC already and refuses any `set`.
  const zone = await connection.runAndReadAll("select current_setting('TimeZone')");
  if (String(zone.getRows()[0]?.[0]) !== 'UTC') await connection.run("set TimeZone = 'UTC'");
  const root = options.reportsRoot ?? defaultReportsRoot();
  const framework: Framework = loadFramework(options.framework, root);
  const library = options.detectors ?? loadDetectors().detectors;
  const { from, to } = options;
  const days = daysOf(from, to);
  const prevFrom = new Date(from.getTime() - (to.getTime() - from.getTime()));

  const explicitScope = framework.sources.length < 3 ? framework.sources : null;
  const facts = await computeStoreFacts(connection, from, to, explicitScope);
  const scope = explicitScope ?? facts.knownSources;

  const found = await listFrameworkFindings(connection, framework, from, to);
  const findings = await buildReportFindings(connection, found, library);
  const previous = await listFrameworkFindings(connection, framework, prevFrom, from);
  const reviewDays = await computeReviewDays(
    connection,
    from,
    to,
    facts.coverage.streams,
    facts.coverage.events_per_day,
    facts.accountsPerDay,
    findings,
  );
  const inForce = await detectorsInForce(connection, from, to, framework, library);
  const review = {
    days: reviewDays,
    days_reviewed: reviewDays.filter((d) => d.reviewed).length,
    days_not_reviewed: reviewDays.filter((d) => !d.reviewed).map((d) => d.day),
    detectors: inForce,
    dispositions: dispositionsOf(findings),
  };
  const digest = await chainRootForPeriod(connection, from, to);
  const verification = await checkChain(connection, from, to, options.verifyChain ?? true);

  const catalogue = new Map(readEvidenceQueries(root).map((q) => [q.id, q]));
  const wanted = [
    ...new Set(framework.controls.filter((c) => !c.notApplicable).flatMap((c) => c.queries)),
  ].sort();
  if (!wanted.includes('privileged-actions')) wanted.push('privileged-actions');
  const queries: QueryEvidence[] = [];
  for (const id of wanted) {
    const q = catalogue.get(id);
    queries.push(
      q
        ? await runEvidenceQuery(connection, q, from, to)
        : {
            id,
            title: id,
            rows: 0,
            columns: [],
            sample: [],
            sql: '',
            error: 'no such query in reports/queries.yaml',
          },
    );
  }

  const oldest = facts.oldestEvent;
  const retention = {
    oldest_event: oldest ? oldest.toISOString() : null,
    days_held: oldest ? Math.max(0, Math.floor((to.getTime() - oldest.getTime()) / DAY_MS)) : 0,
    days_required: framework.retentionDays,
    policy_days: options.retentionDays ?? null,
    pruned_through: await lastPrunedDay(connection),
  };
  const periodEvents = facts.sources.reduce((n, s) => n + s.events, 0);
  const checks = evaluateChecks({
    sources: facts.sources,
    coverage: facts.coverage,
    review,
    findings,
    digestEvents: digest.events,
    verification,
    retention,
    periodDays: days.length,
  });
  const controls = evaluateControls(framework, {
    library,
    inForce: new Map(inForce.map((d) => [d.id, d])),
    scope,
    checks,
    queries: new Map(queries.map((q) => [q.id, q])),
    findings,
    periodEvents,
  });

  const statusCounts = Object.fromEntries(CONTROL_STATUSES.map((s) => [s, 0])) as Record<
    ControlStatus,
    number
  >;
  for (const c of controls) statusCounts[c.status]++;

  const findingsPerDay = new Map<string, number>();
  for (const f of findings) {
    if (f.status === 'suppressed') continue;
    const key = `${f.first_seen.slice(0, 10)}\u0000${f.severity}`;
    findingsPerDay.set(key, (findingsPerDay.get(key) ?? 0) + 1);
  }
  const privileged = new Map<string, number>();
  for (const row of queries.find((q) => q.id === 'privileged-actions')?.sample ?? []) {
    const actor = str(row.actor ?? null);
    privileged.set(actor, (privileged.get(actor) ?? 0) + num(row.events ?? 0));
  }
  const suppressions: SuppressionEntry[] = findings
    .filter((f) => f.suppression)
    .map((f) => ({
      finding_id: f.id,
      detector: f.detector,
      by: f.suppression?.by ?? null,
      reason: f.suppression?.reason ?? null,
      at: f.status_at,
      until: f.suppression?.until ?? null,
      rule: f.suppression?.rule ?? null,
    }));

  const partial = {
    schema: REPORT_SCHEMA as typeof REPORT_SCHEMA,
    generated_at: options.generatedAt.toISOString(),
    organization: options.organization,
    framework: {
      key: framework.key,
      name: framework.name,
      version: framework.version,
      title: framework.title,
      publisher: framework.publisher,
      crosswalk_of: framework.crosswalkOf,
    },
    period: {
      from: from.toISOString(),
      to: to.toISOString(),
      days,
      previous: { from: prevFrom.toISOString(), to: from.toISOString() },
    },
    store: {
      digest: {
        algorithm: digest.algorithm,
        method: digest.method,
        value: digest.value,
        events: digest.events,
        as_of_batch_id: digest.as_of_batch_id,
      },
      verification,
      sources: facts.sources,
      checkpoints: facts.checkpoints,
      retention,
    },
    summary: {
      controls: statusCounts,
      findings: countBySeverity(findings),
      previous_findings: countBySeverity(previous.map((p) => p.record)),
      open_findings: findings.filter((f) => f.status === 'open' || f.status === 'acknowledged').length,
      suppressed_findings: findings.filter((f) => f.status === 'suppressed').length,
      top_risks: topRisks(findings),
    },
    coverage: facts.coverage,
    review,
    controls,
    findings,
    queries,
    charts: {
      findings_per_day: [...findingsPerDay]
        .map(([k, n]) => {
          const [day = '', severity = ''] = k.split('\u0000');
          return { day, severity, findings: n };
        })
        .sort((a, b) => a.day.localeCompare(b.day) || severityRank(a.severity) - severityRank(b.severity)),
      privileged_by_actor: [...privileged]
        .map(([actor, events]) => ({ actor, events }))
        .sort((a, b) => b.events - a.events || a.actor.localeCompare(b.actor))
        .slice(0, 10),
      activity_by_hour: await activityByHour(connection, from, to),
    },
    appendix: {
      method: METHOD,
      suppressions,
      reproduce: [] as Report['appendix']['reproduce'],
      notes: [] as string[],
      signing: null,
    },
  };
  partial.appendix.reproduce = reproductions(partial, queries);
  if (framework.crosswalkOf) {
    partial.appendix.notes.push(
      `${framework.name} v${framework.version} controls are a crosswalk to ${framework.crosswalkOf}: each shares the evidence of the control(s) it maps to.`,
    );
  }
  return { ...partial, summary: { ...partial.summary, statements: statements(partial) } };
}
