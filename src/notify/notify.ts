import { randomUUID } from 'node:crypto';
import { describeError } from '../errors.js';
import { REDACTED, redact } from '../util/redact.js';
import { sleep as defaultSleep } from '../util/retry.js';
import type {
  EmailTarget,
  NotificationsConfig,
  NotifyOn,
  SlackTarget,
  WebhookTarget,
} from './notifications-config.js';
import type { DeliveryOutcome, PostDeps } from './post-json.js';
import type { RunNotification } from './run-notification.js';
import { sendSlack } from './slack.js';
import { checkTargetUrl, targetHost } from './target-url.js';
import { selectForTarget, type TargetSelection } from './triggers.js';
import { sendWebhook } from './webhook.js';

/**
 * Sends a run's notification to every configured target that wants it. Never throws: a nightly
 * run must not fail, or hide its own exit code, because a chat service was down. Each target gets
 * a result; logs and results name a target by its configured name or its host, never its URL, and
 * every text that leaves here is scrubbed of the secrets this module read.
 */

export type NotificationKind = 'webhook' | 'slack' | 'email';

export interface NotificationResult {
  kind: NotificationKind;
  /** The target's `name`, else its host (or the environment variable naming its URL): never a URL. */
  target: string;
  /** The run met none of the target's `on` conditions: nothing was sent (ok stays true). */
  skipped: boolean;
  ok: boolean;
  /** The `on` conditions the run met. */
  reasons: NotifyOn[];
  /** New findings at or above the target's min_severity. */
  findings: number;
  attempts: number;
  /** Last HTTP status (SMTP reply code for email), null when no answer came. */
  status: number | null;
  error: string | null;
  /** X-Auditlake-Delivery (webhook), the Message-ID's local part (email); null otherwise. */
  delivery_id: string | null;
}

export type NotifyLog = (event: string, fields: Record<string, string | number | boolean | null>) => void;

export interface NotifyOptions {
  fetch?: typeof fetch;
  now?: () => Date;
  /** Waits between attempts; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  env?: NodeJS.ProcessEnv;
  /** Structured log lines (the CLI's logger); values are scrubbed before they get here. */
  log?: NotifyLog;
}

/** Texts to mask in anything this module emits: secrets read from the environment, and URLs. */
class Scrubber {
  private readonly urls = new Map<string, string>();
  private readonly secrets = new Set<string>();

  url(text: string): void {
    const host = targetHost(text);
    this.urls.set(text, host);
    this.urls.set(text.trim(), host);
    try {
      this.urls.set(new URL(text.trim()).href, host);
    } catch {
      // Not a URL: the raw text is still masked.
    }
  }

  secret(text: string): void {
    // Very short values would mask ordinary words; config values that short are not secrets worth the name.
    if (text.length >= 4) this.secrets.add(text);
  }

  scrub = (text: string): string => {
    let out = text;
    const urls = [...this.urls.entries()].sort((a, b) => b[0].length - a[0].length);
    for (const [url, host] of urls) if (url.length > 0) out = out.replaceAll(url, host);
    for (const secret of this.secrets) out = out.replaceAll(secret, REDACTED);
    return redact(out);
  };
}

interface Resolved<T> {
  name: string;
  /** Why the target cannot be used (a missing variable, an invalid URL). */
  problem: string | null;
  value: T | null;
}

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

