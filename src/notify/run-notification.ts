import { SEVERITIES, type Severity } from '../detect/detector-header.js';

/**
 * What a notification says about one nightly run (`auditlake run`). Plain JSON data: the run
 * command fills it in, and webhooks, Slack and email render it. It is also the `summary` of the
 * webhook payload (docs/notifications.md), so field names are part of a public contract: add
 * fields, never rename them.
 */

/** ok: clean. partial: the run finished but a source or detector failed. failed: it did not finish. */
export type RunNotificationStatus = 'ok' | 'partial' | 'failed';

/** One configured source (or stream) as the run ingested it. */
export interface SourceRunSummary {
  /** aws, gcp, azure or files. */
  source: string;
  /** The source's label: its configured name, or scope such as an account, project or workspace. */
  name: string;
  status: 'ok' | 'failed';
  events_new: number;
  events_duplicate: number;
  /** Records that could not be read (rows in ingest_errors). */
  errors: number;
  /** Why the source failed: one line, already redacted. */
  error: string | null;
}

/**
 * A finding that is new (or reopened) in this run. No link, since auditlake has no web UI: `id` is
 * what `auditlake findings ack|suppress|resolve ID` take and the `findings` table is keyed by.
 */
export interface NotificationFinding {
  id: string;
  detector: string;
  severity: Severity;
  title: string;
  summary: string | null;
  actor: string | null;
  account: string | null;
  /** ISO 8601, UTC. */
  first_seen: string;
}

/** A new finding as the store lists it: the same fields, with any severity text. */
export type StoredFinding = Omit<NotificationFinding, 'severity'> & { severity: string };

export interface RunNotification {
  /** The run's row in the store's `runs` table; null when the run failed before it was recorded. */
  run_id: number | null;
  /** ISO 8601, UTC. */
  started_at: string;
  finished_at: string;
  status: RunNotificationStatus;
  /** The process exit code (README: 0 clean, 1 failed, 3 new high/critical findings, 4 partial). */
  exit_code: number;
  /** Why the run failed, when status is failed: one line, already redacted. */
  error: string | null;
  host: string;
  /** The store's path. */
  store: string;
  ingest: {
    events_new: number;
    events_duplicate: number;
    errors: number;
    sources: SourceRunSummary[];
  };
  detection: {
    detectors_run: number;
    detectors_failed: number;
  };
  new_findings: NotificationFinding[];
  /** Paths of the reports this run wrote. */
  reports: string[];
}

/** 0 for info up to 4 for critical. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

/** Findings at or above `min`, most severe first, then oldest first (stable for equal keys). */
export function findingsAtOrAbove(
  findings: readonly NotificationFinding[],
  min: Severity,
): NotificationFinding[] {
  const floor = severityRank(min);
  return findings
    .filter((f) => severityRank(f.severity) >= floor)
    .sort(
      (a, b) =>
        severityRank(b.severity) - severityRank(a.severity) ||
        a.first_seen.localeCompare(b.first_seen) ||
        a.id.localeCompare(b.id),
    );
}

/** Count per severity, most severe first, only severities present. */
export function countBySeverity(
  findings: readonly NotificationFinding[],
): { severity: Severity; count: number }[] {
  const counts = new Map<Severity, number>();
  for (const f of findings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  return [...SEVERITIES]
    .reverse()
    .filter((s) => counts.has(s))
    .map((severity) => ({ severity, count: counts.get(severity) ?? 0 }));
}

/** "3 new findings (1 critical, 2 high)" or "no new findings". */
export function describeFindings(findings: readonly NotificationFinding[]): string {
  if (findings.length === 0) return 'no new findings';
  const parts = countBySeverity(findings).map((c) => `${c.count} ${c.severity}`);
  return `${findings.length} new finding${findings.length === 1 ? '' : 's'} (${parts.join(', ')})`;
}

export function failedSources(notification: RunNotification): SourceRunSummary[] {
  return notification.ingest.sources.filter((s) => s.status === 'failed');
}

/**
 * One line for a chat message, a mail subject or a log: status, events, detectors, findings.
 * Numbers are plain (no locale grouping) so the line is the same on every machine.
 */
export function summaryLine(n: RunNotification): string {
  const head = `auditlake run${n.run_id === null ? '' : ` ${n.run_id}`} on ${n.host}: ${n.status} (exit ${n.exit_code})`;
  const parts: string[] = [];
  if (n.status === 'failed' && n.error) parts.push(n.error);
  const sources = n.ingest.sources;
  const failed = failedSources(n);
  let events = `${n.ingest.events_new} new event${n.ingest.events_new === 1 ? '' : 's'}`;
  if (n.ingest.errors > 0)
    events += `, ${n.ingest.errors} unreadable record${n.ingest.errors === 1 ? '' : 's'}`;
  parts.push(events);
  if (failed.length > 0) {
    parts.push(
      `${failed.length} of ${sources.length} source${sources.length === 1 ? '' : 's'} failed (${failed
        .map((s) => `${s.source} ${s.name}`)
        .join(', ')})`,
    );
  }
  const d = n.detection;
  parts.push(
    `${d.detectors_run} detector${d.detectors_run === 1 ? '' : 's'} run${d.detectors_failed > 0 ? `, ${d.detectors_failed} failed` : ''}`,
  );
  parts.push(describeFindings(n.new_findings));
  if (n.reports.length > 0)
    parts.push(`${n.reports.length} report${n.reports.length === 1 ? '' : 's'} written`);
  return `${head} — ${parts.join('; ')}`;
}

/**
 * A finding as the store lists it (FindingRecord) narrowed to what a notification carries. An
 * unknown severity (a detector header newer than this code) counts as info rather than being lost.
 */
export function toNotificationFinding(record: StoredFinding): NotificationFinding {
  return {
    id: record.id,
    detector: record.detector,
    severity: isSeverity(record.severity) ? record.severity : 'info',
    title: record.title,
    summary: record.summary,
    actor: record.actor,
    account: record.account,
    first_seen: record.first_seen,
  };
}
