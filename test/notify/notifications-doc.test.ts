import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { notificationsConfigSchema } from '../../src/notify/notifications-config.js';
import { webhookHeaders } from '../../src/notify/webhook.js';

/** The examples in docs/notifications.md and README.md are run, so they cannot drift from the code. */

const doc = readFileSync('docs/notifications.md', 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'auditlake-notify-doc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function block(text: string, lang: string): string {
  const code = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(text)?.[1];
  if (code === undefined) throw new Error(`no ${lang} block`);
  return code;
}

const SECRET = 'doc-test-secret';
const body = JSON.stringify({ schema: 'auditlake.run-notification/v1', text: 'héllo — run 1' });
const at = new Date();
const headers = webhookHeaders({
  body,
  deliveryId: '00000000-0000-4000-8000-000000000000',
  at,
  secret: SECRET,
});
const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

describe('docs/notifications.md', () => {
  it('its configuration example is valid', () => {
    const config = notificationsConfigSchema.parse(
      (parse(block(doc, 'yaml')) as { notifications: unknown }).notifications,
    );
    expect(config.webhooks.map((w) => w.name ?? w.url_env)).toEqual(['siem', 'AUDITLAKE_PAGER_URL']);
    expect(config.email?.smtp_port).toBe(587);
  });

  it('the README example is valid too', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('## Notifications'));
    const config = notificationsConfigSchema.parse(
      (parse(block(section, 'yaml')) as { notifications: unknown }).notifications,
    );
    expect(config.webhooks.length + config.slack.length).toBeGreaterThan(0);
  });

  it('the Node.js verification snippet accepts a signed request and rejects tampering and replays', async () => {
    const file = join(dir, 'verify.mjs');
    writeFileSync(file, block(doc, 'js'));
    const { verifyAuditlakeWebhook } = (await import(pathToFileURL(file).href)) as {
      verifyAuditlakeWebhook: (
        s: string,
        h: Record<string, string>,
        b: Buffer | string,
        now?: number,
      ) => boolean;
    };
    expect(verifyAuditlakeWebhook(SECRET, lower, Buffer.from(body))).toBe(true);
    expect(verifyAuditlakeWebhook(SECRET, lower, body)).toBe(true);
    expect(verifyAuditlakeWebhook('other', lower, body)).toBe(false);
    expect(verifyAuditlakeWebhook(SECRET, lower, body.replace('run 1', 'run 2'))).toBe(false);
    expect(verifyAuditlakeWebhook(SECRET, lower, body, at.getTime() / 1000 + 3600)).toBe(false);
    expect(verifyAuditlakeWebhook(SECRET, { ...lower, 'x-auditlake-signature': '' }, body)).toBe(false);
  });

  const python = (() => {
    try {
      execFileSync('python3', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!python)('the Python verification snippet agrees', () => {
    const file = join(dir, 'verify.py');
    writeFileSync(
      file,
      `${block(doc, 'python')}
import json, sys
case = json.load(sys.stdin)
print(json.dumps(verify_auditlake_webhook(case["secret"].encode(), case["headers"], case["body"].encode(), case.get("now"))))
`,
    );
    const run = (c: Record<string, unknown>) =>
      JSON.parse(execFileSync('python3', [file], { input: JSON.stringify(c), encoding: 'utf8' })) as boolean;
    expect(run({ secret: SECRET, headers, body })).toBe(true);
    expect(run({ secret: 'other', headers, body })).toBe(false);
    expect(run({ secret: SECRET, headers, body: `${body} ` })).toBe(false);
    expect(run({ secret: SECRET, headers, body, now: at.getTime() / 1000 - 3600 })).toBe(false);
  });
});
