import { afterEach, describe, expect, it } from 'vitest';
import { notificationsConfigSchema } from '../../src/notify/notifications-config.js';
import { type NotifyOptions, notify } from '../../src/notify/notify.js';
import { signature, type WebhookPayload } from '../../src/notify/webhook.js';
import {
  type ScriptedAnswer,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../fakes/webhook-receiver.js';
import { sampleNotification } from './sample-notification.js';

const SECRET = ['whsec', 'T3st-0nly', 'k9Qz'].join('_');

const receivers: WebhookReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(
  answers: ScriptedAnswer[] = [],
  secret: string | null = SECRET,
): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver(secret === null ? { answers } : { secret, answers });
  receivers.push(r);
  return r;
}

/** Records the waits instead of waiting: the test asserts what was asked, never how long it took. */
function instant(): { delays: number[]; options: NotifyOptions } {
  const delays: number[] = [];
  return {
    delays,
    options: {
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.5,
      env: { HOOK_SECRET: SECRET },
    },
  };
}

function webhookConfig(url: string, extra: Record<string, unknown> = {}) {
  return notificationsConfigSchema.parse({
    webhooks: [{ url, secret_env: 'HOOK_SECRET', on: ['always'], ...extra }],
  });
}

describe('webhook delivery', () => {
  it('posts a signed JSON payload that a receiver verifies', async () => {
    const r = await receiver();
    const { options } = instant();
    const [result] = await notify(sampleNotification(), webhookConfig(r.url), options);

    expect(result).toMatchObject({ kind: 'webhook', ok: true, skipped: false, attempts: 1, status: 200 });
    expect(result?.target).toBe(new URL(r.url).host);
    expect(r.deliveries).toHaveLength(1);
    const d = r.deliveries[0];
    expect(d?.method).toBe('POST');
    expect(d?.signatureValid).toBe(true);
    expect(d?.timestampFresh).toBe(true);
    expect(d?.headers['content-type']).toBe('application/json');
    expect(d?.headers['x-auditlake-signature']).toBe(
      signature(SECRET, String(d?.headers['x-auditlake-timestamp']), d?.body ?? ''),
    );

    const payload = d?.json as WebhookPayload;
    expect(payload.schema).toBe('auditlake.run-notification/v1');
    expect(payload.delivery_id).toBe(d?.headers['x-auditlake-delivery']);
    expect(result?.delivery_id).toBe(payload.delivery_id);
    expect(payload.delivery_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.reasons).toEqual(['always']);
    expect(payload.text).toContain('auditlake run 42 on audit-01');
    expect(payload.summary).not.toHaveProperty('new_findings');
    expect(payload.summary).toMatchObject({
      run_id: 42,
      status: 'ok',
      exit_code: 3,
      host: 'audit-01',
      new_findings_total: 4,
      new_findings_by_severity: { critical: 1, high: 1, medium: 1, low: 1 },
      ingest: { events_new: 1204 },
      reports: ['reports/soc2_2017-2026-03-01.pdf'],
    });
    expect(payload.new_findings.map((f) => f.id)).toEqual(['f-crit', 'f-high', 'f-med', 'f-low']);
    expect(payload.new_findings_omitted).toBe(0);
  });

  it('a receiver with another secret rejects the delivery, and 401 is not retried', async () => {
    const r = await receiver([], 'another-secret');
    const { options } = instant();
    const [result] = await notify(sampleNotification(), webhookConfig(r.url), options);
    expect(r.deliveries).toHaveLength(1);
    expect(r.deliveries[0]?.signatureValid).toBe(false);
    expect(result).toMatchObject({ ok: false, attempts: 1, status: 401 });
    expect(result?.error).toContain('HTTP 401');
  });

  it('retries after 500 and 429 (honouring Retry-After) with the same delivery id, then succeeds', async () => {
    const r = await receiver([
      { status: 500, body: 'oops' },
      { status: 429, retryAfter: '7' },
    ]);
    const { delays, options } = instant();
    const logs: { event: string; fields: Record<string, unknown> }[] = [];
    const [result] = await notify(sampleNotification(), webhookConfig(r.url), {
      ...options,
      log: (event, fields) => logs.push({ event, fields }),
    });

    expect(result).toMatchObject({ ok: true, attempts: 3, status: 200, error: null });
    expect(r.deliveries.map((d) => d.answered)).toEqual([500, 429, 200]);
    const ids = new Set(r.deliveries.map((d) => d.headers['x-auditlake-delivery']));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toBe(result?.delivery_id);
    // The body is byte-for-byte the same on every attempt; each attempt is signed afresh.
    expect(new Set(r.deliveries.map((d) => d.body)).size).toBe(1);
    expect(r.deliveries.every((d) => d.signatureValid)).toBe(true);
    // Backoff with jitter after the 500 (random 0.5 of 1 s), then the 7 s the server asked for.
    expect(delays).toEqual([500, 7000]);
    expect(logs.filter((l) => l.event === 'notify.retry').map((l) => l.fields.reason)).toEqual([
      'HTTP 500: oops',
      'HTTP 429',
    ]);
    expect(logs.at(-1)).toMatchObject({ event: 'notify.sent', fields: { attempts: 3, status: 200 } });
  });

  it('does not retry other 4xx answers', async () => {
    const r = await receiver([{ status: 400, body: 'bad payload: missing field' }]);
    const { delays, options } = instant();
    const [result] = await notify(sampleNotification(), webhookConfig(r.url), options);
    expect(r.deliveries).toHaveLength(1);
    expect(delays).toEqual([]);
    expect(result).toMatchObject({ ok: false, attempts: 1, status: 400 });
    expect(result?.error).toBe('HTTP 400: bad payload: missing field');
  });

  it('gives up after retries + 1 attempts and reports the failure', async () => {
    const r = await receiver(Array.from({ length: 6 }, () => ({ status: 503, body: 'down' })));
    const { delays, options } = instant();
    const [result] = await notify(sampleNotification(), webhookConfig(r.url, { retries: 2 }), options);
    expect(r.deliveries).toHaveLength(3);
    expect(delays).toHaveLength(2);
    // Exponential: the jitter's ceiling doubles (1 s, 2 s) and random() is 0.5.
    expect(delays).toEqual([500, 1000]);
    expect(result).toMatchObject({ ok: false, skipped: false, attempts: 3, status: 503 });
    expect(result?.error).toBe('HTTP 503: down (gave up after 3 attempts)');
  });

  it('does not wait out a Retry-After beyond its limit', async () => {
    const r = await receiver([{ status: 429, retryAfter: '3600' }]);
    const { delays, options } = instant();
    const [result] = await notify(sampleNotification(), webhookConfig(r.url), options);
    expect(r.deliveries).toHaveLength(1);
    expect(delays).toEqual([]);
    expect(result?.ok).toBe(false);
    expect(result?.error).toContain('asked to retry after 3600 s');
  });

  it('ends an attempt that gets no answer and retries it', async () => {
    const r = await receiver([{ status: 0, hang: true }]);
    const { options } = instant();
    const [result] = await notify(
      sampleNotification(),
      webhookConfig(r.url, { timeout_seconds: 0.3, retries: 1 }),
      options,
    );
    expect(r.deliveries).toHaveLength(2);
    expect(result).toMatchObject({ ok: true, attempts: 2, status: 200 });
  });

  it('reports network errors after retrying them', async () => {
    const r = await receiver();
    await r.close();
    const { options } = instant();
    const [result] = await notify(sampleNotification(), webhookConfig(r.url, { retries: 1 }), options);
    expect(result).toMatchObject({ ok: false, attempts: 2, status: null });
    expect(result?.error).toMatch(/ECONNREFUSED/);
  });

  it('does not follow a redirect with the signed payload', async () => {
    const elsewhere = await receiver();
    const r = await receiver([{ status: 307, location: elsewhere.url }]);
    const { options } = instant();
    const [result] = await notify(sampleNotification(), webhookConfig(r.url), options);
    expect(elsewhere.deliveries).toHaveLength(0);
    expect(result).toMatchObject({ ok: false, attempts: 1, status: 307 });
  });

  it('refuses to send unsigned when the secret variable is missing', async () => {
    const r = await receiver();
    const { options } = instant();
    const [result] = await notify(sampleNotification(), webhookConfig(r.url), { ...options, env: {} });
    expect(r.deliveries).toHaveLength(0);
    expect(result).toMatchObject({ ok: false, attempts: 0, status: null });
    expect(result?.error).toContain('HOOK_SECRET');
  });

  it('sends without a signature header when no secret is configured', async () => {
    const r = await receiver([], null);
    const { options } = instant();
    const config = notificationsConfigSchema.parse({ webhooks: [{ url: r.url, on: ['always'] }] });
    const [result] = await notify(sampleNotification(), config, options);
    expect(result?.ok).toBe(true);
    expect(r.deliveries[0]?.headers).not.toHaveProperty('x-auditlake-signature');
    expect(r.deliveries[0]?.headers).toHaveProperty('x-auditlake-delivery');
  });

  it('caps the findings listed and counts the rest', async () => {
    const r = await receiver();
    const { options } = instant();
    const [result] = await notify(
      sampleNotification(),
      webhookConfig(r.url, { max_findings: 2, min_severity: 'low' }),
      options,
    );
    expect(result?.findings).toBe(4);
    const payload = r.deliveries[0]?.json as WebhookPayload;
    expect(payload.new_findings.map((f) => f.id)).toEqual(['f-crit', 'f-high']);
    expect(payload.new_findings_omitted).toBe(2);
  });
});
