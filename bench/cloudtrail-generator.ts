/**
 * Fast, seeded generator of realistic CloudTrail records (about 1 KB each) for benchmarks. Not the
 * samples generator: this one favours speed and volume over storylines.
 */
const USERS = Array.from({ length: 40 }, (_, i) => `user${i}`);
const ROLES = ['Admin', 'Deploy', 'ReadOnly', 'Lambda-Exec', 'EKS-Node', 'DataPipeline'];
const CALLS: [string, string, boolean][] = [
  ['ec2.amazonaws.com', 'DescribeInstances', true],
  ['s3.amazonaws.com', 'GetBucketAcl', true],
  ['s3.amazonaws.com', 'PutObject', false],
  ['iam.amazonaws.com', 'ListRoles', true],
  ['sts.amazonaws.com', 'AssumeRole', false],
  ['kms.amazonaws.com', 'Decrypt', true],
  ['lambda.amazonaws.com', 'Invoke', false],
  ['cloudwatch.amazonaws.com', 'PutMetricData', false],
  ['secretsmanager.amazonaws.com', 'GetSecretValue', true],
  ['ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', false],
];

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
}

export function cloudtrailBenchRecord(
  rand: () => number,
  timeMs: number,
  account: string,
  region: string,
): object {
  const call = CALLS[Math.floor(rand() * CALLS.length)] as [string, string, boolean];
  const asRole = rand() < 0.6;
  const role = ROLES[Math.floor(rand() * ROLES.length)] as string;
  const user = USERS[Math.floor(rand() * USERS.length)] as string;
  const identity = asRole
    ? {
        type: 'AssumedRole',
        principalId: `AROA${hex(rand, 16).toUpperCase()}:${user}`,
        arn: `arn:aws:sts::${account}:assumed-role/${role}/${user}`,
        accountId: account,
        accessKeyId: `ASIA${hex(rand, 16).toUpperCase()}`,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: `AROA${hex(rand, 16).toUpperCase()}`,
            arn: `arn:aws:iam::${account}:role/${role}`,
            accountId: account,
            userName: role,
          },
          attributes: { creationDate: new Date(timeMs - 600_000).toISOString(), mfaAuthenticated: 'false' },
        },
      }
    : {
        type: 'IAMUser',
        principalId: `AIDA${hex(rand, 16).toUpperCase()}`,
        arn: `arn:aws:iam::${account}:user/${user}`,
        accountId: account,
        accessKeyId: `AKIA${hex(rand, 16).toUpperCase()}`,
        userName: user,
      };
  const failed = rand() < 0.03;
  return {
    eventVersion: '1.09',
    userIdentity: identity,
    eventTime: new Date(timeMs).toISOString().replace('.000Z', 'Z'),
    eventSource: call[0],
    eventName: call[1],
    awsRegion: region,
    sourceIPAddress: `198.51.100.${Math.floor(rand() * 250) + 1}`,
    userAgent:
      'aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2 prompt/off command/ec2.describe-instances',
    ...(failed
      ? { errorCode: 'AccessDenied', errorMessage: 'User is not authorized to perform this operation' }
      : {}),
    requestParameters: {
      maxResults: 1000,
      filterSet: { items: [{ name: 'instance-state-name', valueSet: { items: [{ value: 'running' }] } }] },
    },
    responseElements: null,
    requestID: `${hex(rand, 8)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 12)}`,
    eventID: `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-a${hex(rand, 3)}-${hex(rand, 12)}`,
    readOnly: call[2],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: `${call[0].split('.')[0]}.${region}.amazonaws.com`,
    },
  };
}
