import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { emailMessage } from '../../src/notify/email.js';
import { notificationsConfigSchema } from '../../src/notify/notifications-config.js';
import { notify } from '../../src/notify/notify.js';
import { findingsAtOrAbove } from '../../src/notify/run-notification.js';
import { TLS_DIR_ENV } from '../fakes/azure-tls.js';
import { HOSTILE_ACTOR, sampleNotification } from './sample-notification.js';

const PASSWORD = ['smtp', 'Pa55', 'w0rd!x'].join('-');

interface Received {
  from: string;
  to: string[];
  data: string;
  user: string | null;
  secure: boolean;
}

interface LoopbackSmtp {
  port: number;
  mails: Received[];
  attempts: number;
  /** Message-ID of every DATA received, failed ones included. */
  messageIds: string[];
  close(): Promise<void>;
}

const servers: LoopbackSmtp[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A loopback SMTP server (smtp-server): records each message; `failData` answers DATA with errors first. */
async function smtp(options: { failData?: { code: number; message: string }[]; tls?: boolean } = {}) {
  const mails: Received[] = [];
  const failures = [...(options.failData ?? [])];
  const state: LoopbackSmtp = { port: 0, mails, attempts: 0, messageIds: [], close: async () => {} };
  const tlsFiles =
    options.tls && process.env[TLS_DIR_ENV]
      ? {
          key: readFileSync(join(process.env[TLS_DIR_ENV] ?? '', 'key.pem')),
          cert: readFileSync(join(process.env[TLS_DIR_ENV] ?? '', 'cert.pem')),
        }
      : null;
  const config: SMTPServerOptions = {
    logger: false,
    authOptional: true,
    allowInsecureAuth: !options.tls,
    ...(options.tls ? {} : { disabledCommands: ['STARTTLS'] }),
    ...(tlsFiles ?? {}),
    onAuth(auth, _session, callback) {
      if (auth.username === 'mailer' && auth.password === PASSWORD) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        state.attempts++;
        state.messageIds.push(
          /^Message-ID: (.*)$/m.exec(Buffer.concat(chunks).toString('utf8'))?.[1]?.trim() ?? '',
        );
        const failure = failures.shift();
        if (failure) {
          callback(Object.assign(new Error(failure.message), { responseCode: failure.code }));
          return;
        }
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
          user: typeof session.user === 'string' ? session.user : null,
          secure: session.secure,
        });
        callback();
      });
    },
  };
  const server = new SMTPServer(config);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.server.address() as AddressInfo).port;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  servers.push(state);
  return state;
}

function emailConfig(port: number, extra: Record<string, unknown> = {}) {
  return notificationsConfigSchema.parse({
    email: {
      smtp_host: '127.0.0.1',
      smtp_port: port,
      security: 'none',
      username_env: 'SMTP_USER',
      password_env: 'SMTP_PASS',
      from: 'auditlake@example.com',
      to: ['secops@example.com', 'oncall@example.com'],
      ...extra,
    },
  });
}

const env = { SMTP_USER: 'mailer', SMTP_PASS: PASSWORD };
const noWait = { sleep: async () => {}, random: () => 0 };

/** The decoded text part (nodemailer uses quoted-printable for long lines). */
function decodedBody(raw: string): string {
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  return body
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

describe('email notification', () => {
  it('sends a plain-text summary through SMTP with the configured login', async () => {
    const server = await smtp();
    const results = await notify(sampleNotification(), emailConfig(server.port), { ...noWait, env });
    expect(results).toMatchObject([
      { kind: 'email', target: '127.0.0.1', ok: true, attempts: 1, status: 250 },
    ]);
    expect(server.mails).toHaveLength(1);
    const mail = server.mails[0];
    expect(mail?.user).toBe('mailer');
    expect(mail?.from).toBe('auditlake@example.com');
    expect(mail?.to).toEqual(['secops@example.com', 'oncall@example.com']);
    expect(mail?.data).toMatch(/^Subject: \[auditlake\] 2 new findings \(1 critical, 1 high\) on audit-01$/m);
    expect(mail?.data).toMatch(/^Content-Type: text\/plain/m);
    expect(mail?.data).toContain(`Message-ID: <${results[0]?.delivery_id}@auditlake>`);
    const text = decodedBody(mail?.data ?? '');
    expect(text).toContain('[CRITICAL] CloudTrail logging stopped');
    expect(text).toContain(`actor       ${HOSTILE_ACTOR}`);
    expect(text).not.toContain('f-med');
    expect(JSON.stringify(results)).not.toContain(PASSWORD);
  });

  it('retries a temporary 4xx reply with the same Message-ID, and does not retry a 5xx', async () => {
    const flaky = await smtp({ failData: [{ code: 451, message: 'try again later' }] });
    const [retried] = await notify(sampleNotification(), emailConfig(flaky.port), { ...noWait, env });
    expect(retried).toMatchObject({ ok: true, attempts: 2, status: 250 });
    expect(flaky.attempts).toBe(2);
    expect(flaky.messageIds).toEqual([
      `<${retried?.delivery_id}@auditlake>`,
      `<${retried?.delivery_id}@auditlake>`,
    ]);
    expect(flaky.mails).toHaveLength(1);

    const refusing = await smtp({ failData: [{ code: 554, message: 'rejected as spam' }] });
    const [refused] = await notify(sampleNotification(), emailConfig(refusing.port), { ...noWait, env });
    expect(refused).toMatchObject({ ok: false, attempts: 1, status: 554 });
    expect(refused?.error).toContain('rejected as spam');
    expect(refusing.mails).toHaveLength(0);
  });

  it('reports a refused login without retrying it or printing the password', async () => {
    const server = await smtp();
    const lines: string[] = [];
    const [result] = await notify(sampleNotification(), emailConfig(server.port), {
      ...noWait,
      env: { SMTP_USER: 'mailer', SMTP_PASS: `${PASSWORD}-wrong` },
      log: (event, fields) => lines.push(JSON.stringify({ event, ...fields })),
    });
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result?.error).toMatch(/EAUTH|Invalid/);
    expect(JSON.stringify(result) + lines.join('')).not.toContain(PASSWORD);
    expect(server.mails).toHaveLength(0);
  });

  it.skipIf(!process.env[TLS_DIR_ENV])(
    'upgrades with STARTTLS and verifies the server certificate',
    async () => {
      const server = await smtp({ tls: true });
      const [result] = await notify(
        sampleNotification(),
        emailConfig(server.port, { security: 'starttls' }),
        { ...noWait, env },
      );
      expect(result).toMatchObject({ ok: true, attempts: 1 });
      expect(server.mails[0]?.secure).toBe(true);
    },
  );

  it('refuses to go on in clear when STARTTLS is required but not offered', async () => {
    const server = await smtp();
    const [result] = await notify(
      sampleNotification(),
      emailConfig(server.port, { security: 'starttls', retries: 0 }),
      { ...noWait, env },
    );
    expect(result?.ok).toBe(false);
    expect(server.mails).toHaveLength(0);
  });
});

describe('emailMessage', () => {
  it('keeps the subject on one line whatever the host name holds', () => {
    const n = sampleNotification({ host: 'evil\r\nBcc: everyone@example.com' });
    const message = emailMessage(n, findingsAtOrAbove(n.new_findings, 'high'), {
      maxFindings: 1,
      subjectPrefix: '[auditlake]',
      minSeverity: 'high',
    });
    expect(message.subject).not.toMatch(/[\r\n]/);
    expect(message.text).toContain('...and 1 more: auditlake findings --status open');
    expect(message.text).toContain('(2 new findings below high are not listed)');
  });
});
