import { afterEach, describe, expect, it } from 'vitest';
import { notificationsConfigSchema } from '../../src/notify/notifications-config.js';
import { notify } from '../../src/notify/notify.js';
import { findingsAtOrAbove } from '../../src/notify/run-notification.js';
import { escapeMrkdwn, type SlackMessage, slackMessage } from '../../src/notify/slack.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.js';
import { finding, HOSTILE_ACTOR, sampleNotification } from './sample-notification.js';

const receivers: WebhookReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

function texts(message: SlackMessage): string[] {
  const out = [message.text];
  for (const block of message.blocks) {
    if ('text' in block && block.text) out.push(block.text.text);
    if ('fields' in block && block.fields) out.push(...block.fields.map((f) => f.text));
    if ('elements' in block) out.push(...block.elements.map((e) => e.text));
  }
  return out;
}

describe('slackMessage', () => {
  it('has a text fallback, a header, the run status and counts, then findings by severity', () => {
    const n = sampleNotification();
    const message = slackMessage(n, findingsAtOrAbove(n.new_findings, 'medium'), {
      maxFindings: 10,
      minSeverity: 'medium',
    });
    expect(message.text).toContain('auditlake run 42 on audit-01: ok (exit 3)');
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: {
        type: 'plain_text',
        text: 'auditlake: 3 new findings (1 critical, 1 high, 1 medium)',
        emoji: true,
      },
    });
    const status = message.blocks[1];
    expect(status?.type).toBe('section');
    const fields = status && 'fields' in status ? (status.fields ?? []).map((f) => f.text) : [];
    expect(fields).toContain('*Events*\n1204 new, 5 duplicate from 2 sources');
    expect(fields).toContain('*Detectors*\n81 run');
    const findingBlocks = message.blocks.filter(
      (b) => b.type === 'section' && 'text' in b && b.text?.text.includes('id `'),
    );
    expect(
      findingBlocks.map((b) => ('text' in b ? /id `([^`]+)`/.exec(b.text?.text ?? '')?.[1] : null)),
    ).toEqual(['f-crit', 'f-high', 'f-med']);
    const footer = message.blocks.at(-1);
    expect(footer?.type).toBe('context');
    expect(JSON.stringify(footer)).toContain('1 new finding below medium not shown');
  });

  it('escapes &, < and > in fields that come from logs', () => {
    const n = sampleNotification({
      status: 'partial',
      ingest: {
        ...sampleNotification().ingest,
        sources: [
          {
            source: 'azure',
            name: 'tenant <a>',
            status: 'failed',
            events_new: 0,
            events_duplicate: 0,
            errors: 0,
            error: 'Forbidden <@U123> & more',
          },
        ],
      },
    });
    const message = slackMessage(n, findingsAtOrAbove(n.new_findings, 'info'), {
      maxFindings: 10,
      minSeverity: 'info',
    });
    const all = texts(message).join('\n');
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<https://evil.example');
    expect(all).not.toContain('<@U123>');
    expect(all).toContain(escapeMrkdwn(HOSTILE_ACTOR));
    expect(escapeMrkdwn(HOSTILE_ACTOR)).toBe(
      'eve &lt;!channel&gt; &amp; &lt;https://evil.example/login|AWS console&gt;',
    );
    expect(all).toContain('*Failed sources*\n• azure tenant &lt;a&gt;: Forbidden &lt;@U123&gt; &amp; more');
    // No raw control character survives anywhere, apart from our own mrkdwn.
    for (const text of texts(message)) expect(text).not.toMatch(/<|>|&(?!amp;|lt;|gt;)/);
  });

  it('caps the finding blocks within Slack limits and counts the rest', () => {
    const many = Array.from({ length: 120 }, (_, i) =>
      finding({
        id: `f-${String(i).padStart(3, '0')}`,
        severity: i % 2 ? 'critical' : 'high',
        summary: 'x'.repeat(5000),
      }),
    );
    const n = sampleNotification({ new_findings: many });
    const message = slackMessage(n, findingsAtOrAbove(many, 'high'), {
      maxFindings: 40,
      minSeverity: 'high',
    });
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const listed = message.blocks.filter(
      (b) => b.type === 'section' && 'text' in b && b.text?.text.includes('id `'),
    );
    expect(listed).toHaveLength(40);
    for (const b of listed) expect('text' in b ? (b.text?.text.length ?? 0) : 0).toBeLessThanOrEqual(3000);
    expect(JSON.stringify(message.blocks)).toContain(
      '…and 80 more at high or above: `auditlake findings --status open --severity high,critical`',
    );
    expect(message.blocks[0]).toMatchObject({
      text: { text: 'auditlake: 120 new findings (60 critical, 60 high)' },
    });
  });

  it('says a failed run failed, with its error', () => {
    const n = sampleNotification({
      status: 'failed',
      exit_code: 1,
      error: 'store locked by pid 123',
      new_findings: [],
    });
    const message = slackMessage(n, [], { maxFindings: 10, minSeverity: 'high' });
    expect(message.blocks[0]).toMatchObject({ text: { text: 'auditlake run failed on audit-01' } });
    expect(texts(message)).toContain('*Error*\nstore locked by pid 123');
  });
});

describe('Slack delivery', () => {
  it('posts the message to the URL named by webhook_url_env, with the default high threshold', async () => {
    const r = await startWebhookReceiver({ path: '/services/T000/B000/XXXXSECRET' });
    receivers.push(r);
    const config = notificationsConfigSchema.parse({ slack: [{ webhook_url_env: 'SLACK_URL' }] });
    const [result] = await notify(sampleNotification(), config, {
      env: { SLACK_URL: r.url },
      sleep: async () => {},
    });
    expect(result).toMatchObject({ kind: 'slack', ok: true, attempts: 1, status: 200, findings: 2 });
    expect(result?.reasons).toEqual(['findings']);
    expect(result?.target).toBe(new URL(r.url).host);
    const body = r.deliveries[0]?.json as SlackMessage;
    expect(typeof body.text).toBe('string');
    expect(body.blocks[0]?.type).toBe('header');
    expect(body.unfurl_links).toBe(false);
    // Only critical and high (the Slack default) get blocks.
    expect(JSON.stringify(body.blocks)).toContain('f-crit');
    expect(JSON.stringify(body.blocks)).not.toContain('f-med');
    expect(r.deliveries[0]?.headers).not.toHaveProperty('x-auditlake-signature');
  });

  it('reports Slack refusing the message (404 no_service) without retrying', async () => {
    const r = await startWebhookReceiver({ path: '/services/T000/B000/right' });
    receivers.push(r);
    const config = notificationsConfigSchema.parse({
      slack: [{ webhook_url_env: 'SLACK_URL', name: 'sec-alerts' }],
    });
    const [result] = await notify(sampleNotification(), config, {
      env: { SLACK_URL: r.url.replace('/right', '/wrong') },
      sleep: async () => {},
    });
    expect(result).toMatchObject({
      target: 'sec-alerts',
      ok: false,
      attempts: 1,
      status: 404,
      error: 'HTTP 404: no_service',
    });
  });
});
