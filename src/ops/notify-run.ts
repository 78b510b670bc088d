import type { NotificationsConfig } from '../notify/notifications-config.js';
import { type NotificationResult, type NotifyLog, notify } from '../notify/notify.js';
import { type RunNotification, toNotificationFinding } from '../notify/run-notification.js';
import type { RunSummary } from './nightly-run.js';

/** The notification of a run: the public webhook payload's `summary` (docs/notifications.md). */
export function toRunNotification(summary: RunSummary): RunNotification {
  return {
    run_id: summary.run_id,
    started_at: summary.started_at,
    finished_at: summary.finished_at,
    status: summary.status,
    exit_code: summary.exit_code,
    error: summary.error,
    host: summary.host,
    store: summary.store,
    ingest: {
      events_new: summary.ingest.events_new,
      events_duplicate: summary.ingest.events_duplicate,
      errors: summary.ingest.errors,
      sources: summary.ingest.sources.map((s) => ({
        source: s.source,
        name: s.name,
        status: s.status,
        events_new: s.events_new,
        events_duplicate: s.events_duplicate,
        errors: s.errors,
        error: s.error,
      })),
    },
    detection: {
      detectors_run: summary.detection.detectors_run,
      detectors_failed: summary.detection.detectors_failed,
    },
    new_findings: summary.new_findings.map(toNotificationFinding),
    reports: summary.reports.flatMap((r) => r.files),
  };
}

/**
 * Sends the run's notifications. Never throws: a notification that cannot be sent is a result
 * with its error, shown in the summary; it never changes the run's status or exit code.
 */
export async function notifyRun(
  summary: RunSummary,
  config: NotificationsConfig,
  log: NotifyLog,
): Promise<NotificationResult[]> {
  if (config.webhooks.length === 0 && config.slack.length === 0 && !config.email) return [];
  try {
    return await notify(toRunNotification(summary), config, { log });
  } catch (error) {
    // notify() promises not to throw; this keeps that promise even if it ever breaks it.
    return [
      {
        kind: 'webhook',
        target: 'notifications',
        skipped: false,
        ok: false,
        reasons: [],
        findings: 0,
        attempts: 0,
        status: null,
        error: error instanceof Error ? error.message : String(error),
        delivery_id: null,
      },
    ];
  }
}