export async function notify(
  notification: RunNotification,
  config: NotificationsConfig,
  options: NotifyOptions = {},
): Promise<NotificationResult[]> {
  const env = options.env ?? process.env;
  const now = options.now ?? (() => new Date());
  const scrubber = new Scrubber();
  const rawLog = options.log ?? (() => {});
  const log: NotifyLog = (event, fields) => {
    try {
      rawLog(
        event,
        Object.fromEntries(
          Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? scrubber.scrub(v) : v]),
        ),
      );
    } catch {
      // A broken logger must not break notification.
    }
  };
  const depsFor = (kind: NotificationKind, target: string): PostDeps => ({
    fetch: options.fetch ?? globalThis.fetch,
    sleep: options.sleep ?? ((ms) => defaultSleep(ms)),
    now,
    random: options.random,
    scrub: scrubber.scrub,
    onRetry: (attempt, delayMs, reason) =>
      log('notify.retry', { kind, target, attempt, delay_ms: delayMs, reason }),
  });

  // Resolve every reference first, so each secret is known to the scrubber before anything is sent.
  const webhooks = config.webhooks.map((t) => ({ target: t, resolved: resolveWebhook(t, env, scrubber) }));
  const slacks = config.slack.map((t) => ({ target: t, resolved: resolveSlack(t, env, scrubber) }));
  const email = config.email
    ? { target: config.email, resolved: resolveEmail(config.email, env, scrubber) }
    : null;

  const deliver = async <T>(
    kind: NotificationKind,
    filter: WebhookTarget | SlackTarget | EmailTarget,
    resolved: Resolved<T>,
    send: (value: T, selection: TargetSelection, deliveryId: string) => Promise<DeliveryOutcome>,
    withDeliveryId: boolean,
  ): Promise<NotificationResult> => {
    const selection = selectForTarget(notification, filter);
    const base = {
      kind,
      target: resolved.name,
      reasons: selection.reasons,
      findings: selection.findings.length,
    };
    try {
      if (resolved.problem !== null || resolved.value === null) {
        const error = scrubber.scrub(resolved.problem ?? 'not configured');
        log('notify.failed', { kind, target: resolved.name, attempts: 0, status: null, error });
        return { ...base, skipped: false, ok: false, attempts: 0, status: null, error, delivery_id: null };
      }
      if (selection.reasons.length === 0) {
        log('notify.skipped', { kind, target: resolved.name, findings: selection.findings.length });
        return {
          ...base,
          skipped: true,
          ok: true,
          attempts: 0,
          status: null,
          error: null,
          delivery_id: null,
        };
      }
      const deliveryId = randomUUID();
      const outcome = await send(resolved.value, selection, deliveryId);
      const delivery_id = withDeliveryId ? deliveryId : null;
      const error = outcome.error === null ? null : scrubber.scrub(outcome.error);
      if (outcome.ok) {
        log('notify.sent', {
          kind,
          target: resolved.name,
          attempts: outcome.attempts,
          status: outcome.status,
          findings: selection.findings.length,
          reasons: selection.reasons.join(','),
          delivery_id,
        });
      } else {
        log('notify.failed', {
          kind,
          target: resolved.name,
          attempts: outcome.attempts,
          status: outcome.status,
          error,
          delivery_id,
        });
      }
      return { ...base, skipped: false, ...outcome, error, delivery_id };
    } catch (caught) {
      // Senders do not throw; this is the last guard of the never-throws promise.
      const error = scrubber.scrub(describeError(caught));
      log('notify.failed', { kind, target: resolved.name, attempts: 0, status: null, error });
      return { ...base, skipped: false, ok: false, attempts: 0, status: null, error, delivery_id: null };
    }
  };

  return Promise.all([
    ...webhooks.map(({ target, resolved }) =>
      deliver(
        'webhook',
        target,
        resolved,
        (value, selection, deliveryId) =>
          sendWebhook(
            { url: value.url, secret: value.secret, deliveryId, target, notification, selection },
            depsFor('webhook', resolved.name),
          ),
        true,
      ),
    ),
    ...slacks.map(({ target, resolved }) =>
      deliver(
        'slack',
        target,
        resolved,
        (url, selection) =>
          sendSlack(
            { url, target, notification, findings: selection.findings },
            depsFor('slack', resolved.name),
          ),
        false,
      ),
    ),
    ...(email
      ? [
          deliver(
            'email',
            email.target,
            email.resolved,
            // nodemailer loads only when a run has mail to send.
            async (auth, selection, deliveryId) =>
              (await import('./email.js')).sendEmail(
                {
                  target: email.target,
                  auth: auth.login,
                  deliveryId,
                  notification,
                  findings: selection.findings,
                },
                depsFor('email', email.resolved.name),
              ),
            true,
          ),
        ]
      : []),
  ]);
}

function resolveWebhook(
  target: WebhookTarget,
  env: NodeJS.ProcessEnv,
  scrubber: Scrubber,
): Resolved<{ url: string; secret: string | undefined }> {
  let url = target.url;
  if (target.url_env !== undefined) {
    url = envValue(env, target.url_env);
    if (url !== undefined) scrubber.url(url);
  } else if (url !== undefined) {
    scrubber.url(url);
  }
  const name = target.name ?? (url !== undefined ? targetHost(url) : `$${target.url_env}`);
  if (url === undefined) {
    return { name, problem: `environment variable ${target.url_env} (url_env) is not set`, value: null };
  }
  const check = checkTargetUrl(url, { allowHttp: target.allow_http });
  if (!check.ok)
    return { name, problem: `the URL in ${target.url_env ?? 'url'}: ${check.error}`, value: null };
  let secret: string | undefined;
  if (target.secret_env !== undefined) {
    secret = envValue(env, target.secret_env);
    if (secret === undefined) {
      return {
        name,
        problem: `environment variable ${target.secret_env} (secret_env) is not set: refusing to send unsigned`,
        value: null,
      };
    }
    scrubber.secret(secret);
  }
  return { name, problem: null, value: { url: check.url.href, secret } };
}

function resolveSlack(target: SlackTarget, env: NodeJS.ProcessEnv, scrubber: Scrubber): Resolved<string> {
  const url = envValue(env, target.webhook_url_env);
  if (url === undefined) {
    return {
      name: target.name ?? `$${target.webhook_url_env}`,
      problem: `environment variable ${target.webhook_url_env} (webhook_url_env) is not set`,
      value: null,
    };
  }
  scrubber.url(url);
  const name = target.name ?? targetHost(url);
  const check = checkTargetUrl(url);
  if (!check.ok)
    return { name, problem: `the URL in ${target.webhook_url_env}: ${check.error}`, value: null };
  return { name, problem: null, value: check.url.href };
}

function resolveEmail(
  target: EmailTarget,
  env: NodeJS.ProcessEnv,
  scrubber: Scrubber,
): Resolved<{ login: { user: string; pass: string } | undefined }> {
  // The relay, not the recipients: results go to logs, and addresses are personal data.
  const name = target.smtp_host;
  if (target.username_env === undefined || target.password_env === undefined) {
    return { name, problem: null, value: { login: undefined } };
  }
  const user = envValue(env, target.username_env);
  const pass = envValue(env, target.password_env);
  if (pass !== undefined) scrubber.secret(pass);
  const missing = [
    user === undefined ? target.username_env : null,
    pass === undefined ? target.password_env : null,
  ].filter((v) => v !== null);
  if (user === undefined || pass === undefined) {
    return { name, problem: `environment variable ${missing.join(' and ')} is not set`, value: null };
  }
  return { name, problem: null, value: { login: { user, pass } } };
}
