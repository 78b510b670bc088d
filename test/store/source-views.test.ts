import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOURCE_VIEW_NAMES } from '../../src/store/source-views.js';
import {
  activityDiagnostic,
  activityLogAnalytics,
  auditDiagnostic,
  auditLogAnalytics,
  cloudtrailAssumedRole,
  cloudtrailStringParams,
  gcpEntry,
  SUB,
  signInDiagnostic,
  signInLogAnalytics,
  TENANT,
} from '../fixtures/analyst-records.js';
import { storeWithRecords } from '../helpers/store-with-records.js';

let dir: string;
let db: string;

const FORMAT_OF_VIEW: Record<string, string> = {
  cloudtrail: 'cloudtrail',
  gcp_audit: 'gcp_audit',
  azure_activity: 'azure_activity',
  entra_signins: 'entra_signin',
  entra_audit: 'entra_audit',
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-views-'));
  db = join(dir, 'store.duckdb');
  const store = await storeWithRecords(db, [
    cloudtrailStringParams,
    cloudtrailAssumedRole,
    gcpEntry('activity-impersonated-delete'),
    gcpEntry('policy-denied-vpc-sc'),
    activityDiagnostic,
    activityLogAnalytics,
    signInDiagnostic,
    signInLogAnalytics,
    auditDiagnostic,
    auditLogAnalytics,
  ]);
  store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A plain DuckDB instance on the store file: no auditlake code, as the stock CLI opens it. */
async function plainQuery(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function byId(rows: Record<string, unknown>[], id: string): Record<string, unknown> {
  const row = rows.find((r) => r.event_id === id);
  if (!row) throw new Error(`no row ${id} in ${JSON.stringify(rows.map((r) => r.event_id))}`);
  return row;
}

function json(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

describe('per-source views (migration 7)', () => {
  it('has one row per event of its format in each view, with the common columns first', async () => {
    for (const view of SOURCE_VIEW_NAMES) {
      const [counts] = await plainQuery(
        `select (select count(*) from ${view})::int as in_view, (select count(*) from events where format = '${FORMAT_OF_VIEW[view]}')::int as events`,
      );
      expect(counts, view).toEqual({ in_view: 2, events: 2 });
      const columns = (await plainQuery(`describe ${view}`)).map((c) => c.column_name);
      expect(columns.slice(0, 6), view).toEqual([
        'event_id',
        'event_time',
        'source',
        'account',
        'origin',
        'ingested_at',
      ]);
      expect(columns.at(-1), view).toBe('raw');
    }
  });

  it('cloudtrail: native fields, userIdentity parts, string-wrapped JSON decoded', async () => {
    const rows = await plainQuery('select * from cloudtrail');
    const put = byId(rows, String(cloudtrailStringParams.eventID));
    expect(put).toMatchObject({
      source: 'aws',
      account: '111122223333',
      eventVersion: '1.09',
      eventTime: '2026-11-02T10:00:01Z',
      eventSource: 's3.amazonaws.com',
      eventName: 'PutBucketPolicy',
      awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.7',
      userAgent: 'aws-cli/2.15.0',
      userIdentity_type: 'IAMUser',
      userIdentity_arn: 'arn:aws:iam::111122223333:user/alice',
      userIdentity_accountId: '111122223333',
      userIdentity_principalId: 'AIDAEXAMPLEUSER00001',
      userIdentity_sessionIssuerArn: null,
      errorCode: null,
      requestID: 'req-1',
      eventType: 'AwsApiCall',
      readOnly: false,
      managementEvent: true,
      recipientAccountId: '111122223333',
    });
    expect(json(put.requestParameters)).toEqual({ bucketName: 'acme-prod-billing', policy: '{}' });
    expect(json(put.tlsDetails)).toEqual({ tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256' });
    expect(put.responseElements).toBeNull();
    const denied = byId(rows, String(cloudtrailAssumedRole.eventID));
    expect(denied).toMatchObject({
      userIdentity_type: 'AssumedRole',
      userIdentity_arn: 'arn:aws:sts::111122223333:assumed-role/Admin/alice',
      userIdentity_sessionIssuerArn: 'arn:aws:iam::111122223333:role/Admin',
      userIdentity_sessionIssuerUserName: 'Admin',
      userIdentity_mfaAuthenticated: true,
      userIdentity_accessKeyId: 'ASIAEXAMPLEKEY00002',
      userAgent: '[aws-cli/2.15.0]',
      errorCode: 'AccessDenied',
      errorMessage: 'not allowed',
    });
    expect((json(denied.userIdentity) as { type: string }).type).toBe('AssumedRole');
  });

  it('gcp_audit: LogEntry and AuditLog fields', async () => {
    const rows = await plainQuery('select * from gcp_audit');
    const del = byId(rows, '-5sj0r1e2qw8');
    expect(del).toMatchObject({
      source: 'gcp',
      account: 'acme-prod-1',
      logName: 'projects/acme-prod-1/logs/cloudaudit.googleapis.com%2Factivity',
      insertId: '-5sj0r1e2qw8',
      timestamp: '2024-05-14T14:30:00.498Z',
      severity: 'NOTICE',
      resource_type: 'gce_instance',
      project_id: 'acme-prod-1',
      serviceName: 'compute.googleapis.com',
      methodName: 'v1.compute.instances.delete',
      resourceName: 'projects/acme-prod-1/zones/us-central1-a/instances/web-1',
      principalEmail: 'terraform@acme-prod-1.iam.gserviceaccount.com',
      callerIp: '203.0.113.77',
      callerSuppliedUserAgent: 'google-cloud-sdk gcloud/475.0.0 command/gcloud.compute.instances.delete',
      status_code: 0,
      status_message: null,
    });
    expect(json(del.serviceAccountDelegationInfo)).toEqual([
      { firstPartyPrincipal: { principalEmail: 'dave@example.com' } },
    ]);
    expect(json(del.resource_labels)).toMatchObject({ zone: 'us-central1-a' });
    expect((json(del.authorizationInfo) as { permission: string }[])[0]?.permission).toBe(
      'compute.instances.delete',
    );
    expect(json(del.operation)).toMatchObject({ first: true });
    const denied = rows.find((r) => r.event_id !== '-5sj0r1e2qw8');
    expect(denied?.status_code).toBe(7);
  });

  it('azure_activity: both shapes read into the same columns', async () => {
    const rows = await plainQuery('select * exclude (raw) from azure_activity');
    const diag = rows.find((r) => r.shape === 'diagnostic');
    expect(diag).toMatchObject({
      account: SUB,
      time: '2026-11-03T10:20:30.1234567Z',
      resourceId: activityDiagnostic.resourceId,
      operationName: 'MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE',
      category: 'Administrative',
      resultType: 'Success',
      resultSignature: 'Succeeded.Created',
      level: 'Information',
      location: 'westeurope',
      callerIpAddress: '203.0.113.10',
      caller: null,
      claims_upn: 'alice@acme.example',
      claims_objectId: '0b1c2d3e-0000-4000-8000-00000000a11c',
      claims_appId: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c',
      correlationId: 'aaaa0000-1111-4222-8333-444455556666',
      eventDataId: null,
      subscriptionId: SUB,
      resourceGroup: 'RG-WEB',
      resourceProvider: 'MICROSOFT.NETWORK',
      tenantId: TENANT,
      durationMs: 1500,
    });
    expect(json(diag?.authorization)).toMatchObject({ evidence: { role: 'Network Contributor' } });
    expect(json(diag?.properties)).toEqual({ statusCode: 'Created', eventCategory: 'Administrative' });
    const la = byId(rows, 'cccc0000-1111-4222-8333-444455556666');
    expect(la).toMatchObject({
      shape: 'log_analytics',
      time: '2026-11-03T11:00:00.5Z',
      resourceId: activityLogAnalytics._ResourceId,
      operationName: 'MICROSOFT.COMPUTE/VIRTUALMACHINES/DELETE',
      category: 'Administrative',
      resultType: 'Failure',
      resultSignature: 'Conflict',
      level: 'Error',
      callerIpAddress: '198.51.100.7',
      caller: '5e6f7a8b-1111-4222-8333-9a0b1c2d3e4f',
      claims_appId: 'd1e2f3a4-0000-4000-8000-0000000000a9',
      eventDataId: 'cccc0000-1111-4222-8333-444455556666',
      subscriptionId: SUB,
      resourceGroup: 'rg-app',
      resourceProvider: 'MICROSOFT.COMPUTE',
      tenantId: null,
    });
    expect(json(la.properties)).toEqual({ statusCode: 'Conflict', eventCategory: 'Administrative' });
    expect(json(la.claims)).toMatchObject({ idtyp: 'app' });
  });

  it('entra_signins: both shapes, status and location decoded', async () => {
    const rows = await plainQuery('select * exclude (raw, properties) from entra_signins');
    expect(byId(rows, '0454b7fa-e394-44f4-83da-342b21ef84db')).toMatchObject({
      shape: 'diagnostic',
      account: TENANT,
      category: 'SignInLogs',
      tenantId: TENANT,
      createdDateTime: '2026-11-04T08:00:00.5000000Z',
      userPrincipalName: 'daniel.okafor@acme.example',
      appDisplayName: 'OfficeHome',
      resourceId: '00000002-0000-0ff1-ce00-000000000000',
      ipAddress: '203.0.113.27',
      isInteractive: true,
      authenticationRequirement: 'multiFactorAuthentication',
      status_errorCode: 0,
      status_additionalDetails: 'MFA requirement satisfied by claim in the token',
      location_city: 'New York',
      location_countryOrRegion: 'US',
      deviceDetail_browser: 'Firefox 132.0',
    });
    expect(byId(rows, '5ab0c0de-0000-4000-8000-000000000002')).toMatchObject({
      shape: 'log_analytics',
      tenantId: TENANT,
      userPrincipalName: 'bob@acme.example',
      ipAddress: '198.51.100.20',
      authenticationRequirement: 'singleFactorAuthentication',
      status_errorCode: 50126,
      status_failureReason: 'Invalid username or password.',
      location_city: 'Berlin',
      deviceDetail_operatingSystem: 'Windows 11',
    });
  });

  it('entra_audit: initiator and targets in both shapes', async () => {
    const rows = await plainQuery('select * exclude (raw, properties) from entra_audit');
    expect(byId(rows, auditDiagnostic.properties.id)).toMatchObject({
      shape: 'diagnostic',
      activityDisplayName: 'Add member to role',
      category: 'RoleManagement',
      operationType: 'Assign',
      result: 'success',
      initiatedBy_userPrincipalName: 'kwame.mensah@acme.example',
      initiatedBy_ipAddress: '198.51.100.12',
      initiatedBy_appId: null,
      targetResources_names: ['emma.dubois@acme.example', 'Global Administrator'],
      targetResources_types: ['User', 'Role'],
    });
    const la = byId(rows, 'Directory_55550000_FGHIJ_2002');
    expect(la).toMatchObject({
      shape: 'log_analytics',
      tenantId: TENANT,
      activityDateTime: '2026-11-05T11:59:59.25Z',
      category: 'ApplicationManagement',
      operationType: 'Update',
      initiatedBy_userPrincipalName: null,
      initiatedBy_appDisplayName: 'deploy-bot',
      initiatedBy_appId: '7b9d1f3a-5c7e-4a9b-8d1f-3a5c7e9b1d3f',
      targetResources_names: ['ContosoApp'],
    });
    expect(json(la.additionalDetails)).toEqual([{ key: 'User-Agent', value: 'PowerShell/7.4' }]);
  });

  it('resolves its tables when the store is attached under another name', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await connection.run(`attach '${db.replaceAll("'", "''")}' as lake (read_only)`);
      const reader = await connection.runAndReadAll(
        'select eventName from lake.cloudtrail order by eventName',
      );
      expect(reader.getRowsJson()).toEqual([['DescribeInstances'], ['PutBucketPolicy']]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
