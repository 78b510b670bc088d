import type { DuckDBConnection } from '@duckdb/node-api';
import { type FindingRecord, listFindings } from '../detect/findings-store.js';
import type { Detector } from '../detect/load-detectors.js';
import { detectorServes, type Framework } from './frameworks.js';
import { isoOrNull, readRows, str, strOrNull } from './query-rows.js';
import type {
  Disposition,
  EvidenceEvent,
  ReportFinding,
  SeverityCounts,
  SeverityName,
} from './report-model.js';
import { severityRank, zeroSeverities } from './report-model.js';

/** Evidence events shown per finding; the finding's count and `auditlake query` give the rest. */
export const EVIDENCE_PER_FINDING = 5;

/**
 * The findings of a framework in a period: those active in it (last_seen >= from, first_seen <
 * to) whose recorded controls (copied from the detector header when found) map to one of the
 * framework's controls, directly or through a crosswalk.
 */
export function frameworkControlsOf(f: Pick<FindingRecord, 'controls'>, framework: Framework): string[] {
  return framework.controls.filter((c) => !c.notApplicable && detectorServes(f.controls, c)).map((c) => c.id);
}

export async function listFrameworkFindings(
  connection: DuckDBConnection,
  framework: Framework,
  from: Date,
  to: Date,
): Promise<{ record: FindingRecord; controls: string[] }[]> {
  const records = await listFindings(connection, { since: from, until: to });
  return records
    .map((record) => ({ record, controls: frameworkControlsOf(record, framework) }))
    .filter((f) => f.controls.length > 0);
}

export function countBySeverity(findings: readonly { severity: string; status: string }[]): SeverityCounts {
  const out = zeroSeverities();
  for (const f of findings) {
    if (f.status === 'suppressed') continue;
    if (f.severity in out) out[f.severity as SeverityName]++;
  }
  return out;
}

async function historyOf(
  connection: DuckDBConnection,
  ids: readonly string[],
): Promise<Map<string, Disposition[]>> {
  const out = new Map<string, Disposition[]>();
  if (ids.length === 0) return out;
  const rows = await readRows(
    connection,
    `select finding_id, changed_at, from_status, to_status, changed_by, reason
from finding_history
where finding_id in (select unnest($1::varchar[]))
order by finding_id, changed_at, rowid`,
    [JSON.stringify(ids)],
  );
  for (const r of rows) {
    const id = str(r.finding_id);
    const entry: Disposition = {
      finding_id: id,
      at: isoOrNull(r.changed_at) ?? '',
      from_status: strOrNull(r.from_status),
      to_status: str(r.to_status),
      by: str(r.changed_by),
      reason: strOrNull(r.reason),
    };
    out.set(id, [...(out.get(id) ?? []), entry]);
  }
  return out;
}

async function evidenceOf(
  connection: DuckDBConnection,
  records: readonly FindingRecord[],
): Promise<Map<string, EvidenceEvent>> {
  const ids = [...new Set(records.flatMap((r) => r.evidence.slice(0, EVIDENCE_PER_FINDING)))];
  const out = new Map<string, EvidenceEvent>();
  if (ids.length === 0) return out;
  // Bounded by the findings' own time span so DuckDB skips row groups outside it.
  const lo = records.map((r) => r.first_seen).sort()[0] ?? '';
  const hi =
    records
      .map((r) => r.last_seen)
      .sort()
      .at(-1) ?? '';
  const rows = await readRows(
    connection,
    `select event_id, event_time, source, account, region, actor, action, source_ip, outcome
from events
where event_time >= $2::timestamptz
  and event_time <= $3::timestamptz
  and event_id in (select unnest($1::varchar[]))`,
    [JSON.stringify(ids), lo, hi],
  );
  for (const r of rows) {
    out.set(str(r.event_id), {
      event_id: str(r.event_id),
      event_time: isoOrNull(r.event_time) ?? '',
      source: str(r.source),
      account: strOrNull(r.account),
      region: strOrNull(r.region),
      actor: strOrNull(r.actor),
      action: strOrNull(r.action),
      source_ip: strOrNull(r.source_ip),
      outcome: str(r.outcome),
    });
  }
  return out;
}

/** Suppression details: the config rule (with its expiry) or the person's change in history. */
function suppressionOf(record: FindingRecord, history: readonly Disposition[]): ReportFinding['suppression'] {
  if (record.status !== 'suppressed') return null;
  if (record.suppression) {
    return {
      reason: record.suppression.reason,
      by: record.suppression.by ?? null,
      until: record.suppression.expires ?? null,
      rule: record.suppression.rule,
    };
  }
  const last = [...history].reverse().find((h) => h.to_status === 'suppressed');
  return {
    reason: last?.reason ?? record.status_reason ?? '',
    by: last?.by ?? record.status_by,
    until: null,
    rule: null,
  };
}

export async function buildReportFindings(
  connection: DuckDBConnection,
  found: readonly { record: FindingRecord; controls: string[] }[],
  library: readonly Detector[],
): Promise<ReportFinding[]> {
  const records = found.map((f) => f.record);
  const history = await historyOf(
    connection,
    records.map((r) => r.id),
  );
  const evidence = await evidenceOf(connection, records);
  const remediation = new Map(library.map((d) => [d.id, d.header.remediation ?? null]));
  const out = found.map(({ record: r, controls }) => {
    const h = history.get(r.id) ?? [];
    return {
      id: r.id,
      detector: r.detector,
      detector_version: r.detector_version,
      severity: r.severity,
      title: r.title,
      status: r.status,
      summary: r.summary,
      actor: r.actor,
      account: r.account,
      region: r.region,
      source_ip: r.source_ip,
      action: r.action,
      resource: r.resource,
      first_seen: r.first_seen,
      last_seen: r.last_seen,
      count: r.count,
      controls,
      remediation: remediation.get(r.detector) ?? null,
      status_by: r.status_by,
      status_reason: r.status_reason,
      status_at: r.status_at,
      suppression: suppressionOf(r, h),
      evidence: r.evidence
        .slice(0, EVIDENCE_PER_FINDING)
        .flatMap((id) => {
          const e = evidence.get(id);
          return e ? [e] : [];
        })
        .sort((a, b) => a.event_time.localeCompare(b.event_time) || a.event_id.localeCompare(b.event_id)),
      evidence_total: r.count,
      history: h,
    };
  });
  return out.sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) ||
      b.last_seen.localeCompare(a.last_seen) ||
      a.id.localeCompare(b.id),
  );
}

/** Every status change but plain creation as open: people's moves and the engine's (rule suppressions, reopenings). */
export function dispositionsOf(findings: readonly ReportFinding[]): Disposition[] {
  return findings
    .flatMap((f) => f.history)
    .filter((h) => h.from_status !== null || h.to_status !== 'open')
    .sort((a, b) => a.at.localeCompare(b.at) || a.finding_id.localeCompare(b.finding_id));
}
