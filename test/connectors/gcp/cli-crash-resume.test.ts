import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLogNames } from '../../../src/connectors/gcp/audit-filter.js';
import { openStore } from '../../../src/store/open-store.js';
import { auditEntry, FAKE_STS_TOKEN, FakeCloudLogging } from '../../fakes/gcp-logging.js';
import { sorted, storedIds } from './harness.js';

/*
 * The whole path as an operator runs it: `auditlake ingest gcp` with a config file, credentials
 * from GOOGLE_APPLICATION_CREDENTIALS through the real GoogleAuth of @google-cloud/logging (an
 * external_account file, workload identity federation, whose token endpoint is the fake), killed
 * with SIGKILL at several points and rerun.
 */

const PROJECTS = ['alpha-prod', 'beta-prod'];
const KINDS = ['activity', 'policy'] as const;
const PER_KIND = 400;
let dir: string;
let fake: FakeCloudLogging;
let env: NodeJS.ProcessEnv;

function runCli(db: string, crashAt = ''): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const args = [
    '--import',
    'tsx',
    'src/cli/main.ts',
    '--db',
    db,
    'ingest',
    'gcp',
    '--config',
    join(dir, 'auditlake.yaml'),
    '--quiet',
  ];
  return new Promise((resolve) =>
    spawn(process.execPath, args, { stdio: 'ignore', env: { ...env, AUDITLAKE_CRASH_AT: crashAt } }).on(
      'exit',
      (code, signal) => resolve({ code, signal }),
    ),
  );
}

async function idsIn(db: string) {
  const store = await openStore({ path: db, readOnly: true });
  try {
    return await storedIds(store.connection);
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-gcp-'));
  fake = await FakeCloudLogging.start();
  const now = Date.now();
  for (const project of PROJECTS) {
    const entries = [];
    for (const kind of KINDS) {
      for (let i = 0; i < PER_KIND; i++) {
        entries.push(
          auditEntry(`projects/${project}`, kind, i, new Date(now - 3 * 3600_000 + i * 9_000).toISOString()),
        );
      }
    }
    // Not configured: must stay out.
    entries.push(
      auditEntry(`projects/${project}`, 'data_access', 1, new Date(now - 2 * 3600_000).toISOString()),
    );
    fake.addEntries(`projects/${project}`, entries);
  }
  writeFileSync(join(dir, 'subject-token'), 'a-workload-identity-jwt');
  writeFileSync(
    join(dir, 'credentials.json'),
    JSON.stringify({
      type: 'external_account',
      audience:
        '//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/ci/providers/github',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: `${fake.url}/v1/token`,
      credential_source: { file: join(dir, 'subject-token') },
    }),
  );
  writeFileSync(
    join(dir, 'auditlake.yaml'),
    [
      'sources:',
      '  gcp:',
      `    - projects: [${PROJECTS.join(', ')}]`,
      `      log_kinds: [${KINDS.join(', ')}]`,
      `      start: '${new Date(now - 4 * 3600_000).toISOString()}'`,
      `      endpoint: ${fake.url}`,
      '      page_size: 100',
      '      requests_per_minute: 6000',
      '',
    ].join('\n'),
  );
  env = { ...process.env, GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'credentials.json') };
  for (const name of ['GOOGLE_CLOUD_PROJECT', 'GCLOUD_PROJECT', 'CLOUDSDK_CONFIG']) delete env[name];
});

afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('auditlake ingest gcp killed with SIGKILL and rerun', () => {
  it('ends with exactly the events of a clean run, read with the standard credential chain', async () => {
    const clean = join(dir, 'clean.duckdb');
    expect(await runCli(clean)).toEqual({ code: 0, signal: null });
    const expected = await idsIn(clean);
    const all = sorted(
      PROJECTS.flatMap((p) => fake.insertIds(`projects/${p}`, auditLogNames(`projects/${p}`, [...KINDS]))),
    );
    expect(expected).toEqual({ ids: all, duplicates: 0 });
    // The real GoogleAuth exchanged the federated token and every request carried the result.
    expect(fake.stsExchanges).toBeGreaterThan(0);
    expect(new Set(fake.requests.map((r) => r.authorization))).toEqual(new Set([`Bearer ${FAKE_STS_TOKEN}`]));

    const crashed = join(dir, 'crashed.duckdb');
    const seen: number[] = [];
    for (const point of ['after-commit:3', 'staged-record:450', 'before-commit:6']) {
      const outcome = await runCli(crashed, point);
      expect(outcome.signal).toBe('SIGKILL');
      const partial = await idsIn(crashed);
      expect(partial.duplicates).toBe(0);
      seen.push(partial.ids.length);
    }
    expect(seen[0]).toBeGreaterThan(0);
    expect(seen.at(-1)).toBeLessThan(all.length);
    expect(new Set(seen).size).toBeGreaterThan(1);
    expect(await runCli(crashed)).toEqual({ code: 0, signal: null });
    expect(await idsIn(crashed)).toEqual(expected);
  }, 240_000);
});
