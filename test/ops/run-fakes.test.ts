import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunOutput, runSummaryText } from '../../src/cli/commands/run.js';
import { ACCOUNT_A, ACCOUNT_B, FAST_RETRY, fakeEvents, KEYS } from '../connectors/aws/helpers.js';
import { type CloudTrailFake, startCloudTrailFake } from '../fakes/aws-cloudtrail-fake.js';
import { runOps } from './cli-harness.js';
import { FAST_QUERIES } from './helpers.js';

/**
 * `auditlake run` against the CloudTrail API fake on loopback, configured as an operator would
 * (endpoint override, credentials by variable name): one account reads, the other's key is refused.
 * The run notifies a webhook receiver on loopback, and a second, unreachable target.
 */

const SECRET = 'hook-secret-for-tests-only';
let dir: string;
let config: string;
let ct: CloudTrailFake;
let receiver: Server;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-run-fakes-'));
  process.env.AUDITLAKE_TEST_HOOK_SECRET = SECRET;
  // Only account A's key is known to the fake: account B's requests are refused as unrecognized.
  ct = await startCloudTrailFake({ accounts: { [KEYS.a]: ACCOUNT_A }, pageSize: 25 });
  ct.add(
    ACCOUNT_A,
    'us-east-1',
    fakeEvents(5_000, 60, Date.now() - 10 * 60_000, 30_000, ACCOUNT_A, 'us-east-1'),
  );
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as AddressInfo).port;
  // A port nothing listens on: bound, then closed.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  config = join(dir, 'auditlake.yaml');
  writeFileSync(
    config,
    [
      'sources:',
      '  aws:',
      '    - mode: api',
      '      accounts:',
      `        - { id: '${ACCOUNT_A}', access_key_id_env: AUDITLAKE_TEST_KEY_A, secret_access_key_env: AUDITLAKE_TEST_SECRET }`,
      `        - { id: '${ACCOUNT_B}', access_key_id_env: AUDITLAKE_TEST_KEY_B, secret_access_key_env: AUDITLAKE_TEST_SECRET }`,
      '      regions: [us-east-1]',
      '      start: 1d',
      '      requests_per_second: 100',
      `      retry: ${JSON.stringify(FAST_RETRY)}`,
      `      endpoint: ${ct.url}`,
      'notifications:',
      '  webhooks:',
      '    - name: soc',
      `      url: http://127.0.0.1:${port}/hooks/auditlake`,
      '      secret_env: AUDITLAKE_TEST_HOOK_SECRET',
      '      on: [always]',
      '    - name: down',
      `      url: http://127.0.0.1:${deadPort}/hooks`,
      '      on: [always]',
      '      retries: 0',
      '      timeout_seconds: 5',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  delete process.env.AUDITLAKE_TEST_HOOK_SECRET;
  await ct?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('auditlake run against the CloudTrail fake', () => {
  it('ingests the configured API source, names the failed one (exit 4) and notifies; a dead target fails nothing', async () => {
    const db = join(dir, 'store.duckdb');
    const result = await runOps([
      '--db',
      db,
      'run',
      '--config',
      config,
      '--queries',
      FAST_QUERIES,
      '--json',
      '-q',
    ]);
    const summary = JSON.parse(result.output) as RunOutput;
    expect(result.exitCode).toBe(4);
    expect(summary.status).toBe('partial');
    const byAccount = (id: string) => summary.ingest.sources.find((s) => s.name.includes(id));
    expect(byAccount(ACCOUNT_A)).toMatchObject({ source: 'aws', status: 'ok', events_new: 60, error: null });
    expect(byAccount(ACCOUNT_B)).toMatchObject({ source: 'aws', status: 'failed' });
    expect(byAccount(ACCOUNT_B)?.error).toMatch(new RegExp(`${ACCOUNT_B}.*(credentials|Unrecognized)`, 'i'));
    expect(summary.problems).toEqual([`source failed: ${byAccount(ACCOUNT_B)?.error}`]);

    // The webhook got the run, signed; the unreachable target is reported, not fatal.
    expect(received).toHaveLength(1);
    const [hook] = received;
    const timestamp = String(hook?.headers['x-auditlake-timestamp']);
    const expectedSignature = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${hook?.body}`).digest('hex')}`;
    expect(hook?.headers['x-auditlake-signature']).toBe(expectedSignature);
    const payload = JSON.parse(hook?.body ?? '{}') as {
      summary: {
        run_id: number;
        status: string;
        exit_code: number;
        ingest: { sources: { name: string; status: string }[] };
      };
    };
    expect(payload.summary).toMatchObject({ run_id: summary.run_id, status: 'partial', exit_code: 4 });
    expect(payload.summary.ingest.sources.filter((s) => s.status === 'failed').map((s) => s.name)).toEqual([
      byAccount(ACCOUNT_B)?.name,
    ]);
    expect(summary.notifications.map((n) => [n.target, n.ok])).toEqual([
      ['soc', true],
      ['down', false],
    ]);

    // The one-screen text names the failed source and the failed notification.
    const text = runSummaryText(summary);
    expect(text).toContain(`FAILED aws ${byAccount(ACCOUNT_B)?.name}: ${byAccount(ACCOUNT_B)?.error}`);
    expect(text).toMatch(/notification webhook down: FAILED: /);
    expect(text).toMatch(new RegExp(`^auditlake run ${summary.run_id}: partial \\(exit 4\\)`));

    // The next run resumes at the checkpoint: nothing new from A, B still failing.
    const again = JSON.parse(
      (await runOps(['--db', db, 'run', '--config', config, '--queries', FAST_QUERIES, '--json', '-q']))
        .output,
    ) as RunOutput;
    expect(byAccountOf(again, ACCOUNT_A)).toMatchObject({ status: 'ok', events_new: 0 });
    expect(byAccountOf(again, ACCOUNT_B)?.status).toBe('failed');
  }, 60_000);
});

function byAccountOf(summary: RunOutput, id: string) {
  return summary.ingest.sources.find((s) => s.name.includes(id));
}
