/**
 * Normalization micro-benchmark: records/s per format for classification (the CASE over every
 * format's matcher, as ingest runs it) and for the format's projection, on synthetic records
 * built from our own test records (test/fixtures/gcp, test/normalize/*.test.ts), never corpora.
 *
 *   npm run bench:normalize                  # 100,000 records per format
 *   npm run bench:normalize -- --records 20000
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { classifySql } from '../src/normalize/normalize-sql.js';
import type { RecordFormat } from '../src/normalize/record-format.js';
import { RECORD_FORMATS } from '../src/normalize/registry.js';

const args = process.argv.slice(2);
const recordsArg = args.indexOf('--records');
const N = recordsArg >= 0 ? Number(args[recordsArg + 1]) : 100_000;

const ACCOUNT = '111111111111';
const TENANT = '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d';
const WORKSPACE = '99999999-8888-4777-8666-555555555555';
const SUB = '1f0c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f';
const RESOURCE = `/subscriptions/${SUB.toUpperCase()}/resourceGroups/rg-contoso/providers/Microsoft.Network/networkSecurityGroups/nsg-web`;

type Rec = Record<string, unknown>;

/** A distinct id and time per record, so nothing is deduplicated or cached. */
function stamp(i: number): { id: string; time: string } {
  const t = new Date(Date.UTC(2024, 3, 1) + i * 1000).toISOString();
  return { id: `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000001`, time: t };
}

// test/normalize/cloudtrail.test.ts apiCall()
function cloudtrail(i: number): Rec {
  const { id, time } = stamp(i);
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEROLEID0001:alice@example.com',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/alice@example.com`,
      accountId: ACCOUNT,
      accessKeyId: 'ASIAEXAMPLEKEY000001',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLEROLEID0001',
          arn: `arn:aws:iam::${ACCOUNT}:role/Deployer`,
          accountId: ACCOUNT,
          userName: 'Deployer',
        },
        attributes: { creationDate: '2025-03-01T09:00:00Z', mfaAuthenticated: 'true' },
      },
    },
    eventTime: time.replace(/\.\d+Z$/, 'Z'),
    eventSource: 'iam.amazonaws.com',
    eventName: 'AttachUserPolicy',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/linux#6.8',
    requestParameters: { userName: 'carol', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
    responseElements: null,
    requestID: id,
    eventID: id,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  };
}

// test/fixtures/gcp/*.json
const gcpFixtures = (() => {
  const dir = resolve('test/fixtures/gcp');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Rec);
})();
function gcp(i: number): Rec {
  const { id, time } = stamp(i);
  return { ...(gcpFixtures[i % gcpFixtures.length] as Rec), insertId: id, timestamp: time };
}

// test/normalize/entra-signin.test.ts signIn(), alternating with its Log Analytics row shape.
function signIn(i: number): Rec {
  const { id, time } = stamp(i);
  const props = {
    id,
    createdDateTime: time,
    userDisplayName: 'Alice Contoso',
    userPrincipalName: 'alice@contoso.example',
    userId: '0b1c2d3e-0000-4000-8000-00000000a11c',
    appId: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c',
    appDisplayName: 'Azure Portal',
    ipAddress: '203.0.113.25',
    status: {
      errorCode: i % 7 === 0 ? 50126 : 0,
      failureReason: i % 7 === 0 ? 'Invalid username or password.' : undefined,
    },
    clientAppUsed: 'Browser',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/124.0',
    deviceDetail: { deviceId: '', operatingSystem: 'Linux', browser: 'Firefox 124.0' },
    location: { city: 'Amsterdam', state: 'Noord-Holland', countryOrRegion: 'NL' },
    conditionalAccessStatus: 'success',
    isInteractive: true,
    tokenIssuerName: '',
    tokenIssuerType: 'AzureAD',
    riskLevelDuringSignIn: 'none',
    riskLevelAggregated: 'none',
    riskState: 'none',
    resourceDisplayName: 'Windows Azure Service Management API',
    resourceId: '797f4846-ba00-4fd7-ba43-dac1f8f63013',
    resourceTenantId: TENANT,
    homeTenantId: TENANT,
    authenticationRequirement: 'multiFactorAuthentication',
    crossTenantAccessType: 'none',
  };
  if (i % 2 === 1) {
    const row: Rec = {
      TenantId: WORKSPACE,
      TimeGenerated: time,
      Type: 'SigninLogs',
      AADTenantId: TENANT,
      OperationName: 'Sign-in activity',
      Category: 'SignInLogs',
      ResultType: '0',
    };
    for (const [k, v] of Object.entries(props))
      row[k.charAt(0).toUpperCase() + k.slice(1)] = typeof v === 'object' ? JSON.stringify(v) : v;
    return row;
  }
  return {
    time,
    resourceId: `/tenants/${TENANT}/providers/Microsoft.aadiam`,
    operationName: 'Sign-in activity',
    operationVersion: '1.0',
    category: 'SignInLogs',
    tenantId: TENANT,
    resultType: '0',
    resultSignature: 'None',
    durationMs: 0,
    callerIpAddress: '203.0.113.25',
    correlationId: '11110000-2222-4333-8444-555566667777',
    identity: 'Alice Contoso',
    Level: 4,
    location: 'NL',
    properties: props,
  };
}

