import nodemailer from 'nodemailer';
import { describeError } from '../errors.js';
import { withRetry } from '../util/retry.js';
import type { EmailTarget } from './notifications-config.js';
import type { DeliveryOutcome, PostDeps } from './post-json.js';
import {
  countBySeverity,
  describeFindings,
  failedSources,
  type NotificationFinding,
  type RunNotification,
  summaryLine,
} from './run-notification.js';

/**
 * The run summary as a plain-text email over SMTP (nodemailer). Plain text only: it reads the same
 * in every client, and there is no HTML into which a hostile actor name could inject markup.
 */

export interface EmailMessage {
  subject: string;
  text: string;
}

/** Header values must stay on one line (no header injection through a host or error text). */
function headerSafe(text: string, max: number): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function subjectOf(n: RunNotification, findings: readonly NotificationFinding[], prefix: string): string {
  const what =
    n.status === 'failed'
      ? `run failed on ${n.host}`
      : `${describeFindings(findings)} on ${n.host}${n.status === 'partial' ? ' (partial run)' : ''}`;
  return headerSafe(`${prefix ? `${prefix} ` : ''}${what}`, 200);
}

export function emailMessage(
  n: RunNotification,
  findings: readonly NotificationFinding[],
  options: { maxFindings: number; subjectPrefix: string; minSeverity: string },
): EmailMessage {
  const lines: string[] = [summaryLine(n), ''];
  lines.push(`Run        ${n.run_id ?? '-'} (exit code ${n.exit_code})`);
  lines.push(`Started    ${n.started_at}`);
  lines.push(`Finished   ${n.finished_at}`);
  lines.push(`Host       ${n.host}`);
  lines.push(`Store      ${n.store}`);
  if (n.error) lines.push(`Error      ${n.error}`);
  lines.push('');
  lines.push(
    `Ingest: ${n.ingest.events_new} new events, ${n.ingest.events_duplicate} duplicates, ${n.ingest.errors} unreadable records`,
  );
  for (const s of n.ingest.sources) {
    lines.push(
      s.status === 'failed'
        ? `  ${s.source} ${s.name}: FAILED: ${s.error ?? 'no detail'}`
        : `  ${s.source} ${s.name}: ${s.events_new} new, ${s.events_duplicate} duplicate, ${s.errors} unreadable`,
    );
  }
  const failed = failedSources(n).length;
  if (failed > 0)
    lines.push(`  ${failed} source${failed === 1 ? '' : 's'} failed: the audit trail has a gap`);
  lines.push(`Detection: ${n.detection.detectors_run} detectors run, ${n.detection.detectors_failed} failed`);
  lines.push('');
  const shown = findings.slice(0, options.maxFindings);
  if (findings.length === 0) {
    lines.push(`New findings at ${options.minSeverity} or above: none`);
  } else {
    const bySeverity = countBySeverity(findings)
      .map((c) => `${c.count} ${c.severity}`)
      .join(', ');
    lines.push(`New findings at ${options.minSeverity} or above: ${findings.length} (${bySeverity})`);
    for (const f of shown) {
      lines.push('');
      lines.push(`  [${f.severity.toUpperCase()}] ${f.title}`);
      lines.push(`    detector    ${f.detector}`);
      lines.push(`    actor       ${f.actor ?? '-'}`);
      lines.push(`    account     ${f.account ?? '-'}`);
      lines.push(`    first seen  ${f.first_seen}`);
      if (f.summary) lines.push(`    summary     ${f.summary.replace(/\s+/g, ' ')}`);
      lines.push(`    id          ${f.id}`);
    }
    if (findings.length > shown.length) {
      lines.push('');
      lines.push(`  ...and ${findings.length - shown.length} more: auditlake findings --status open`);
    }
  }
  const below = n.new_findings.length - findings.length;
  if (below > 0) lines.push(`(${below} new findings below ${options.minSeverity} are not listed)`);
  if (n.reports.length > 0) {
    lines.push('');
    lines.push('Reports written:');
    for (const r of n.reports) lines.push(`  ${r}`);
  }
  lines.push('');
  lines.push('-- ');
  lines.push('Sent by auditlake run. Configure or silence: notifications.email in auditlake.yaml.');
  return { subject: subjectOf(n, findings, options.subjectPrefix), text: `${lines.join('\n')}\n` };
}

