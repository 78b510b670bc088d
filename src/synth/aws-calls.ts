import { accountId, type CtCall } from './cloudtrail.js';
import { compact, type JsonObject } from './json.js';
import { isoSeconds } from './period.js';
import type { AwsAccountKey, AwsRegion } from './principals.js';
import type { Rng } from './prng.js';

/** The AWS API calls the cast makes, with request and response shapes as CloudTrail records them. */
export interface AwsEnv {
  account: AwsAccountKey;
  region: AwsRegion;
  time: number;
}

export type CallMaker = (rng: Rng, env: AwsEnv) => CtCall;

/** The named things each account holds, so calls touch a believable, repeating set of resources. */
export const AWS_RESOURCES = {
  prod: {
    instances: ['i-0a1b2c3d4e5f60718', 'i-0b2c3d4e5f6071829', 'i-0c3d4e5f607182930'],
    buckets: ['acme-prod-assets', 'acme-prod-invoices', 'acme-prod-cloudtrail-org', 'acme-prod-backups'],
    functions: ['order-processor', 'invoice-renderer', 'webhook-dispatcher'],
    secrets: [
      'prod/payments/stripe-api-key',
      'prod/payments/db-password',
      'prod/orders/db-password',
      'prod/shared/jwt-signing-key',
    ],
    tables: ['orders', 'customers-sessions'],
    securityGroups: ['sg-0f1e2d3c4b5a69788', 'sg-03a4b5c6d7e8f9012'],
    vpc: 'vpc-0d1c2b3a495867f70',
    cluster: 'prod-ecs',
    services: ['payments-api', 'orders-api', 'storefront'],
    stacks: ['acme-prod-network', 'acme-prod-payments', 'acme-prod-orders'],
    repos: ['payments-api', 'orders-api', 'storefront'],
    kmsKey: 'mrk-4b7e1c0a9d2f4e6b8a3c5d7e9f1a2b3c',
  },
  dev: {
    instances: ['i-0d4e5f60718293a4b', 'i-0e5f60718293a4b5c'],
    buckets: ['acme-dev-scratch', 'acme-dev-artifacts', 'acme-dev-datalake'],
    functions: ['order-processor-dev', 'feature-flags-sync'],
    secrets: ['dev/payments/stripe-api-key', 'dev/orders/db-password'],
    tables: ['orders-dev'],
    securityGroups: ['sg-07a8b9c0d1e2f3a4b', 'sg-0e1f2a3b4c5d6e7f8'],
    vpc: 'vpc-0a9b8c7d6e5f4a3b2',
    cluster: 'dev-ecs',
    services: ['payments-api', 'orders-api'],
    stacks: ['acme-dev-network', 'acme-dev-sandbox'],
    repos: ['payments-api', 'orders-api', 'storefront', 'data-jobs'],
    kmsKey: '2f6c9e1a-7b3d-4c8e-9a5f-1d3b5c7e9a0b',
  },
  mgmt: {
    instances: [],
    buckets: ['acme-mgmt-cloudtrail', 'acme-org-config'],
    functions: [],
    secrets: [],
    tables: [],
    securityGroups: [],
    vpc: 'vpc-0c1d2e3f4a5b6c7d8',
    cluster: '',
    services: [],
    stacks: ['org-baseline'],
    repos: [],
    kmsKey: '6a8c0e2b-4d6f-4a1c-8e3b-5d7f9a1c3e5b',
  },
} as const;

const res = (env: AwsEnv) => AWS_RESOURCES[env.account];
const acct = (env: AwsEnv) => accountId(env.account);

function pickOr(rng: Rng, items: readonly string[], fallback: string): string {
  return items.length > 0 ? rng.pick(items) : fallback;
}

const describeInstances: CallMaker = (rng, env) => ({
  source: 'ec2.amazonaws.com',
  name: 'DescribeInstances',
  readOnly: true,
  request: rng.chance(0.5)
    ? ({ instancesSet: {}, filterSet: {} } as JsonObject)
    : {
        instancesSet: { items: [{ instanceId: pickOr(rng, res(env).instances, 'i-0000000000000000') }] },
        filterSet: {},
      },
  response: null,
});

const describeSecurityGroups: CallMaker = (_rng, env) => ({
  source: 'ec2.amazonaws.com',
  name: 'DescribeSecurityGroups',
  readOnly: true,
  request: {
    securityGroupSet: {},
    securityGroupIdSet: {},
    filterSet: { items: [{ name: 'vpc-id', valueSet: { items: [{ value: res(env).vpc }] } }] },
  },
  response: null,
});

