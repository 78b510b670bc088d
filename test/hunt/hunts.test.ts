import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultQueriesRoot, loadDetectors } from '../../src/detect/load-detectors.js';
import { huntOutputRows, runHuntOnStore } from '../../src/hunt/hunt-on-store.js';
import { resolveHuntParams } from '../../src/hunt/hunt-params.js';
import { findHunt, loadHunts } from '../../src/hunt/load-hunts.js';
import { huntWindow } from '../../src/hunt/run-hunt.js';
import {
  activityDiagnostic,
  activityLogAnalytics,
  auditDiagnostic,
  auditLogAnalytics,
  gcpEntry,
  signInDiagnostic,
  signInLogAnalytics,
} from '../fixtures/analyst-records.js';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';
import { storeWithRecords } from '../helpers/store-with-records.js';

/**
 * Every shipped hunt in queries/hunts/ run against one small store whose records were built so each
 * hunt has exact expected rows: CloudTrail records 1-12 on 2026-11-02, Azure ones on 2026-11-03..05,
 * GCP ones in 2024.
 */
const ALICE = 'arn:aws:iam::111122223333:user/alice';
const BOB = 'arn:aws:iam::111122223333:user/bob';
const SESSION_X = 'arn:aws:sts::444455556666:assumed-role/CrossAdmin/alice-x';
const SESSION_Y = 'arn:aws:sts::777788889999:assumed-role/Auditor/alice-y';

const bobIdentity = {
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLEUSER00002',
  arn: BOB,
  accountId: '111122223333',
  accessKeyId: 'AKIAEXAMPLEKEY00002',
  userName: 'bob',
};

function sessionIdentity(
  arn: string,
  account: string,
  role: string,
  key = 'ASIAEXAMPLE000000001',
): Record<string, unknown> {
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLE:${arn.split('/').at(-1)}`,
    arn,
    accountId: account,
    accessKeyId: key,
    sessionContext: {
      sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${account}:role/${role}`, userName: role },
    },
  };
}

function assumeRole(n: number, roleArn: string, sessionArn: string, overrides: Record<string, unknown> = {}) {
  return cloudtrailRecord(n, {
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    requestParameters: { roleArn, roleSessionName: sessionArn.split('/').at(-1) },
    responseElements: { assumedRoleUser: { arn: sessionArn, assumedRoleId: 'AROAEXAMPLE:x' } },
    recipientAccountId: roleArn.split(':')[4],
    ...overrides,
  });
}

const id = (n: number): string => String(cloudtrailRecord(n).eventID);

