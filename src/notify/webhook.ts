import { createHmac } from 'node:crypto';
import type { Severity } from '../detect/detector-header.js';
import type { NotifyOn, WebhookTarget } from './notifications-config.js';
import { type DeliveryOutcome, type PostDeps, postJson } from './post-json.js';
import {
  countBySeverity,
  type NotificationFinding,
  type RunNotification,
  summaryLine,
} from './run-notification.js';

/**
 * The generic webhook: a JSON body with the run summary and its new findings, signed with
 * HMAC-SHA256 so a receiver can tell it came from us and was not replayed (docs/notifications.md).
 */

export const WEBHOOK_SCHEMA = 'auditlake.run-notification/v1';
export const SIGNATURE_HEADER = 'X-Auditlake-Signature';
export const TIMESTAMP_HEADER = 'X-Auditlake-Timestamp';
export const DELIVERY_HEADER = 'X-Auditlake-Delivery';

export interface WebhookPayload {
  schema: typeof WEBHOOK_SCHEMA;
  /** Same as the X-Auditlake-Delivery header, and the same on every retry: dedupe on it. */
  delivery_id: string;
  /** Which of the target's `on` conditions this run met. */
  reasons: NotifyOn[];
  /** The one-line summary, for receivers that just forward text. */
  text: string;
  summary: Omit<RunNotification, 'new_findings'> & {
    /** All new findings of the run, whatever the target's min_severity. */
    new_findings_total: number;
    new_findings_by_severity: Partial<Record<Severity, number>>;
  };
  /** New findings at or above the target's min_severity, most severe first, capped at max_findings. */
  new_findings: NotificationFinding[];
  /** Findings at or above min_severity left out by max_findings. */
  new_findings_omitted: number;
}

export function webhookPayload(
  notification: RunNotification,
  selection: { reasons: NotifyOn[]; findings: NotificationFinding[] },
  options: { deliveryId: string; maxFindings: number },
): WebhookPayload {
  const { new_findings, ...summary } = notification;
  const listed = selection.findings.slice(0, options.maxFindings);
  return {
    schema: WEBHOOK_SCHEMA,
    delivery_id: options.deliveryId,
    reasons: selection.reasons,
    text: summaryLine(notification),
    summary: {
      ...summary,
      new_findings_total: new_findings.length,
      new_findings_by_severity: Object.fromEntries(
        countBySeverity(new_findings).map((c) => [c.severity, c.count]),
      ),
    },
    new_findings: listed,
    new_findings_omitted: selection.findings.length - listed.length,
  };
}

/** `sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>` under the secret. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Headers of one attempt. The timestamp (Unix seconds) is that attempt's, so a receiver's replay
 * window still accepts a retry made minutes later; the delivery id stays the same.
 */
export function webhookHeaders(options: {
  body: string;
  deliveryId: string;
  at: Date;
  secret: string | undefined;
}): Record<string, string> {
  const timestamp = String(Math.floor(options.at.getTime() / 1000));
  const headers: Record<string, string> = {
    'user-agent': 'auditlake-webhook/1',
    [DELIVERY_HEADER]: options.deliveryId,
    [TIMESTAMP_HEADER]: timestamp,
  };
  if (options.secret !== undefined)
    headers[SIGNATURE_HEADER] = signature(options.secret, timestamp, options.body);
  return headers;
}

export async function sendWebhook(
  args: {
    url: string;
    secret: string | undefined;
    deliveryId: string;
    target: WebhookTarget;
    notification: RunNotification;
    selection: { reasons: NotifyOn[]; findings: NotificationFinding[] };
  },
  deps: PostDeps,
): Promise<DeliveryOutcome> {
  const body = JSON.stringify(
    webhookPayload(args.notification, args.selection, {
      deliveryId: args.deliveryId,
      maxFindings: args.target.max_findings,
    }),
  );
  return postJson(
    {
      url: args.url,
      body,
      headers: (at) => webhookHeaders({ body, deliveryId: args.deliveryId, at, secret: args.secret }),
      timeoutMs: args.target.timeout_seconds * 1000,
      attempts: args.target.retries + 1,
    },
    deps,
  );
}
