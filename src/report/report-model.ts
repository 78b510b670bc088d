import type { ChainProblem, ChainVerification } from '../store/chain-verify.js';

/**
 * The computed compliance report: plain data, computed once (compute-report.ts) and rendered many
 * ways (PDF, JSON, CSV, OSCAL). The JSON form is this object as is; its schema is documented in
 * docs/reports.md and versioned by `schema`. Times are ISO-8601 UTC strings, days `YYYY-MM-DD`.
 */

export const REPORT_SCHEMA = 'auditlake.report/v1';

export const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type SeverityName = (typeof SEVERITY_ORDER)[number];
export type SeverityCounts = Record<SeverityName, number>;

export const CONTROL_STATUSES = ['satisfied', 'findings', 'no evidence', 'not applicable'] as const;
export type ControlStatus = (typeof CONTROL_STATUSES)[number];

export interface ReportPeriod {
  from: string;
  to: string;
  days: string[];
  previous: { from: string; to: string };
}

export interface SourceSummary {
  source: string;
  formats: string[];
  accounts: number;
  events: number;
  first_event: string | null;
  last_event: string | null;
  /** In scope of the framework but without a single event in the period. */
  missing: boolean;
}

/** One log stream: a source/format/account (and region for AWS, where trails deliver per region). */
export interface CoverageStream {
  source: string;
  format: string;
  account: string;
  region: string | null;
  events: number;
  days_with_data: number;
  gap_days: string[];
  /** Average events per day with data below 5: a silent day may be normal. */
  low_volume: boolean;
}

export interface DayCount {
  day: string;
  source: string;
  events: number;
}

export interface Coverage {
  streams: CoverageStream[];
  events_per_day: DayCount[];
  gap_count: number;
}

export interface ReviewedSource {
  source: string;
  accounts: number;
  events: number;
}

export interface ReviewDay {
  day: string;
  reviewed: boolean;
  sources: ReviewedSource[];
  /** Streams silent that day (source/format/account[/region]). */
  gaps: string[];
  /** Earliest window start and latest window end of the clean runs that judged this day. */
  window_start: string | null;
  window_end: string | null;
  runs: number[];
  reviewed_at: string | null;
  detectors_run: number;
  detectors_failed: string[];
  rows: number;
  new_findings: number;
  findings_first_seen: SeverityCounts;
}

export interface DetectorInForce {
  id: string;
  title: string;
  severity: string;
  sources: string[];
  /** Versions (sha256 of the SQL file) that ran in the period, newest last. */
  versions: string[];
  current_version: string | null;
  days_run: number;
  failed_runs: number;
  last_error: string | null;
  controls: string[];
}

export interface Disposition {
  finding_id: string;
  at: string;
  from_status: string | null;
  to_status: string;
  by: string;
  reason: string | null;
}

export interface ReviewRecord {
  days: ReviewDay[];
  days_reviewed: number;
  days_not_reviewed: string[];
  detectors: DetectorInForce[];
  dispositions: Disposition[];
}

export interface ChainCheck {
  performed: boolean;
  status: ChainVerification['status'] | 'not verified';
  /** The UTC days whose events were recomputed, [from, to). */
  range: ChainVerification['range'];
  checked: ChainVerification['checked'];
  problems_total: number;
  /** The earliest problem in batch order, when broken. */
  first_break: Pick<ChainProblem, 'kind' | 'batch_id' | 'source' | 'day' | 'detail'> | null;
}

/** A chain problem as the report states it: what, then where (batch, source, day) when known. */
export function chainBreakText(b: ChainCheck['first_break']): string {
  if (!b) return 'unnamed';
  const where = [b.batch_id === null ? null : `batch ${b.batch_id}`, b.source, b.day]
    .filter(Boolean)
    .join(', ');
  return where ? `${b.detail} (${where})` : b.detail;
}

export interface CheckResult {
  name: string;
  status: 'pass' | 'exceptions' | 'no data';
  detail: string;
  exceptions: number;
}

export interface QueryEvidence {
  id: string;
  title: string;
  rows: number;
  columns: string[];
  sample: Record<string, string | number | boolean | null>[];
  sql: string;
  error: string | null;
}

export interface ControlDetector {
  id: string;
  ran: boolean;
  findings: number;
}

