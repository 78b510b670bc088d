import { describe, expect, it } from 'vitest';
import { notificationsConfigSchema } from '../../src/notify/notifications-config.js';

function issues(value: unknown): string[] {
  const result = notificationsConfigSchema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('notificationsConfigSchema', () => {
  it('configures nothing by default', () => {
    expect(notificationsConfigSchema.parse(undefined)).toEqual({ webhooks: [], slack: [] });
    expect(notificationsConfigSchema.parse({})).toEqual({ webhooks: [], slack: [] });
  });

  it('fills each target with its defaults', () => {
    const config = notificationsConfigSchema.parse({
      webhooks: [{ url: 'https://siem.example/hooks/auditlake', secret_env: 'AUDITLAKE_WEBHOOK_SECRET' }],
      slack: [{ webhook_url_env: 'AUDITLAKE_SLACK_WEBHOOK_URL' }],
      email: { smtp_host: 'smtp.example.com', from: 'auditlake@example.com', to: ['secops@example.com'] },
    });
    expect(config.webhooks[0]).toEqual({
      url: 'https://siem.example/hooks/auditlake',
      secret_env: 'AUDITLAKE_WEBHOOK_SECRET',
      min_severity: 'info',
      on: ['findings', 'failure'],
      max_findings: 500,
      timeout_seconds: 10,
      retries: 3,
      allow_http: false,
    });
    expect(config.slack[0]).toMatchObject({
      min_severity: 'high',
      on: ['findings', 'failure'],
      max_findings: 10,
    });
    expect(config.email).toMatchObject({ security: 'starttls', smtp_port: 587, min_severity: 'high' });
    expect(
      notificationsConfigSchema.parse({
        email: {
          smtp_host: 'smtp.example.com',
          security: 'tls',
          from: 'a@example.com',
          to: ['b@example.com'],
        },
      }).email?.smtp_port,
    ).toBe(465);
  });

  it('takes secrets only by reference', () => {
    expect(issues({ webhooks: [{ url: 'https://siem.example/h', secret: 'inline' }] })).toEqual([
      'webhooks.0: Unrecognized key: "secret"',
    ]);
    expect(issues({ slack: [{ webhook_url: 'https://hooks.slack.com/services/T/B/X' }] })).toContain(
      'slack.0: Unrecognized key: "webhook_url"',
    );
    expect(issues({ webhooks: [{ url: 'https://siem.example/h', secret_env: 'my secret' }] })).toEqual([
      'webhooks.0.secret_env: expected the NAME of an environment variable',
    ]);
    expect(issues({ webhooks: [{ url: 'https://user:pw@siem.example/h' }] })).toEqual([
      'webhooks.0.url: credentials in the URL are not allowed: use url_env or secret_env',
    ]);
  });

  it('wants exactly one of url and url_env, and https off this host', () => {
    expect(issues({ webhooks: [{}] })).toEqual(['webhooks.0.url: give exactly one of url or url_env']);
    expect(issues({ webhooks: [{ url: 'https://a.example', url_env: 'HOOK' }] })).toEqual([
      'webhooks.0.url: give exactly one of url or url_env',
    ]);
    expect(issues({ webhooks: [{ url: 'http://siem.internal/h' }] })).toEqual([
      'webhooks.0.url: plain http to siem.internal would send findings in clear: use https (or allow_http: true)',
    ]);
    expect(issues({ webhooks: [{ url: 'http://siem.internal/h', allow_http: true }] })).toEqual([]);
    expect(issues({ webhooks: [{ url: 'http://127.0.0.1:8080/h' }] })).toEqual([]);
    expect(issues({ webhooks: [{ url: 'ftp://siem.example/h' }] })).toEqual([
      'webhooks.0.url: expected an https URL, got a ftp URL',
    ]);
  });

  it('checks on, min_severity and email settings', () => {
    expect(issues({ slack: [{ webhook_url_env: 'S', on: [] }] })).toEqual([
      'slack.0.on: list at least one of findings, failure, always',
    ]);
    expect(issues({ slack: [{ webhook_url_env: 'S', on: ['sometimes'] }] })).toHaveLength(1);
    expect(issues({ slack: [{ webhook_url_env: 'S', min_severity: 'severe' }] })).toHaveLength(1);
    const email = { smtp_host: 'smtp.example.com', from: 'a@example.com', to: ['b@example.com'] };
    expect(issues({ email: { ...email, username_env: 'U' } })).toEqual([
      'email.password_env: username_env and password_env go together',
    ]);
    expect(issues({ email: { ...email, security: 'none', username_env: 'U', password_env: 'P' } })).toEqual([
      'email.security: security: none would send the SMTP password in clear: use starttls or tls',
    ]);
    expect(issues({ email: { ...email, to: [] } })).toEqual(['email.to: list at least one recipient']);
    expect(issues({ email: { ...email, to: ['not-an-address'] } })).toHaveLength(1);
  });
});
