import type { DuckDBConnection } from '@duckdb/node-api';
import type { Detector } from '../detect/load-detectors.js';
import type { Framework } from './frameworks.js';
import { detectorServes } from './frameworks.js';
import { daysOf, isoOrNull, list, num, readRows, str, strOrNull } from './query-rows.js';
import type {
  CoverageStream,
  DayCount,
  DetectorInForce,
  ReportFinding,
  ReviewDay,
  SeverityName,
} from './report-model.js';
import { zeroSeverities } from './report-model.js';

/**
 * The record that review happened, day by day: what data there was, which detectors judged it
 * (from detection_runs: id, version = sha256 of the SQL file), what they raised. A day of the
 * period that no clean detection run covered is a gap in review.
 */

export const REVIEW_SQL = `with days as (
  select unnest(generate_series($1::timestamptz, $2::timestamptz - interval 1 day, interval 1 day)) as day_start
)
select strftime(d.day_start, '%Y-%m-%d') as day,
  list(distinct r.run_id order by r.run_id) filter (where r.error is null and r.run_id is not null) as runs,
  min(r.window_start) filter (where r.error is null) as window_start,
  max(r.window_end) filter (where r.error is null) as window_end,
  max(r.started_at) filter (where r.error is null) as reviewed_at,
  count(distinct r.detector_id) filter (where r.error is null)::bigint as detectors_run,
  list(distinct r.detector_id order by r.detector_id) filter (where r.error is not null) as detectors_failed,
  coalesce(sum(r.rows) filter (where r.error is null), 0)::bigint as rows,
  coalesce(sum(r.new_findings) filter (where r.error is null), 0)::bigint as new_findings
from days d
left join detection_runs r
  on r.window_start < d.day_start + interval 1 day
  and r.window_end > d.day_start
group by d.day_start
order by d.day_start`;

export async function computeReviewDays(
  connection: DuckDBConnection,
  from: Date,
  to: Date,
  streams: readonly CoverageStream[],
  eventsPerDay: readonly DayCount[],
  accountsPerDay: ReadonlyMap<string, Map<string, number>>,
  findings: readonly ReportFinding[],
): Promise<ReviewDay[]> {
  const rows = await readRows(connection, REVIEW_SQL, [from.toISOString(), to.toISOString()]);
  const byDay = new Map(rows.map((r) => [str(r.day), r]));
  return daysOf(from, to).map((day) => {
    const r = byDay.get(day);
    const firstSeen = zeroSeverities();
    for (const f of findings) {
      if (f.first_seen.slice(0, 10) === day && f.severity in firstSeen)
        firstSeen[f.severity as SeverityName]++;
    }
    const runs = list(r?.runs).map(Number);
    return {
      day,
      reviewed: num(r?.detectors_run) > 0,
      sources: eventsPerDay
        .filter((d) => d.day === day)
        .map((d) => ({
          source: d.source,
          accounts: accountsPerDay.get(day)?.get(d.source) ?? 0,
          events: d.events,
        })),
      gaps: streams
        .filter((s) => s.gap_days.includes(day))
        .map((s) => [s.source, s.format, s.account || '(none)', s.region].filter(Boolean).join('/')),
      window_start: isoOrNull(r?.window_start),
      window_end: isoOrNull(r?.window_end),
      runs,
      reviewed_at: isoOrNull(r?.reviewed_at),
      detectors_run: num(r?.detectors_run),
      detectors_failed: list(r?.detectors_failed),
      rows: num(r?.rows),
      new_findings: num(r?.new_findings),
      findings_first_seen: firstSeen,
    };
  });
}

/** Detectors serving the framework, with the versions that ran in the period and how they fared. */
export async function detectorsInForce(
  connection: DuckDBConnection,
  from: Date,
  to: Date,
  framework: Framework,
  library: readonly Detector[],
): Promise<DetectorInForce[]> {
  const rows = await readRows(
    connection,
    `select detector_id,
  list(distinct detector_version order by detector_version) filter (where detector_version is not null) as versions,
  arg_max(detector_version, started_at) as current_version,
  count(distinct strftime(window_start, '%Y-%m-%d')) filter (where error is null)::bigint as days_run,
  count(*) filter (where error is not null)::bigint as failed_runs,
  arg_max(error, started_at) filter (where error is not null) as last_error
from detection_runs
where window_start < $2::timestamptz
  and window_end > $1::timestamptz
group by detector_id`,
    [from.toISOString(), to.toISOString()],
  );
  const ran = new Map(rows.map((r) => [str(r.detector_id), r]));
  return library
    .map((d) => {
      const controls = framework.controls
        .filter((c) => !c.notApplicable && detectorServes(d.header.controls, c))
        .map((c) => c.id);
      const r = ran.get(d.id);
      return {
        id: d.id,
        title: d.header.title,
        severity: d.header.severity,
        sources: [...d.header.sources],
        versions: list(r?.versions),
        current_version: strOrNull(r?.current_version),
        days_run: num(r?.days_run),
        failed_runs: num(r?.failed_runs),
        last_error: strOrNull(r?.last_error),
        controls,
      };
    })
    .filter((d) => d.controls.length > 0)
    .sort((a, b) => a.id.localeCompare(b.id));
}