export interface ControlResult {
  id: string;
  title: string;
  requirement: string;
  maps_to: string[];
  review: boolean;
  status: ControlStatus;
  /** Why the status: what is missing, what was found, or why not applicable. */
  reason: string;
  findings: SeverityCounts;
  finding_ids: string[];
  suppressed: number;
  detectors: ControlDetector[];
  checks: CheckResult[];
  queries: string[];
}

export interface EvidenceEvent {
  event_id: string;
  event_time: string;
  source: string;
  account: string | null;
  region: string | null;
  actor: string | null;
  action: string | null;
  source_ip: string | null;
  outcome: string;
}

export interface ReportFinding {
  id: string;
  detector: string;
  detector_version: string;
  severity: string;
  title: string;
  status: string;
  summary: string | null;
  actor: string | null;
  account: string | null;
  region: string | null;
  source_ip: string | null;
  action: string | null;
  resource: string | null;
  first_seen: string;
  last_seen: string;
  count: number;
  controls: string[];
  remediation: string | null;
  status_by: string | null;
  status_reason: string | null;
  status_at: string;
  suppression: { reason: string; by: string | null; until: string | null; rule: number | null } | null;
  evidence: EvidenceEvent[];
  evidence_total: number;
  history: Disposition[];
}

export interface Risk {
  finding_id: string;
  severity: string;
  title: string;
  actor: string | null;
  account: string | null;
  status: string;
  last_seen: string;
  count: number;
}

export interface Summary {
  controls: Record<ControlStatus, number>;
  findings: SeverityCounts;
  previous_findings: SeverityCounts;
  open_findings: number;
  suppressed_findings: number;
  top_risks: Risk[];
  statements: string[];
}

export interface ChartData {
  findings_per_day: { day: string; severity: string; findings: number }[];
  privileged_by_actor: { actor: string; events: number }[];
  activity_by_hour: { hour: number; source: string; events: number }[];
}

export interface Checkpoint {
  source: string;
  origins: number;
  last_update: string | null;
}

export interface Reproduction {
  what: string;
  sql: string;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  generated_at: string;
  organization: string;
  framework: {
    key: string;
    name: string;
    version: string;
    title: string;
    publisher: string | null;
    crosswalk_of: string | null;
  };
  period: ReportPeriod;
  store: {
    /**
     * The hash chain's root for the period (chainRootForPeriod): over the day roots of the UTC days
     * the period overlaps, as of chain batch `as_of_batch_id` (null: the chain is empty).
     */
    digest: {
      algorithm: string;
      method: string;
      value: string;
      events: number;
      as_of_batch_id: number | null;
    };
    /**
     * The hash chain recomputed when the report was made (verifyChain over the period's UTC days,
     * plus every link): what the integrity check stands on. `performed` is false for a report made
     * with --no-verify.
     */
    verification: ChainCheck;
    sources: SourceSummary[];
    checkpoints: Checkpoint[];
    retention: {
      oldest_event: string | null;
      days_held: number;
      days_required: number;
      /** The retention in force (auditlake.yaml retention.events), in days; null: events kept indefinitely. */
      policy_days: number | null;
      /** The latest UTC day whose events retention pruned (the chain keeps their roots), or null. */
      pruned_through: string | null;
    };
  };
  summary: Summary;
  coverage: Coverage;
  review: ReviewRecord;
  controls: ControlResult[];
  findings: ReportFinding[];
  queries: QueryEvidence[];
  charts: ChartData;
  appendix: {
    method: string[];
    suppressions: SuppressionEntry[];
    reproduce: Reproduction[];
    notes: string[];
    /** The key the written report is signed with; null when it is written unsigned. */
    signing: ReportSigning | null;
  };
}

/** Printed in the appendix: the public half of the signing key, so a reader can pin it. */
export interface ReportSigning {
  algorithm: 'ed25519';
  key_fingerprint: string;
  public_key: string;
}

export interface SuppressionEntry {
  finding_id: string;
  detector: string;
  by: string | null;
  reason: string | null;
  at: string;
  until: string | null;
  rule: number | null;
}

export function zeroSeverities(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
}

export function severityRank(severity: string): number {
  const i = (SEVERITY_ORDER as readonly string[]).indexOf(severity);
  return i < 0 ? SEVERITY_ORDER.length : i;
}