// test/normalize/entra-audit.test.ts audit()
function audit(i: number): Rec {
  const { id, time } = stamp(i);
  return {
    time,
    resourceId: `/tenants/${TENANT}/providers/Microsoft.aadiam`,
    operationName: 'Add member to role',
    operationVersion: '1.0',
    category: 'AuditLogs',
    tenantId: TENANT,
    resultSignature: 'None',
    durationMs: 0,
    callerIpAddress: '203.0.113.40',
    correlationId: '44440000-2222-4333-8444-555566667777',
    identity: 'Alice Contoso',
    Level: 4,
    properties: {
      id: `Directory_${id}_ABCDE_1001`,
      category: 'RoleManagement',
      correlationId: '44440000-2222-4333-8444-555566667777',
      result: 'success',
      resultReason: '',
      activityDisplayName: 'Add member to role',
      activityDateTime: time,
      loggedByService: 'Core Directory',
      operationType: 'Assign',
      initiatedBy: {
        user: {
          id: '0b1c2d3e-0000-4000-8000-00000000a11c',
          displayName: null,
          userPrincipalName: 'alice@contoso.example',
          ipAddress: '203.0.113.41',
          roles: [],
        },
      },
      targetResources: [
        {
          id: '0b1c2d3e-0000-4000-8000-000000000b0b',
          displayName: 'Bob Example',
          type: 'User',
          userPrincipalName: 'bob@contoso.example',
          modifiedProperties: [],
        },
        {
          id: '62e90394-69f5-4237-9190-012177145e10',
          displayName: 'Global Administrator',
          type: 'Role',
          modifiedProperties: [],
        },
      ],
      additionalDetails: [{ key: 'User-Agent', value: 'Mozilla/5.0 (Windows NT 10.0) Edge/124.0' }],
    },
  };
}

// test/normalize/azure-activity.test.ts activityRecord()
function activity(i: number): Rec {
  const { time } = stamp(i);
  return {
    time,
    resourceId: RESOURCE,
    operationName: 'Microsoft.Network/networkSecurityGroups/securityRules/write',
    category: 'Administrative',
    resultType: i % 3 === 0 ? 'Start' : 'Success',
    resultSignature: 'Succeeded.Created',
    durationMs: 1500,
    callerIpAddress: '203.0.113.10',
    correlationId: `aaaa0000-1111-4222-8333-${i.toString(16).padStart(12, '0')}`,
    identity: {
      authorization: {
        scope: RESOURCE,
        action: 'Microsoft.Network/networkSecurityGroups/securityRules/write',
        evidence: {
          role: 'Network Contributor',
          principalType: 'User',
          principalId: '0b1c2d3e0000400080000000',
        },
      },
      claims: {
        aud: 'https://management.core.windows.net/',
        iss: `https://sts.windows.net/${TENANT}/`,
        appid: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c',
        'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn': 'alice@contoso.example',
        'http://schemas.microsoft.com/identity/claims/objectidentifier':
          '0b1c2d3e-0000-4000-8000-00000000a11c',
        'http://schemas.microsoft.com/identity/claims/tenantid': TENANT,
      },
    },
    level: 'Information',
    location: 'westeurope',
    properties: { statusCode: 'Created', eventCategory: 'Administrative' },
  };
}

const BUILDERS: Record<string, (i: number) => Rec> = {
  cloudtrail,
  gcp_audit: gcp,
  entra_signin: signIn,
  entra_audit: audit,
  azure_activity: activity,
};

const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();

async function timed(sql: string): Promise<number> {
  const start = performance.now();
  await connection.run(sql);
  return (performance.now() - start) / 1000;
}

const rate = (seconds: number) =>
  `${Math.round(N / seconds)
    .toLocaleString('en-US')
    .padStart(10)} rec/s`;

console.log(`${N.toLocaleString('en-US')} records per format`);
console.log(
  `${'format'.padEnd(16)}${'classify'.padStart(24)}${'project'.padStart(24)}${'both'.padStart(24)}`,
);
for (const format of RECORD_FORMATS as readonly RecordFormat[]) {
  const build = BUILDERS[format.id];
  if (!build) continue;
  await connection.run('create or replace temp table src (origin varchar, position bigint, r varchar)');
  const appender = await connection.createAppender('src', 'main', 'temp');
  for (let i = 0; i < N; i++) {
    appender.appendVarchar('bench');
    appender.appendBigInt(BigInt(i + 1));
    appender.appendVarchar(JSON.stringify(build(i)));
    appender.endRow();
  }
  appender.closeSync();
  await connection.run(
    'create or replace temp table parsed as select origin, position, r::json as r from src',
  );
  const classify = await timed(
    `create or replace temp table classified as select origin, position, r, ${classifySql()} as fmt from parsed`,
  );
  const reader = await connection.runAndReadAll(
    `select count(*) filter (where fmt = '${format.id}') from classified`,
  );
  const matched = Number(reader.getRows()[0]?.[0]);
  if (matched !== N) throw new Error(`${format.id}: ${matched} of ${N} records classified as ${format.id}`);
  const project = await timed(
    `create or replace temp table projected as ${format.projection(`(select origin, position, r from classified where fmt = '${format.id}')`)}`,
  );
  console.log(
    `${format.id.padEnd(16)}${rate(classify).padStart(24)}${rate(project).padStart(24)}${rate(classify + project).padStart(24)}`,
  );
}