interface SmtpError {
  code?: string;
  responseCode?: number;
}

function smtpFields(error: unknown): SmtpError {
  return typeof error === 'object' && error !== null ? (error as SmtpError) : {};
}

/** 4xx replies are transient by SMTP's own definition; 5xx and refused logins are final. */
function retryable(error: unknown): boolean {
  const { code, responseCode } = smtpFields(error);
  if (responseCode !== undefined) return responseCode >= 400 && responseCode < 500;
  return code !== 'EAUTH' && code !== 'EENVELOPE' && code !== 'EMESSAGE' && code !== 'ETLS';
}

export async function sendEmail(
  args: {
    target: EmailTarget;
    auth: { user: string; pass: string } | undefined;
    deliveryId: string;
    notification: RunNotification;
    findings: readonly NotificationFinding[];
  },
  deps: Pick<PostDeps, 'sleep' | 'random' | 'scrub' | 'onRetry'>,
): Promise<DeliveryOutcome> {
  const { target } = args;
  const message = emailMessage(args.notification, args.findings, {
    maxFindings: target.max_findings,
    subjectPrefix: target.subject_prefix,
    minSeverity: target.min_severity,
  });
  const timeout = target.timeout_seconds * 1000;
  const transport = nodemailer.createTransport({
    host: target.smtp_host,
    port: target.smtp_port,
    secure: target.security === 'tls',
    requireTLS: target.security === 'starttls',
    ignoreTLS: target.security === 'none',
    ...(args.auth ? { auth: args.auth } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  let attempts = 0;
  let status: number | null = null;
  try {
    const info = await withRetry(
      async () => {
        attempts++;
        try {
          return await transport.sendMail({
            from: target.from,
            to: target.to,
            subject: message.subject,
            text: message.text,
            // The same Message-ID on every attempt: a server that accepted an attempt whose reply was
            // lost sees the retry as a duplicate.
            messageId: `<${args.deliveryId}@auditlake>`,
            headers: { 'X-Auditlake-Delivery': args.deliveryId },
          });
        } catch (error) {
          status = smtpFields(error).responseCode ?? null;
          throw error;
        }
      },
      {
        attempts: target.retries + 1,
        baseMs: 2000,
        maxMs: 30_000,
        sleep: (ms) => deps.sleep(ms),
        ...(deps.random ? { random: deps.random } : {}),
        classify: (error) => ({ retry: retryable(error) }),
        onRetry: (attempt, delayMs, error) =>
          deps.onRetry?.(attempt, delayMs, deps.scrub(describeSmtp(error))),
      },
    );
    status = Number(/^\d{3}/.exec(info.response)?.[0] ?? 250);
    if (info.rejected.length > 0) {
      return {
        ok: false,
        attempts,
        status,
        error: `${info.rejected.length} of ${target.to.length} recipients rejected`,
      };
    }
    return { ok: true, attempts, status, error: null };
  } catch (error) {
    let text = describeSmtp(error);
    if (attempts > 1 && attempts >= target.retries + 1) text += ` (gave up after ${attempts} attempts)`;
    return { ok: false, attempts, status, error: deps.scrub(text) };
  } finally {
    transport.close();
  }
}

function describeSmtp(error: unknown): string {
  const { code } = smtpFields(error);
  const text = describeError(error).replace(/\s+/g, ' ').trim();
  const clipped = text.length > 300 ? `${text.slice(0, 300)}…` : text;
  return code && !clipped.includes(code) ? `${code}: ${clipped}` : clipped;
}
