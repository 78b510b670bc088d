import type { GCP_LOG_KINDS } from '../../config/sources/gcp.js';

export type GcpLogKind = (typeof GCP_LOG_KINDS)[number];

/**
 * The Cloud Logging filter of one stream: its audit logs in a half-open timestamp window.
 *
 * Both bounds are always written: without a timestamp clause @google-cloud/logging (and some
 * gcloud paths) add their own "last 24 hours" bound, and an unbounded upper end would let the
 * window move while it is paged.
 */
export function auditLogNames(resource: string, kinds: readonly GcpLogKind[]): string[] {
  // logName carries the log id URL-encoded: "cloudaudit.googleapis.com%2Factivity".
  return [...new Set(kinds)].sort().map((kind) => `${resource}/logs/cloudaudit.googleapis.com%2F${kind}`);
}

export function entriesFilter(resource: string, kinds: readonly GcpLogKind[], from: Date, to: Date): string {
  const names = auditLogNames(resource, kinds).map((name) => `logName="${name}"`);
  const logs = names.length === 1 ? names[0] : `(${names.join(' OR ')})`;
  return `timestamp>="${from.toISOString()}" AND timestamp<"${to.toISOString()}" AND ${logs}`;
}
