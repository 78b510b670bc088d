import type { Severity } from '../detect/detector-header.js';
import type { NotifyOn } from './notifications-config.js';
import { findingsAtOrAbove, type NotificationFinding, type RunNotification } from './run-notification.js';

export interface TargetFilter {
  on: readonly NotifyOn[];
  min_severity: Severity;
}

export interface TargetSelection {
  /** The `on` conditions this run meets; empty means the target hears nothing of it. */
  reasons: NotifyOn[];
  /** The new findings at or above the target's min_severity, most severe first. */
  findings: NotificationFinding[];
}

/**
 * Decides whether a target hears about a run, and which findings it is told. A partial run counts
 * as a failure: a source that could not be read is a gap in the audit trail someone must look at.
 */
export function selectForTarget(notification: RunNotification, filter: TargetFilter): TargetSelection {
  const findings = findingsAtOrAbove(notification.new_findings, filter.min_severity);
  const reasons: NotifyOn[] = [];
  if (filter.on.includes('findings') && findings.length > 0) reasons.push('findings');
  if (filter.on.includes('failure') && notification.status !== 'ok') reasons.push('failure');
  if (filter.on.includes('always')) reasons.push('always');
  return { reasons, findings };
}