const describeVpcs: CallMaker = () => ({
  source: 'ec2.amazonaws.com',
  name: 'DescribeVpcs',
  readOnly: true,
  request: { vpcSet: {}, filterSet: {} },
  response: null,
});

const listBuckets: CallMaker = (_rng, env) => ({
  source: 's3.amazonaws.com',
  name: 'ListBuckets',
  readOnly: true,
  request: { Host: 's3.amazonaws.com' },
  response: null,
  additionalEventData: bucketExtra(env),
});

function bucketExtra(_env: AwsEnv): JsonObject {
  return {
    SignatureVersion: 'SigV4',
    CipherSuite: 'TLS_AES_128_GCM_SHA256',
    bytesTransferredIn: 0,
    AuthenticationMethod: 'AuthHeader',
    'x-amz-id-2': 'b3JpZ2luYWwgcmVxdWVzdCBpZCB3YXMgaGVyZQ==',
    bytesTransferredOut: 0,
  };
}

const getBucketPolicy: CallMaker = (rng, env) => {
  const bucket = rng.pick(res(env).buckets);
  return {
    source: 's3.amazonaws.com',
    name: rng.pick([
      'GetBucketPolicy',
      'GetBucketEncryption',
      'GetBucketVersioning',
      'GetBucketPublicAccessBlock',
    ]),
    readOnly: true,
    request: { bucketName: bucket, Host: `${bucket}.s3.${env.region}.amazonaws.com`, policy: '' },
    response: null,
    resources: [{ type: 'AWS::S3::Bucket', arn: `arn:aws:s3:::${bucket}` }],
    additionalEventData: bucketExtra(env),
  };
};

export const s3GetObject =
  (bucket: string, key: string): CallMaker =>
  (_rng, env) => ({
    source: 's3.amazonaws.com',
    name: 'GetObject',
    readOnly: true,
    category: 'Data',
    request: { bucketName: bucket, Host: `${bucket}.s3.${env.region}.amazonaws.com`, key },
    response: null,
    resources: [
      { type: 'AWS::S3::Object', arn: `arn:aws:s3:::${bucket}/${key}` },
      { type: 'AWS::S3::Bucket', arn: `arn:aws:s3:::${bucket}` },
    ],
    additionalEventData: { ...bucketExtra(env), bytesTransferredOut: 48_213 },
  });