const RECORDS = [
  cloudtrailRecord(1),
  cloudtrailRecord(2, {
    eventSource: 'secretsmanager.amazonaws.com',
    eventName: 'GetSecretValue',
    requestParameters: { secretId: 'prod/db-password' },
  }),
  cloudtrailRecord(3, {
    eventSource: 's3.amazonaws.com',
    eventName: 'DeleteBucket',
    requestParameters: { bucketName: 'acme-prod-billing' },
    errorCode: 'AccessDenied',
  }),
  cloudtrailRecord(4, {
    eventSource: 's3.amazonaws.com',
    eventName: 'DeleteBucket',
    requestParameters: { bucketName: 'acme-prod-billing' },
    errorCode: 'AccessDenied',
  }),
  cloudtrailRecord(5, {
    userIdentity: bobIdentity,
    eventSource: 's3.amazonaws.com',
    eventName: 'PutBucketPolicy',
    requestParameters: { bucketName: 'acme-prod-billing' },
    sourceIPAddress: '203.0.113.50',
  }),
  cloudtrailRecord(6, {
    userIdentity: bobIdentity,
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    eventType: 'AwsConsoleSignIn',
    responseElements: { ConsoleLogin: 'Success' },
    additionalEventData: { MFAUsed: 'No' },
  }),
  cloudtrailRecord(7, {
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    eventType: 'AwsConsoleSignIn',
    responseElements: { ConsoleLogin: 'Success' },
    additionalEventData: { MFAUsed: 'Yes' },
  }),
  cloudtrailRecord(8, {
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    requestParameters: { name: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/main' },
  }),
  assumeRole(9, 'arn:aws:iam::444455556666:role/CrossAdmin', SESSION_X),
  assumeRole(10, 'arn:aws:iam::777788889999:role/Auditor', SESSION_Y, {
    userIdentity: sessionIdentity(SESSION_X, '444455556666', 'CrossAdmin'),
  }),
  assumeRole(11, 'arn:aws:iam::111122223333:role/Local', 'arn:aws:sts::111122223333:assumed-role/Local/bob', {
    userIdentity: bobIdentity,
  }),
  cloudtrailRecord(12, {
    userIdentity: sessionIdentity(SESSION_X, '444455556666', 'CrossAdmin', 'ASIACHAIN0000000002'),
    eventSource: 's3.amazonaws.com',
    eventName: 'ListBuckets',
    recipientAccountId: '444455556666',
  }),
  gcpEntry('activity-impersonated-delete'),
  gcpEntry('org-set-iam-policy'),
  gcpEntry('gke-anonymous-secrets-list'),
  activityDiagnostic,
  activityLogAnalytics,
  signInDiagnostic,
  signInLogAnalytics,
  auditDiagnostic,
  auditLogAnalytics,
];

let dir: string;
let db: string;
const library = loadHunts();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-hunts-'));
  db = join(dir, 'store.duckdb');
  (await storeWithRecords(db, RECORDS)).close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface HuntCall {
  params?: Record<string, string>;
  since?: string;
  until?: string;
}

async function hunt(name: string, call: HuntCall = {}): Promise<Record<string, unknown>[]> {
  const h = findHunt(library, name);
  const result = await runHuntOnStore(h, {
    store: { path: db },
    window: huntWindow(
      h,
      call.since === undefined ? undefined : new Date(call.since),
      call.until === undefined ? undefined : new Date(call.until),
      new Date('2026-11-27T00:00:00Z'),
    ),
    params: resolveHuntParams(h, call.params ?? {}),
  });
  return huntOutputRows(result, true);
}

const column = (rows: Record<string, unknown>[], name: string): unknown[] => rows.map((r) => r[name]);

describe('the hunt library (queries/hunts/)', () => {
  it('loads at least 12 valid hunts, none of which the detector loader takes for a detector', () => {
    expect(library.problems).toEqual([]);
    expect(library.hunts.length).toBeGreaterThanOrEqual(12);
    for (const h of library.hunts) {
      expect(h.header.examples.length, h.id).toBeGreaterThan(0);
      for (const example of h.header.examples) expect(example, h.id).toContain(`auditlake hunt ${h.id}`);
    }
    const detectors = loadDetectors(defaultQueriesRoot());
    const ids = [...detectors.detectors, ...detectors.problems].map((d) => d.id);
    expect(ids.filter((d) => d.startsWith('hunts/'))).toEqual([]);
    expect(ids.length).toBeGreaterThan(0);
  });

  it('has a test below for every hunt', () => {
    const tested = new Set(describeNames.map((n) => n.split(':')[0]));
    expect(library.hunts.map((h) => h.id).filter((h) => !tested.has(h))).toEqual([]);
  });
});

const describeNames: string[] = [];
function huntTest(name: string, title: string, body: () => Promise<void>): void {
  describeNames.push(`${name}: ${title}`);
  it(`${name}: ${title}`, body);
}

describe('each hunt returns the expected rows', () => {
  huntTest('principal-activity', 'one principal, in time order, limited to the latest', async () => {
    const rows = await hunt('principal-activity', { params: { principal: ALICE } });
    expect(column(rows, 'event_id')).toEqual([1, 2, 3, 4, 7, 8, 9].map(id));
    expect(rows[0]).toMatchObject({ source: 'aws', actor: ALICE, action: 'DescribeInstances' });
    const latest = await hunt('principal-activity', { params: { principal: ALICE, max_rows: '2' } });
    expect(column(latest, 'event_id')).toEqual([8, 9].map(id));
    // The role behind a session counts as the principal too.
    const role = await hunt('principal-activity', {
      params: { principal: 'arn:aws:iam::444455556666:role/CrossAdmin' },
    });
    expect(column(role, 'event_id')).toEqual([10, 12].map(id));
  });

  huntTest('principal-activity', 'a value with quotes and semicolons is data, never SQL', async () => {
    const hostile = "x'; drop table events; select '";
    expect(await hunt('principal-activity', { params: { principal: hostile } })).toEqual([]);
    const still = await hunt('top-talkers', { params: { top: '100' } });
    expect(still.reduce((sum, r) => sum + Number(r.events), 0)).toBe(RECORDS.length);
    expect(await hunt('principal-activity', { params: { principal: "O'Brien" } })).toEqual([]);
  });

  huntTest('ip-activity', 'an exact address and a pattern', async () => {
    const rows = await hunt('ip-activity', { params: { ip: '203.0.113.50' } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ event_id: id(5), actor: BOB, action: 'PutBucketPolicy' });
    const range = await hunt('ip-activity', { params: { ip: '203.0.113.%' } });
    expect(new Set(column(range, 'source_ip'))).toEqual(
      new Set(['203.0.113.50', '203.0.113.10', '203.0.113.27', '203.0.113.77', '203.0.113.99']),
    );
  });

  huntTest('resource-activity', 'who touched a bucket, case-insensitive, grouped', async () => {
    const rows = await hunt('resource-activity', { params: { resource: 'ACME-PROD-BILLING' } });
    expect(rows.map((r) => [r.actor, r.action, r.outcome, r.events])).toEqual([
      [ALICE, 'DeleteBucket', 'failure', 2],
      [BOB, 'PutBucketPolicy', 'success', 1],
    ]);
    expect(rows[0]?.evidence).toEqual([id(3), id(4)]);
    expect(rows[0]?.resources).toEqual(['acme-prod-billing']);
    // The session name appears only in the record text.
    expect(await hunt('resource-activity', { params: { resource: 'alice-y' } })).toEqual([]);
    const raw = await hunt('resource-activity', { params: { resource: 'alice-y', search_raw: 'true' } });
    expect(column(raw, 'action')).toEqual(['AssumeRole']);
  });

  huntTest('failed-actions', 'failures per principal, action and error', async () => {
    const rows = await hunt('failed-actions');
    expect(rows.map((r) => [r.actor, r.action, r.error_code, r.failures])).toEqual([
      [ALICE, 'DeleteBucket', 'AccessDenied', 2],
      ['5e6f7a8b-1111-4222-8333-9a0b1c2d3e4f', 'MICROSOFT.COMPUTE/VIRTUALMACHINES/DELETE', 'Conflict', 1],
      ['bob@acme.example', 'Sign-in activity', '50126', 1],
      ['system:anonymous', 'io.k8s.core.v1.secrets.list', 'PERMISSION_DENIED', 1],
    ]);
    expect(await hunt('failed-actions', { params: { min_failures: '2' } })).toHaveLength(1);
    expect(await hunt('failed-actions', { params: { principal: '%bob%' } })).toHaveLength(1);
  });

  huntTest(
    'privileged-actions',
    'changes to access across clouds; 7 days back from --until by default',
    async () => {
      const rows = await hunt('privileged-actions', { until: '2026-11-06T00:00:00Z' });
      expect(rows.map((r) => [r.source, r.actor, r.action])).toEqual([
        ['aws', BOB, 'PutBucketPolicy'],
        ['azure', 'kwame.mensah@acme.example', 'Add member to role'],
        ['azure', 'deploy-bot', 'Add service principal credentials'],
      ]);
      expect(await hunt('privileged-actions', { until: '2026-11-20T00:00:00Z' })).toEqual([]);
      const gcp = await hunt('privileged-actions', { since: '2024-01-01', until: '2025-01-01' });
      expect(column(gcp, 'action')).toEqual(['SetIamPolicy']);
    },
  );

  huntTest('new-principals', 'first seen in the window, sessions judged by their role', async () => {
    const rows = await hunt('new-principals', { since: '2026-11-03', until: '2026-11-06' });
    expect(column(rows, 'principal')).toEqual([
      'alice@acme.example',
      '5e6f7a8b-1111-4222-8333-9a0b1c2d3e4f',
      'daniel.okafor@acme.example',
      'bob@acme.example',
      'kwame.mensah@acme.example',
      'deploy-bot',
    ]);
    const aws = await hunt('new-principals', { since: '2026-11-02', until: '2026-11-03' });
    expect(
      new Set(
        column(
          aws.filter((r) => r.source === 'aws'),
          'principal',
        ),
      ),
    ).toEqual(new Set([ALICE, BOB, 'arn:aws:iam::444455556666:role/CrossAdmin']));
  });

  huntTest('cross-account-role-chains', 'the longest chain that crosses accounts', async () => {
    const rows = await hunt('cross-account-role-chains');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      origin: ALICE,
      final_session: SESSION_Y,
      hops: 2,
      principals: [ALICE, SESSION_X, SESSION_Y],
      accounts: ['111122223333', '444455556666', '777788889999'],
      evidence: [id(9), id(10)],
    });
    expect(await hunt('cross-account-role-chains', { params: { principal: BOB } })).toEqual([]);
    const short = await hunt('cross-account-role-chains', { params: { max_hops: '1' } });
    expect(short[0]).toMatchObject({ hops: 1, final_session: SESSION_X });
  });

  huntTest('console-logins', 'sign-ins with and without MFA', async () => {
    const rows = await hunt('console-logins');
    const summary = rows.map((r) => [r.source, r.actor, r.succeeded, r.failed, r.with_mfa, r.without_mfa]);
    expect(summary).toEqual([
      ['aws', BOB, 1, 0, 0, 1],
      ['aws', ALICE, 1, 0, 1, 0],
      ['azure', 'bob@acme.example', 0, 1, 0, 0],
      ['azure', 'daniel.okafor@acme.example', 1, 0, 1, 0],
    ]);
    const noMfa = await hunt('console-logins', { params: { without_mfa_only: 'true' } });
    expect(noMfa.map((r) => [r.actor, r.without_mfa_evidence])).toEqual([[BOB, [id(6)]]]);
  });

  huntTest('secret-reads', 'reads per principal and secret', async () => {
    const rows = await hunt('secret-reads');
    expect(rows.map((r) => [r.source, r.actor, r.secret, r.reads])).toEqual([
      ['aws', ALICE, 'prod/db-password', 1],
      ['gcp', 'system:anonymous', expect.stringContaining('secrets'), 1],
    ]);
    expect(await hunt('secret-reads', { params: { secret: 'DB-PASS' } })).toHaveLength(1);
    expect(await hunt('secret-reads', { since: '2026-01-01' })).toHaveLength(1);
  });

  huntTest('logging-changes', 'audit logging stopped', async () => {
    const rows = await hunt('logging-changes');
    expect(rows.map((r) => [r.actor, r.action, r.event_id])).toEqual([[ALICE, 'StopLogging', id(8)]]);
  });

  huntTest('top-talkers', 'principals by volume, with their share', async () => {
    const rows = await hunt('top-talkers', { params: { top: '2' } });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ rank: 1, actor: ALICE, source: 'aws', events: 7, failures: 2 });
    expect(rows[0]?.percent_of_all).toBe(Math.round((700 / RECORDS.length) * 100) / 100);
    expect(rows[0]?.top_actions).toEqual(['DeleteBucket', 'AssumeRole', 'ConsoleLogin']);
    const gcp = await hunt('top-talkers', { params: { source: 'gcp' } });
    expect(new Set(column(gcp, 'source'))).toEqual(new Set(['gcp']));
    expect(gcp).toHaveLength(3);
  });

  huntTest('workload-identity-activity', 'an Entra app and an impersonated GCP service account', async () => {
    const app = await hunt('workload-identity-activity', {
      params: { identity: '7B9D1F3A-5C7E-4A9B-8D1F-3A5C7E9B1D3F' },
    });
    expect(app.map((r) => [r.appears_as, r.actor, r.action])).toEqual([
      ['actor', 'deploy-bot', 'Add service principal credentials'],
    ]);
    const impersonator = await hunt('workload-identity-activity', {
      params: { identity: 'dave@example.com' },
    });
    expect(impersonator.map((r) => [r.appears_as, r.actor])).toEqual([
      ['impersonated the actor', 'terraform@acme-prod-1.iam.gserviceaccount.com'],
    ]);
    const client = await hunt('workload-identity-activity', {
      params: { identity: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c' },
    });
    expect(client.map((r) => [r.appears_as, r.actor])).toEqual([
      ['client app', 'alice@acme.example'],
      ['client app', 'bob@acme.example'],
    ]);
  });

  huntTest('access-key-activity', 'calls signed with one key', async () => {
    const rows = await hunt('access-key-activity', { params: { access_key_id: 'ASIACHAIN0000000002' } });
    expect(rows.map((r) => [r.actor, r.action, r.account])).toEqual([
      [SESSION_X, 'ListBuckets', '444455556666'],
    ]);
  });

  huntTest('action-callers', 'who called an action, any case', async () => {
    const rows = await hunt('action-callers', { params: { action: 'deletebucket' } });
    expect(rows.map((r) => [r.actor, r.calls, r.succeeded, r.failed])).toEqual([[ALICE, 2, 0, 2]]);
    const assume = await hunt('action-callers', { params: { action: 'AssumeRole' } });
    expect(column(assume, 'actor')).toEqual([ALICE, BOB, SESSION_X]);
  });
});
