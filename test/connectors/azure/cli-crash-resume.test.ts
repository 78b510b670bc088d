import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/open-store.js';
import { FakeLogAnalytics, type FakeTable } from '../../fakes/azure-log-analytics.js';
import { trustedLoopbackCertificate } from '../../fakes/azure-tls.js';
import { HOUR, rowsFor, TOKEN, WS } from './helpers.js';

const certificate = trustedLoopbackCertificate();
const TABLES: readonly FakeTable[] = ['AzureActivity', 'SigninLogs', 'AuditLogs'];

/**
 * `auditlake ingest azure` as an operator runs it: the real CLI in a child process, with the real
 * DefaultAzureCredential (restricted by AZURE_TOKEN_CREDENTIALS to the Azure CLI credential, and a
 * stand-in `az` on PATH that prints a token), killed with SIGKILL at commit points and rerun.
 */
describe.skipIf(certificate === null)('ingest azure killed with SIGKILL and rerun', () => {
  let dir: string;
  let fake: FakeLogAnalytics;
  let config: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'auditlake-azure-cli-'));
    fake = await new FakeLogAnalytics({
      // biome-ignore lint/style/noNonNullAssertion: the suite is skipped without it
      certificate: certificate!,
      token: TOKEN,
      workspaces: [WS],
    }).start();
    const now = Date.now();
    // Rows well inside [start, now - settle): the window's edges move with the wall clock between
    // runs, the data must not.
    fake.add(rowsFor(WS, TABLES, now - 20 * HOUR, now - HOUR, 200));
    config = join(dir, 'auditlake.yaml');
    writeFileSync(
      config,
      [
        'sources:',
        '  azure:',
        `    - workspace_id: ${WS}`,
        `      start: ${new Date(now - 21 * HOUR).toISOString()}`,
        `      endpoint: ${fake.endpoint}`,
        '',
      ].join('\n'),
    );
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    // What `az account get-access-token --output json --resource ...` prints after `az login`.
    writeFileSync(
      join(bin, 'az'),
      `#!/bin/sh\necho '{"accessToken": "${TOKEN}", "expiresOn": "2099-01-01 00:00:00.000000", "expires_on": 4070908800, "tokenType": "Bearer"}'\n`,
    );
    chmodSync(join(bin, 'az'), 0o755);
  });

  afterAll(async () => {
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function run(
    db: string,
    crashAt = '',
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`,
      AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential',
      AUDITLAKE_CRASH_AT: crashAt,
    };
    for (const name of ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_SECRET']) delete env[name];
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', '--db', db, 'ingest', 'azure', '--config', config, '--quiet'],
      { env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  }

  async function ids(db: string): Promise<{ ids: string[]; duplicates: number }> {
    const store = await openStore({ path: db, readOnly: true });
    try {
      const rows = (
        await store.connection.runAndReadAll('select event_id from events order by event_id')
      ).getRows();
      const dup = await store.connection.runAndReadAll(
        'select count(*)::int from (select source, event_id from events group by all having count(*) > 1)',
      );
      return { ids: rows.map((r) => String(r[0])), duplicates: Number(dup.getRows()[0]?.[0]) };
    } finally {
      store.close();
    }
  }

  it('ends with exactly the events of a clean run: nothing lost, nothing duplicated', async () => {
    const clean = join(dir, 'clean.duckdb');
    const first = await run(clean);
    expect(first.stderr).toBe('');
    expect(first).toMatchObject({ code: 0, signal: null });
    const expected = await ids(clean);
    const all = TABLES.flatMap((t) => fake.all(WS, t))
      .map((r) => r.id)
      .sort();
    expect(expected.ids).toEqual(all);

    const crashed = join(dir, 'crashed.duckdb');
    const seen: number[] = [];
    for (const point of ['after-commit:2', 'staged-record:250', 'before-commit:3']) {
      const outcome = await run(crashed, point);
      expect(outcome.signal).toBe('SIGKILL');
      const partial = await ids(crashed);
      expect(partial.duplicates).toBe(0);
      seen.push(partial.ids.length);
    }
    expect(seen[0]).toBeGreaterThan(0);
    expect(seen.at(-1)).toBeLessThan(all.length);
    const last = await run(crashed);
    expect(last).toMatchObject({ code: 0, signal: null });
    const after = await ids(crashed);
    expect(after.duplicates).toBe(0);
    expect(after.ids).toEqual(expected.ids);
  }, 120_000);
});