export const s3PutObject =
  (bucket: string, key: string): CallMaker =>
  (rng, env) => ({
    source: 's3.amazonaws.com',
    name: 'PutObject',
    readOnly: false,
    category: 'Data',
    request: { bucketName: bucket, Host: `${bucket}.s3.${env.region}.amazonaws.com`, key },
    response: { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-version-id': rng.alnum(32) },
    resources: [
      { type: 'AWS::S3::Object', arn: `arn:aws:s3:::${bucket}/${key}` },
      { type: 'AWS::S3::Bucket', arn: `arn:aws:s3:::${bucket}` },
    ],
    additionalEventData: { ...bucketExtra(env), bytesTransferredIn: rng.int(2_000, 9_000_000) },
  });

const listFunctions: CallMaker = () => ({
  source: 'lambda.amazonaws.com',
  name: 'ListFunctions20150331',
  readOnly: true,
  request: null,
  response: null,
  apiVersion: '2015-03-31',
});

const getFunction: CallMaker = (rng, env) => ({
  source: 'lambda.amazonaws.com',
  name: 'GetFunction20150331v2',
  readOnly: true,
  request: { functionName: pickOr(rng, res(env).functions, 'order-processor') },
  response: null,
  apiVersion: '2015-03-31',
});

const describeLogGroups: CallMaker = (rng, env) => ({
  source: 'logs.amazonaws.com',
  name: 'DescribeLogGroups',
  readOnly: true,
  request: { logGroupNamePrefix: `/aws/lambda/${pickOr(rng, res(env).functions, 'app')}` },
  response: null,
});

const filterLogEvents: CallMaker = (rng, env) => ({
  source: 'logs.amazonaws.com',
  name: rng.chance(0.6) ? 'FilterLogEvents' : 'StartQuery',
  readOnly: true,
  request: {
    logGroupName: `/ecs/${pickOr(rng, res(env).services, 'app')}`,
    startTime: env.time - 3_600_000,
    endTime: env.time,
  },
  response: null,
});

const getMetricData: CallMaker = (_rng, env) => ({
  source: 'monitoring.amazonaws.com',
  name: 'GetMetricData',
  readOnly: true,
  request: {
    startTime: isoSeconds(env.time - 10_800_000),
    endTime: isoSeconds(env.time),
    scanBy: 'TimestampDescending',
  },
  response: null,
});

const describeAlarms: CallMaker = () => ({
  source: 'monitoring.amazonaws.com',
  name: 'DescribeAlarms',
  readOnly: true,
  request: { maxRecords: 100 },
  response: null,
});

const describeStacks: CallMaker = (rng, env) => ({
  source: 'cloudformation.amazonaws.com',
  name: 'DescribeStacks',
  readOnly: true,
  request: { stackName: rng.pick(res(env).stacks) },
  response: null,
});

const describeRepositories: CallMaker = () => ({
  source: 'ecr.amazonaws.com',
  name: 'DescribeRepositories',
  readOnly: true,
  request: null,
  response: null,
});

const getParameter: CallMaker = (rng, env) => ({
  source: 'ssm.amazonaws.com',
  name: rng.chance(0.7) ? 'GetParameter' : 'GetParametersByPath',
  readOnly: true,
  request: {
    name: `/${env.account}/${pickOr(rng, res(env).services, 'shared')}/config`,
    withDecryption: false,
  },
  response: null,
});

export const getCallerIdentity: CallMaker = () => ({
  source: 'sts.amazonaws.com',
  name: 'GetCallerIdentity',
  readOnly: true,
  request: null,
  response: null,
});

const describeTable: CallMaker = (rng, env) => ({
  source: 'dynamodb.amazonaws.com',
  name: 'DescribeTable',
  readOnly: true,
  request: { tableName: pickOr(rng, res(env).tables, 'orders') },
  response: null,
  resources: [
    {
      type: 'AWS::DynamoDB::Table',
      arn: `arn:aws:dynamodb:${env.region}:${acct(env)}:table/${pickOr(rng, res(env).tables, 'orders')}`,
    },
  ],
});

const describeServices: CallMaker = (rng, env) => ({
  source: 'ecs.amazonaws.com',
  name: rng.chance(0.5) ? 'DescribeServices' : 'ListTasks',
  readOnly: true,
  request: { cluster: res(env).cluster || 'default', services: [pickOr(rng, res(env).services, 'app')] },
  response: null,
});

const startStopInstance: CallMaker = (rng, env) => {
  const start = rng.chance(0.5);
  const id = pickOr(rng, res(env).instances, 'i-0000000000000000');
  return {
    source: 'ec2.amazonaws.com',
    name: start ? 'StartInstances' : 'StopInstances',
    readOnly: false,
    request: compact({ instancesSet: { items: [{ instanceId: id }] }, force: start ? undefined : false }),
    response: {
      requestId: rng.uuid(),
      instancesSet: {
        items: [
          {
            instanceId: id,
            currentState: start ? { code: 0, name: 'pending' } : { code: 64, name: 'stopping' },
            previousState: start ? { code: 80, name: 'stopped' } : { code: 16, name: 'running' },
          },
        ],
      },
    },
  };
};

const internalIngress: CallMaker = (rng, env) => {
  const group = pickOr(rng, res(env).securityGroups, 'sg-00000000000000000');
  return authorizeIngress(
    group,
    rng.pick([443, 5432, 6379]),
    rng.pick(['10.0.0.0/8', '10.20.0.0/16', '172.16.0.0/12']),
  )(rng, env);
};

export const authorizeIngress =
  (group: string, port: number, cidr: string): CallMaker =>
  (rng) => ({
    source: 'ec2.amazonaws.com',
    name: 'AuthorizeSecurityGroupIngress',
    readOnly: false,
    request: {
      groupId: group,
      ipPermissions: {
        items: [
          {
            ipProtocol: 'tcp',
            fromPort: port,
            toPort: port,
            groups: {},
            ipRanges: { items: [{ cidrIp: cidr }] },
            ipv6Ranges: {},
            prefixListIds: {},
          },
        ],
      },
    },
    response: {
      requestId: rng.uuid(),
      _return: true,
      securityGroupRuleSet: {
        items: [
          {
            groupOwnerId: '',
            groupId: group,
            securityGroupRuleId: `sgr-0${rng.hex(16)}`,
            isEgress: false,
            ipProtocol: 'tcp',
            fromPort: port,
            toPort: port,
            cidrIpv4: cidr,
          },
        ],
      },
    },
  });

const updateFunctionConfiguration: CallMaker = (rng, env) => {
  const fn = pickOr(rng, res(env).functions, 'order-processor');
  return {
    source: 'lambda.amazonaws.com',
    name: 'UpdateFunctionConfiguration20150331v2',
    readOnly: false,
    request: { functionName: fn, timeout: rng.pick([30, 60, 120]), memorySize: rng.pick([512, 1024]) },
    response: {
      functionName: fn,
      functionArn: `arn:aws:lambda:${env.region}:${acct(env)}:function:${fn}`,
      runtime: 'nodejs20.x',
      state: 'Active',
      lastUpdateStatus: 'InProgress',
    },
    apiVersion: '2015-03-31',
  };
};

const putParameter: CallMaker = (rng, env) => ({
  source: 'ssm.amazonaws.com',
  name: 'PutParameter',
  readOnly: false,
  request: {
    name: `/${env.account}/${pickOr(rng, res(env).services, 'shared')}/feature-flags`,
    type: 'String',
    overwrite: true,
  },
  response: { version: rng.int(2, 60), tier: 'Standard' },
});

const getRole: CallMaker = (rng, env) => ({
  source: 'iam.amazonaws.com',
  name: rng.pick(['GetRole', 'ListRoles', 'ListAttachedRolePolicies', 'ListPolicies']),
  readOnly: true,
  request: { roleName: `${pickOr(rng, res(env).services, 'app')}-task-role` },
  response: null,
  global: true,
});

const describeTrails: CallMaker = (rng) => ({
  source: 'cloudtrail.amazonaws.com',
  name: rng.pick(['DescribeTrails', 'GetTrailStatus', 'GetEventSelectors']),
  readOnly: true,
  request: { trailNameList: [], includeShadowTrails: true },
  response: null,
});

const lookupEvents: CallMaker = (_rng, env) => ({
  source: 'cloudtrail.amazonaws.com',
  name: 'LookupEvents',
  readOnly: true,
  request: { startTime: isoSeconds(env.time - 86_400_000), endTime: isoSeconds(env.time), maxResults: 50 },
  response: null,
});

const describeKey: CallMaker = (_rng, env) => ({
  source: 'kms.amazonaws.com',
  name: 'DescribeKey',
  readOnly: true,
  request: { keyId: `arn:aws:kms:${env.region}:${acct(env)}:key/${res(env).kmsKey}` },
  response: null,
  resources: [
    { type: 'AWS::KMS::Key', arn: `arn:aws:kms:${env.region}:${acct(env)}:key/${res(env).kmsKey}` },
  ],
});

const securityFindings: CallMaker = (rng) =>
  rng.pick<CtCall>([
    {
      source: 'securityhub.amazonaws.com',
      name: 'GetFindings',
      readOnly: true,
      request: { maxResults: 100 },
      response: null,
    },
    {
      source: 'guardduty.amazonaws.com',
      name: 'ListDetectors',
      readOnly: true,
      request: null,
      response: null,
    },
    {
      source: 'guardduty.amazonaws.com',
      name: 'ListFindings',
      readOnly: true,
      request: { maxResults: 50 },
      response: null,
    },
    {
      source: 'access-analyzer.amazonaws.com',
      name: 'ListFindingsV2',
      readOnly: true,
      request: null,
      response: null,
    },
  ]);

const iamAudit: CallMaker = (rng) => ({
  source: 'iam.amazonaws.com',
  name: rng.pick([
    'ListUsers',
    'ListAccessKeys',
    'GetCredentialReport',
    'GetAccountSummary',
    'GetAccountAuthorizationDetails',
  ]),
  readOnly: true,
  request: null,
  response: null,
  global: true,
});

const describeConfigRules: CallMaker = () => ({
  source: 'config.amazonaws.com',
  name: 'DescribeComplianceByConfigRule',
  readOnly: true,
  request: null,
  response: null,
});

const athenaQuery: CallMaker = (rng): CtCall => {
  const id = rng.uuid();
  const call: CtCall = rng.chance(0.4)
    ? {
        source: 'athena.amazonaws.com',
        name: 'StartQueryExecution',
        readOnly: false,
        request: {
          queryString: rng.pick([
            'SELECT order_date, count(*) FROM orders_curated GROUP BY 1 ORDER BY 1 DESC LIMIT 30',
            'SELECT * FROM sessions_raw WHERE dt = current_date LIMIT 100',
            'MSCK REPAIR TABLE clickstream_raw',
          ]),
          queryExecutionContext: { database: 'analytics', catalog: 'AwsDataCatalog' },
          workGroup: 'analysts',
          clientRequestToken: rng.uuid(),
        },
        response: { queryExecutionId: id },
      }
    : {
        source: 'athena.amazonaws.com',
        name: rng.pick(['GetQueryExecution', 'GetQueryResults']),
        readOnly: true,
        request: { queryExecutionId: id },
        response: null,
      };
  return call;
};

const glueTables: CallMaker = (rng) => ({
  source: 'glue.amazonaws.com',
  name: rng.pick(['GetTables', 'GetDatabases', 'GetPartitions']),
  readOnly: true,
  request: { databaseName: 'analytics' },
  response: null,
});

const listObjects: CallMaker = (rng, env) => {
  const bucket = rng.pick(res(env).buckets);
  return {
    source: 's3.amazonaws.com',
    name: 'ListObjects',
    readOnly: true,
    category: 'Data',
    request: {
      bucketName: bucket,
      Host: `${bucket}.s3.${env.region}.amazonaws.com`,
      prefix: rng.pick(['curated/', 'raw/2026/11/', 'exports/']),
      delimiter: '/',
    },
    response: null,
    resources: [{ type: 'AWS::S3::Bucket', arn: `arn:aws:s3:::${bucket}` }],
    additionalEventData: bucketExtra(env),
  };
};

const orgRead: CallMaker = (rng) => ({
  source: 'organizations.amazonaws.com',
  name: rng.pick([
    'ListAccounts',
    'DescribeOrganization',
    'ListPolicies',
    'ListOrganizationalUnitsForParent',
  ]),
  readOnly: true,
  request: null,
  response: null,
});

const ssoAdminRead: CallMaker = (rng) => ({
  source: 'sso.amazonaws.com',
  name: rng.pick(['ListPermissionSets', 'ListAccountAssignments', 'DescribePermissionSet']),
  readOnly: true,
  request: { instanceArn: 'arn:aws:sso:::instance/ssoins-72237c1a9e4b5d30' },
  response: null,
});

/** Calls that fail for people without the right to make them. */
export function denied(call: CtCall, arn: string, action: string): CtCall {
  const ec2 = call.source === 'ec2.amazonaws.com';
  return {
    ...call,
    response: null,
    error: {
      code: ec2 ? 'Client.UnauthorizedOperation' : 'AccessDenied',
      message: ec2
        ? 'You are not authorized to perform this operation. User: ' +
          arn +
          ' is not authorized to perform: ' +
          action
        : `User: ${arn} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
    },
  };
}

/** What each kind of person reaches for, weighted. */
export const DUTY_CALLS: Record<string, readonly (readonly [CallMaker, number])[]> = {
  dev: [
    [describeInstances, 6],
    [listBuckets, 3],
    [getBucketPolicy, 2],
    [listFunctions, 4],
    [getFunction, 3],
    [describeLogGroups, 4],
    [filterLogEvents, 8],
    [getMetricData, 4],
    [describeStacks, 3],
    [describeRepositories, 2],
    [getParameter, 4],
    [getCallerIdentity, 2],
    [describeTable, 2],
    [describeServices, 4],
    [describeAlarms, 2],
  ],
  ops: [
    [describeInstances, 6],
    [describeSecurityGroups, 3],
    [describeVpcs, 2],
    [listBuckets, 2],
    [getBucketPolicy, 2],
    [filterLogEvents, 5],
    [getMetricData, 5],
    [describeAlarms, 3],
    [describeStacks, 3],
    [describeServices, 5],
    [getRole, 3],
    [describeTrails, 1],
    [describeKey, 1],
    [startStopInstance, 1],
    [internalIngress, 0.4],
    [updateFunctionConfiguration, 0.6],
    [putParameter, 0.8],
    [getCallerIdentity, 2],
  ],
  security: [
    [describeTrails, 4],
    [lookupEvents, 3],
    [securityFindings, 6],
    [iamAudit, 4],
    [describeConfigRules, 2],
    [getBucketPolicy, 3],
    [describeSecurityGroups, 2],
    [describeKey, 1],
  ],
  data: [
    [athenaQuery, 10],
    [glueTables, 4],
    [listObjects, 4],
    [listBuckets, 1],
    [describeTable, 1],
    [getCallerIdentity, 1],
  ],
  readonly: [
    [describeInstances, 4],
    [listBuckets, 2],
    [listFunctions, 2],
    [describeLogGroups, 2],
    [filterLogEvents, 3],
    [describeStacks, 2],
    [getCallerIdentity, 1],
  ],
  mgmt: [
    [orgRead, 5],
    [ssoAdminRead, 3],
    [describeTrails, 2],
    [iamAudit, 1],
    [getBucketPolicy, 1],
  ],
};
