import { z } from 'zod';
import { envNameSchema } from '../config/sources/common.js';
import { SEVERITIES } from '../detect/detector-header.js';
import { checkTargetUrl, isLoopbackHost } from './target-url.js';

/**
 * `notifications:` in auditlake.yaml: where `auditlake run` reports each run (docs/notifications.md).
 * Nothing is configured by default. Secrets are only referenced: the HMAC secret, Slack's webhook
 * URL (its path is the credential) and the SMTP login are NAMES of environment variables.
 */

/**
 * When a target hears about a run. findings: new findings at or above min_severity. failure: the
 * run failed or was partial (a source or detector failed). always: every run, even a quiet one.
 */
export const NOTIFY_ON = ['findings', 'failure', 'always'] as const;
export type NotifyOn = (typeof NOTIFY_ON)[number];

const severitySchema = z.enum(SEVERITIES);
const onSchema = z.array(z.enum(NOTIFY_ON)).min(1, 'list at least one of findings, failure, always');
const DEFAULT_ON: NotifyOn[] = ['findings', 'failure'];

/** A label for results and logs; defaults to the endpoint's host (never the full URL). */
const nameSchema = z.string().trim().min(1).max(100).optional();
/** Seconds per attempt. */
const timeoutSchema = z.number().positive().max(300);
/** Attempts after the first, for network errors, timeouts, 408, 429 and 5xx. */
const retriesSchema = z.number().int().min(0).max(10);

export const webhookTargetSchema = z
  .strictObject({
    name: nameSchema,
    /** The receiver's URL, when it carries no credential. */
    url: z.string().min(1).optional(),
    /** Or the NAME of an environment variable holding it (a URL with a token in it). */
    url_env: envNameSchema.optional(),
    /** NAME of the environment variable holding the HMAC-SHA256 secret; unsigned without it. */
    secret_env: envNameSchema.optional(),
    min_severity: severitySchema.default('info'),
    on: onSchema.default(DEFAULT_ON),
    /** Findings listed in one payload, most severe first; the rest are counted in new_findings_omitted. */
    max_findings: z.number().int().min(0).max(10_000).default(500),
    timeout_seconds: timeoutSchema.default(10),
    retries: retriesSchema.default(3),
    /** Plain http to a non-loopback host; off, since the payload names principals and accounts. */
    allow_http: z.boolean().default(false),
  })
  .superRefine((target, ctx) => {
    if ((target.url === undefined) === (target.url_env === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of url or url_env', path: ['url'] });
      return;
    }
    if (target.url !== undefined) {
      const check = checkTargetUrl(target.url, { allowHttp: target.allow_http });
      if (!check.ok) ctx.addIssue({ code: 'custom', message: check.error, path: ['url'] });
    }
  });
export type WebhookTarget = z.infer<typeof webhookTargetSchema>;

export const slackTargetSchema = z.strictObject({
  name: nameSchema,
  /**
   * NAME of the environment variable holding the incoming-webhook URL. Slack's URL is itself the
   * credential (anyone holding it can post), so it never sits in the file.
   */
  webhook_url_env: envNameSchema,
  min_severity: severitySchema.default('high'),
  on: onSchema.default(DEFAULT_ON),
  /** Findings shown in the message (Slack allows 50 blocks); the rest are counted. */
  max_findings: z.number().int().min(0).max(40).default(10),
  timeout_seconds: timeoutSchema.default(10),
  retries: retriesSchema.default(3),
});
export type SlackTarget = z.infer<typeof slackTargetSchema>;

/**
 * starttls: plain connection upgraded with STARTTLS, which must succeed (submission, port 587).
 * tls: TLS from the first byte (port 465). none: no encryption, for a relay on this host only.
 */
export const SMTP_SECURITY = ['starttls', 'tls', 'none'] as const;
const DEFAULT_SMTP_PORT = { starttls: 587, tls: 465, none: 25 } as const;

export const emailTargetSchema = z
  .strictObject({
    smtp_host: z.string().trim().min(1),
    /** Default by security: 587 (starttls), 465 (tls), 25 (none). */
    smtp_port: z.number().int().min(1).max(65_535).optional(),
    security: z.enum(SMTP_SECURITY).default('starttls'),
    /** NAMES of the environment variables holding the SMTP login (both or neither). */
    username_env: envNameSchema.optional(),
    password_env: envNameSchema.optional(),
    from: z.email(),
    to: z.array(z.email()).min(1, 'list at least one recipient'),
    /** Put before every subject, for mail filters. */
    subject_prefix: z.string().max(50).default('[auditlake]'),
    min_severity: severitySchema.default('high'),
    on: onSchema.default(DEFAULT_ON),
    max_findings: z.number().int().min(0).max(1000).default(50),
    timeout_seconds: timeoutSchema.default(30),
    retries: retriesSchema.default(2),
  })
  .superRefine((email, ctx) => {
    if ((email.username_env === undefined) !== (email.password_env === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'username_env and password_env go together',
        path: [email.username_env === undefined ? 'username_env' : 'password_env'],
      });
    }
    if (email.security === 'none' && email.password_env !== undefined && !isLoopbackHost(email.smtp_host)) {
      ctx.addIssue({
        code: 'custom',
        message: 'security: none would send the SMTP password in clear: use starttls or tls',
        path: ['security'],
      });
    }
  })
  .transform((email) => ({ ...email, smtp_port: email.smtp_port ?? DEFAULT_SMTP_PORT[email.security] }));
export type EmailTarget = z.infer<typeof emailTargetSchema>;

export const notificationsConfigSchema = z
  .strictObject({
    webhooks: z.array(webhookTargetSchema).default([]),
    slack: z.array(slackTargetSchema).default([]),
    email: emailTargetSchema.optional(),
  })
  .default({ webhooks: [], slack: [] });
export type NotificationsConfig = z.infer<typeof notificationsConfigSchema>;
