import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';
import { type NormalizedRow, normalizeOne, normalizeRecords } from '../helpers/normalize-records.js';

const ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '222222222222';

const roleIdentity = {
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
};

const userIdentity = {
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLEUSERID0001',
  arn: `arn:aws:iam::${ACCOUNT}:user/bob`,
  accountId: ACCOUNT,
  accessKeyId: 'AKIAEXAMPLEKEY000001',
  userName: 'bob',
};

/** An API call as CloudTrail writes it into a trail file's Records array. */
function apiCall(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: roleIdentity,
    eventTime: '2025-03-01T10:15:30Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'AttachUserPolicy',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/linux#6.8',
    requestParameters: { userName: 'carol', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
    responseElements: null,
    requestID: '0b7c2a55-0000-4000-8000-000000000001',
    eventID: 'e0000000-0000-4000-8000-000000000001',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...overrides,
  };
}

/** A console sign-in event. */
function consoleLogin(
  result: 'Success' | 'Failure',
  mfaUsed: 'Yes' | 'No',
  extra: Record<string, unknown> = {},
) {
  return apiCall({
    userIdentity,
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    eventType: 'AwsConsoleSignIn',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
    requestParameters: null,
    responseElements: { ConsoleLogin: result },
    additionalEventData: {
      LoginTo: 'https://console.aws.amazon.com/console/home',
      MobileVersion: 'No',
      MFAUsed: mfaUsed,
    },
    readOnly: false,
    ...extra,
  });
}

/** The columns that describe who did what, for compact assertions. */
function who(row: NormalizedRow) {
  return { actor: row.actor, actor_type: row.actor_type, actor_issuer: row.actor_issuer };
}

describe('cloudtrailFormat', () => {
  it('maps an assumed-role API call, every column', async () => {
    const record = apiCall();
    const row = await normalizeOne(record);
    const { origin, position, raw, ingested_at, ...columns } = row;
    expect(columns).toEqual({
      source: 'aws',
      format: 'cloudtrail',
      problem: null,
      event_id: 'e0000000-0000-4000-8000-000000000001',
      event_time: '2025-03-01T10:15:30.000000Z',
      account: ACCOUNT,
      region: 'us-east-1',
      service: 'iam.amazonaws.com',
      action: 'AttachUserPolicy',
      log_type: 'AwsApiCall',
      actor: `arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/alice@example.com`,
      actor_type: 'role',
      actor_issuer: `arn:aws:iam::${ACCOUNT}:role/Deployer`,
      source_ip: '198.51.100.7',
      user_agent: 'aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/linux#6.8',
      outcome: 'success',
      error_code: null,
      error_message: null,
      mfa: true,
      resources: ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'carol'],
      details: {
        event_version: '1.09',
        event_category: 'Management',
        read_only: false,
        management_event: true,
        principal_id: 'AROAEXAMPLEROLEID0001:alice@example.com',
        access_key_id: 'ASIAEXAMPLEKEY000001',
        session_name: 'alice@example.com',
        mfa_source: 'mfaAuthenticated',
      },
    });
    expect(origin).toBe('test');
    expect(position).toBe(1);
    expect(raw).toEqual(record);
  });

  it('keeps raw byte-for-byte equal in content, key order and unknown fields included', async () => {
    const text = `{"zeta":1,"eventVersion":"1.08","eventID":"e-raw","eventTime":"2025-03-01T10:15:30Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","unknownField":{"nested":[1,2,{"x":null}]}}`;
    const row = await normalizeOne(text);
    expect(row.problem).toBeNull();
    expect(JSON.stringify(row.raw)).toBe(text);
  });

  describe('userIdentity types', () => {
    it('Root', async () => {
      const row = await normalizeOne(
        apiCall({
          userIdentity: {
            type: 'Root',
            principalId: ACCOUNT,
            arn: `arn:aws:iam::${ACCOUNT}:root`,
            accountId: ACCOUNT,
            accessKeyId: 'ASIAEXAMPLEKEY000002',
            sessionContext: {
              attributes: { creationDate: '2025-03-01T09:00:00Z', mfaAuthenticated: 'false' },
            },
          },
        }),
      );
      expect(who(row)).toEqual({
        actor: `arn:aws:iam::${ACCOUNT}:root`,
        actor_type: 'root',
        actor_issuer: null,
      });
      expect(row.mfa).toBe(false);
    });

    it('IAMUser with a long-term key: no session, so MFA is unknown', async () => {
      const row = await normalizeOne(apiCall({ userIdentity }));
      expect(who(row)).toEqual({
        actor: `arn:aws:iam::${ACCOUNT}:user/bob`,
        actor_type: 'user',
        actor_issuer: null,
      });
      expect(row.mfa).toBeNull();
      expect(row.details).toEqual({
        event_version: '1.09',
        event_category: 'Management',
        read_only: false,
        management_event: true,
        principal_id: 'AIDAEXAMPLEUSERID0001',
        access_key_id: 'AKIAEXAMPLEKEY000001',
      });
    });

    it('AssumedRole', async () => {
      const row = await normalizeOne(apiCall());
      expect(who(row)).toEqual({
        actor: `arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/alice@example.com`,
        actor_type: 'role',
        actor_issuer: `arn:aws:iam::${ACCOUNT}:role/Deployer`,
      });
    });

    it('FederatedUser: issued by the IAM user that called GetFederationToken', async () => {
      const row = await normalizeOne(
        apiCall({
          userIdentity: {
            type: 'FederatedUser',
            principalId: `${ACCOUNT}:dana`,
            arn: `arn:aws:sts::${ACCOUNT}:federated-user/dana`,
            accountId: ACCOUNT,
            accessKeyId: 'ASIAEXAMPLEKEY000003',
            sessionContext: {
              sessionIssuer: {
                type: 'IAMUser',
                principalId: 'AIDAEXAMPLEUSERID0002',
                arn: `arn:aws:iam::${ACCOUNT}:user/broker`,
                accountId: ACCOUNT,
                userName: 'broker',
              },
              attributes: { creationDate: '2025-03-01T09:00:00Z', mfaAuthenticated: 'false' },
            },
          },
        }),
      );
      expect(who(row)).toEqual({
        actor: `arn:aws:sts::${ACCOUNT}:federated-user/dana`,
        actor_type: 'federated',
        actor_issuer: `arn:aws:iam::${ACCOUNT}:user/broker`,
      });
    });

    it('AWSService: the invoking service, with its service name as source address', async () => {
      const row = await normalizeOne(
        apiCall({
          userIdentity: { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' },
          eventSource: 'sts.amazonaws.com',
          eventName: 'AssumeRole',
          sourceIPAddress: 'ec2.amazonaws.com',
          userAgent: 'ec2.amazonaws.com',
          requestParameters: {
            roleArn: `arn:aws:iam::${ACCOUNT}:role/web-instance`,
            roleSessionName: 'i-0abc',
          },
          resources: [
            { accountId: ACCOUNT, type: 'AWS::IAM::Role', ARN: `arn:aws:iam::${ACCOUNT}:role/web-instance` },
          ],
        }),
      );
      expect(who(row)).toEqual({ actor: 'ec2.amazonaws.com', actor_type: 'service', actor_issuer: null });
      expect(row.source_ip).toBe('ec2.amazonaws.com');
      expect(row.resources).toEqual([`arn:aws:iam::${ACCOUNT}:role/web-instance`]);
      expect(row.details?.invoked_by).toBe('ec2.amazonaws.com');
    });

    it('AWSAccount: another account, classified by its principal id', async () => {
      const rows = await normalizeRecords([
        apiCall({
          userIdentity: {
            type: 'AWSAccount',
            principalId: 'AROAEXAMPLEROLEID0009:etl',
            accountId: OTHER_ACCOUNT,
          },
        }),
        apiCall({
          userIdentity: {
            type: 'AWSAccount',
            principalId: 'AIDAEXAMPLEUSERID0009',
            accountId: OTHER_ACCOUNT,
          },
        }),
        apiCall({ userIdentity: { type: 'AWSAccount', principalId: '', accountId: OTHER_ACCOUNT } }),
        apiCall({ userIdentity: { type: 'AWSAccount', principalId: '', accountId: 'ANONYMOUS_PRINCIPAL' } }),
      ]);
      expect(rows.map(who)).toEqual([
        { actor: 'AROAEXAMPLEROLEID0009:etl', actor_type: 'role', actor_issuer: null },
        { actor: 'AIDAEXAMPLEUSERID0009', actor_type: 'user', actor_issuer: null },
        { actor: OTHER_ACCOUNT, actor_type: 'unknown', actor_issuer: null },
        { actor: 'ANONYMOUS_PRINCIPAL', actor_type: 'anonymous', actor_issuer: null },
      ]);
      // The event belongs to the account that recorded it; the caller's account stays in details.
      expect(rows.map((r) => [r.account, r.details?.actor_account])).toEqual([
        [ACCOUNT, OTHER_ACCOUNT],
        [ACCOUNT, OTHER_ACCOUNT],
        [ACCOUNT, OTHER_ACCOUNT],
        [ACCOUNT, 'ANONYMOUS_PRINCIPAL'],
      ]);
    });

    it('IdentityCenterUser sign-in: the user name it gives, issued by the identity store', async () => {
      const storeArn = 'arn:aws:identitystore::111111111111:identitystore/d-1234567890';
      const identity = {
        type: 'IdentityCenterUser',
        arn: '',
        accountId: ACCOUNT,
        accessKeyId: '',
        onBehalfOf: { userId: 'a1b2c3d4-0000-4000-8000-00000000e11e', identityStoreArn: storeArn },
        credentialId: 'cred-0001',
      };
      const signIn = (result: string, userName?: string) =>
        apiCall({
          userIdentity: identity,
          eventSource: 'signin.amazonaws.com',
          eventName: 'UserAuthentication',
          eventType: 'AwsServiceEvent',
          requestParameters: null,
          additionalEventData: {
            AuthWorkflowID: 'wf-0001',
            LoginTo: 'https://d-1234567890.awsapps.com/start/',
            CredentialType: 'PASSWORD',
            ...(userName ? { UserName: userName } : {}),
          },
          serviceEventDetails: { UserAuthentication: result },
        });
      const rows = await normalizeRecords([signIn('Success', 'erin@example.com'), signIn('Failure')]);
      expect(rows.map(who)).toEqual([
        { actor: 'erin@example.com', actor_type: 'user', actor_issuer: storeArn },
        { actor: 'a1b2c3d4-0000-4000-8000-00000000e11e', actor_type: 'user', actor_issuer: storeArn },
      ]);
      expect(rows.map((r) => [r.log_type, r.outcome, r.error_code])).toEqual([
        ['AwsServiceEvent', 'success', null],
        ['AwsServiceEvent', 'failure', 'Failure'],
      ]);
    });

    it('SAMLUser and WebIdentityUser: user name or principal id, issued by the identity provider', async () => {
      const rows = await normalizeRecords([
        apiCall({
          userIdentity: {
            type: 'SAMLUser',
            principalId: 'ExampleIdP:frank@example.com',
            userName: 'frank@example.com',
            identityProvider: 'bdGOnTesti4+ExampleHash=',
          },
          eventSource: 'sts.amazonaws.com',
          eventName: 'AssumeRoleWithSAML',
        }),
        apiCall({
          userIdentity: {
            type: 'WebIdentityUser',
            principalId: 'accounts.google.com:client-0001.apps.example.com:100000000000000000001',
            identityProvider: 'accounts.google.com',
          },
          eventSource: 'sts.amazonaws.com',
          eventName: 'AssumeRoleWithWebIdentity',
        }),
      ]);
      expect(rows.map(who)).toEqual([
        { actor: 'frank@example.com', actor_type: 'federated', actor_issuer: 'bdGOnTesti4+ExampleHash=' },
        {
          actor: 'accounts.google.com:client-0001.apps.example.com:100000000000000000001',
          actor_type: 'federated',
          actor_issuer: 'accounts.google.com',
        },
      ]);
    });

    it('Unknown: whatever name CloudTrail gives', async () => {
      const row = await normalizeOne(
        apiCall({
          userIdentity: { type: 'Unknown', principalId: ACCOUNT, accountId: ACCOUNT, userName: 'gina' },
        }),
      );
      expect(who(row)).toEqual({ actor: 'gina', actor_type: 'unknown', actor_issuer: null });
    });

    it('missing userIdentity: no actor', async () => {
      const { userIdentity: _, ...record } = apiCall();
      const row = await normalizeOne(record);
      expect(row.problem).toBeNull();
      expect(who(row)).toEqual({ actor: null, actor_type: 'unknown', actor_issuer: null });
      expect(row.mfa).toBeNull();
    });
  });

  describe('console sign-in', () => {
    it('success with MFA', async () => {
      const row = await normalizeOne(consoleLogin('Success', 'Yes'));
      expect(row).toMatchObject({
        service: 'signin.amazonaws.com',
        action: 'ConsoleLogin',
        log_type: 'AwsConsoleSignIn',
        actor: `arn:aws:iam::${ACCOUNT}:user/bob`,
        actor_type: 'user',
        outcome: 'success',
        error_code: null,
        error_message: null,
        mfa: true,
      });
      expect(row.details?.mfa_source).toBe('MFAUsed');
    });

    it('failure without MFA: the sign-in failure reason becomes the error code', async () => {
      const row = await normalizeOne(
        consoleLogin('Failure', 'No', { errorMessage: 'Failed authentication' }),
      );
      expect(row).toMatchObject({
        outcome: 'failure',
        error_code: 'Failed authentication',
        error_message: 'Failed authentication',
        mfa: false,
      });
    });

    it('failure without a message still has an error code', async () => {
      const row = await normalizeOne(consoleLogin('Failure', 'No'));
      expect([row.outcome, row.error_code, row.error_message]).toEqual(['failure', 'Failure', null]);
    });

    it('MFAUsed wins over the session attribute', async () => {
      const row = await normalizeOne(consoleLogin('Success', 'No', { userIdentity: roleIdentity }));
      expect([row.mfa, row.details?.mfa_source]).toEqual([false, 'MFAUsed']);
    });

    it('other sign-in results keyed by the event name (SwitchRole)', async () => {
      const row = await normalizeOne(
        consoleLogin('Success', 'No', {
          eventName: 'SwitchRole',
          responseElements: { SwitchRole: 'Failure' },
          additionalEventData: { SwitchFrom: `arn:aws:iam::${ACCOUNT}:user/bob` },
        }),
      );
      expect([row.outcome, row.error_code, row.mfa]).toEqual(['failure', 'Failure', null]);
    });
  });

  it('an errorCode makes the call a failure', async () => {
    const row = await normalizeOne(
      apiCall({
        errorCode: 'AccessDenied',
        errorMessage: `User: arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/alice@example.com is not authorized to perform: iam:AttachUserPolicy`,
      }),
    );
    expect([row.outcome, row.error_code, row.error_message]).toEqual([
      'failure',
      'AccessDenied',
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/alice@example.com is not authorized to perform: iam:AttachUserPolicy`,
    ]);
  });

  it('an empty errorCode is no error', async () => {
    const row = await normalizeOne(apiCall({ errorCode: '' }));
    expect([row.outcome, row.error_code]).toEqual(['success', null]);
  });

  it('Insight event: no actor, no action, outcome unknown, insight in details', async () => {
    const row = await normalizeOne({
      eventVersion: '1.08',
      eventTime: '2025-03-01T11:00:00Z',
      awsRegion: 'us-east-1',
      eventID: 'e0000000-0000-4000-8000-00000000a001',
      eventType: 'AwsCloudTrailInsight',
      recipientAccountId: ACCOUNT,
      sharedEventID: 'e0000000-0000-4000-8000-00000000a002',
      insightDetails: {
        state: 'Start',
        eventSource: 'iam.amazonaws.com',
        eventName: 'AttachUserPolicy',
        insightType: 'ApiCallRateInsight',
        insightContext: { statistics: { baseline: { average: 0.01 }, insight: { average: 5 } } },
      },
      eventCategory: 'Insight',
    });
    const { origin, position, raw, ingested_at, ...columns } = row;
    expect(columns).toEqual({
      source: 'aws',
      format: 'cloudtrail',
      problem: null,
      event_id: 'e0000000-0000-4000-8000-00000000a001',
      event_time: '2025-03-01T11:00:00.000000Z',
      account: ACCOUNT,
      region: 'us-east-1',
      service: null,
      action: null,
      log_type: 'AwsCloudTrailInsight',
      actor: null,
      actor_type: 'unknown',
      actor_issuer: null,
      source_ip: null,
      user_agent: null,
      outcome: 'unknown',
      error_code: null,
      error_message: null,
      mfa: null,
      resources: [],
      details: {
        event_version: '1.08',
        event_category: 'Insight',
        shared_event_id: 'e0000000-0000-4000-8000-00000000a002',
        insight_type: 'ApiCallRateInsight',
        insight_state: 'Start',
        insight_event_source: 'iam.amazonaws.com',
        insight_event_name: 'AttachUserPolicy',
      },
    });
  });

  it('ARNs of other partitions pass through', async () => {
    const gov = JSON.parse(JSON.stringify(roleIdentity).replaceAll('arn:aws:', 'arn:aws-us-gov:'));
    const cn = JSON.parse(JSON.stringify(userIdentity).replaceAll('arn:aws:', 'arn:aws-cn:'));
    const rows = await normalizeRecords([
      apiCall({
        userIdentity: gov,
        awsRegion: 'us-gov-west-1',
        resources: [{ type: 'AWS::IAM::Policy', ARN: 'arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess' }],
        requestParameters: { userName: 'carol', policyArn: 'arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess' },
      }),
      apiCall({ userIdentity: cn, awsRegion: 'cn-north-1', requestParameters: null }),
    ]);
    expect(rows.map(who)).toEqual([
      {
        actor: `arn:aws-us-gov:sts::${ACCOUNT}:assumed-role/Deployer/alice@example.com`,
        actor_type: 'role',
        actor_issuer: `arn:aws-us-gov:iam::${ACCOUNT}:role/Deployer`,
      },
      { actor: `arn:aws-cn:iam::${ACCOUNT}:user/bob`, actor_type: 'user', actor_issuer: null },
    ]);
    expect(rows[0]?.resources).toEqual(['arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess', 'carol']);
    expect(rows[0]?.details?.session_name).toBe('alice@example.com');
  });

  it('strips the outer brackets some exports put around the user agent', async () => {
    const rows = await normalizeRecords([
      apiCall({ userAgent: '[aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/linux#6.8]' }),
      apiCall({ userAgent: 'Boto3/1.35.50 [inner] tail' }),
      apiCall({ userAgent: '[]' }),
    ]);
    expect(rows.map((r) => r.user_agent)).toEqual([
      'aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/linux#6.8',
      'Boto3/1.35.50 [inner] tail',
      null,
    ]);
  });

  describe('JSON text inside strings', () => {
    it('reads requestParameters, additionalEventData and responseElements given as strings', async () => {
      const asObjects = consoleLogin('Failure', 'Yes', {
        errorMessage: 'Failed authentication',
        requestParameters: { userName: 'bob' },
      });
      const asStrings = {
        ...asObjects,
        requestParameters: JSON.stringify(asObjects.requestParameters),
        additionalEventData: JSON.stringify(asObjects.additionalEventData),
        responseElements: JSON.stringify(asObjects.responseElements),
      };
      const rows = await normalizeRecords([asObjects, asStrings]);
      const pick = (r: NormalizedRow) => [r.outcome, r.error_code, r.mfa, r.resources];
      expect(pick(rows[0] as NormalizedRow)).toEqual(['failure', 'Failed authentication', true, ['bob']]);
      expect(pick(rows[1] as NormalizedRow)).toEqual(pick(rows[0] as NormalizedRow));
      expect(rows[1]?.raw).toEqual(asStrings);
    });

    it('reads serviceEventDetails given as a string', async () => {
      const row = await normalizeOne(
        apiCall({
          eventSource: 'signin.amazonaws.com',
          eventName: 'CredentialVerification',
          eventType: 'AwsServiceEvent',
          serviceEventDetails: '{"CredentialVerification":"Failure"}',
        }),
      );
      expect([row.outcome, row.error_code]).toEqual(['failure', 'Failure']);
    });

    it('treats strings that are not JSON as absent, without failing', async () => {
      const row = await normalizeOne(
        consoleLogin('Success', 'No', {
          requestParameters: 'HIDDEN_DUE_TO_SECURITY_REASONS',
          additionalEventData: '{not json',
          responseElements: 'garbage',
        }),
      );
      expect(row.problem).toBeNull();
      expect([row.outcome, row.mfa, row.resources]).toEqual(['success', null, []]);
    });
  });

  describe('resources', () => {
    it('collects resources[] ARNs and resource-naming request parameters, deduplicated and sorted', async () => {
      const row = await normalizeOne(
        apiCall({
          eventSource: 's3.amazonaws.com',
          eventName: 'PutObject',
          requestParameters: {
            bucketName: 'logs-bucket',
            key: 'a/b.json',
            Host: 'logs-bucket.s3.amazonaws.com',
          },
          resources: [
            { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::logs-bucket/a/b.json' },
            { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::logs-bucket' },
            { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::logs-bucket' },
            { type: 'AWS::S3::Object', ARNPrefix: 'arn:aws:s3:::logs-bucket/a/' },
            { type: 'AWS::S3::Object', ARN: '' },
          ],
        }),
      );
      expect(row.resources).toEqual([
        'arn:aws:s3:::logs-bucket',
        'arn:aws:s3:::logs-bucket/a/',
        'arn:aws:s3:::logs-bucket/a/b.json',
        'logs-bucket',
      ]);
    });

    it('reads instance ids from instancesSet and instanceIds, but not the "every instance" wildcard', async () => {
      const rows = await normalizeRecords([
        apiCall({
          eventSource: 'ec2.amazonaws.com',
          eventName: 'TerminateInstances',
          requestParameters: {
            instancesSet: { items: [{ instanceId: 'i-0bbb' }, { instanceId: 'i-0aaa' }] },
          },
        }),
        apiCall({
          eventSource: 'ssm.amazonaws.com',
          eventName: 'SendCommand',
          requestParameters: { instanceIds: ['i-0ccc', '*'], documentName: 'AWS-RunShellScript' },
        }),
      ]);
      expect(rows.map((r) => r.resources)).toEqual([['i-0aaa', 'i-0bbb'], ['i-0ccc']]);
    });

    it('reads the generic "name" only where it names a trail or a parameter', async () => {
      const rows = await normalizeRecords([
        apiCall({
          eventSource: 'cloudtrail.amazonaws.com',
          eventName: 'StopLogging',
          requestParameters: { name: 'org-trail' },
        }),
        apiCall({
          eventSource: 'ssm.amazonaws.com',
          eventName: 'GetParameters',
          requestParameters: { names: ['/prod/db/password', '/prod/api/key'], withDecryption: true },
        }),
        apiCall({
          eventSource: 'ssm.amazonaws.com',
          eventName: 'StartSession',
          requestParameters: { target: 'i-0ddd' },
        }),
        apiCall({
          eventSource: 'wafv2.amazonaws.com',
          eventName: 'DeleteWebACL',
          requestParameters: { name: 'acl' },
        }),
      ]);
      expect(rows.map((r) => r.resources)).toEqual([
        ['org-trail'],
        ['/prod/api/key', '/prod/db/password'],
        ['i-0ddd'],
        [],
      ]);
    });

    it('is an empty list when nothing is named', async () => {
      const row = await normalizeOne(apiCall({ eventName: 'ListUsers', requestParameters: null }));
      expect(row.resources).toEqual([]);
    });
  });

  describe('problems', () => {
    it('a record without an event id', async () => {
      const { eventID: _, ...noId } = apiCall();
      const rows = await normalizeRecords([noId, apiCall({ eventID: '' })]);
      expect(rows.map((r) => [r.format, r.problem])).toEqual([
        ['cloudtrail', 'record has no event id'],
        ['cloudtrail', 'record has no event id'],
      ]);
    });

    it('a record with a missing or unparseable event time', async () => {
      const { eventTime: _, ...noTime } = apiCall();
      const rows = await normalizeRecords([
        noTime,
        apiCall({ eventTime: 'yesterday' }),
        apiCall({ eventTime: 1740824130 }),
        apiCall({ eventTime: '2025-02-30T10:00:00Z' }),
      ]);
      expect(rows.map((r) => [r.event_time, r.problem])).toEqual([
        [null, 'record has no parseable event time'],
        [null, 'record has no parseable event time'],
        [null, 'record has no parseable event time'],
        [null, 'record has no parseable event time'],
      ]);
    });

    it('fields of unexpected types read as absent instead of failing the batch', async () => {
      const rows = await normalizeRecords([
        apiCall({
          userIdentity: 'arn:aws:iam::111111111111:user/bob',
          resources: { ARN: 'x' },
          readOnly: { x: 1 },
        }),
        apiCall({ requestParameters: [1, 'a'], additionalEventData: 42, userAgent: ['x'] }),
        consoleLogin('Success', 'No', {
          eventName: 'Console"Login.$[0]',
          responseElements: { 'Console"Login.$[0]': 1 },
        }),
        consoleLogin('Failure', 'No', { eventName: '"$.' }),
        apiCall({
          requestParameters: { instancesSet: 'i-0aaa', instanceIds: 'i-0bbb', bucketName: { nested: true } },
        }),
      ]);
      expect(rows.map((r) => [r.problem, r.actor, r.resources])).toEqual([
        [null, null, ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'carol']],
        [null, `arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/alice@example.com`, []],
        [null, `arn:aws:iam::${ACCOUNT}:user/bob`, []],
        [null, `arn:aws:iam::${ACCOUNT}:user/bob`, []],
        [null, `arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/alice@example.com`, ['{"nested":true}']],
      ]);
    });

    it('never fails the batch, whatever JSON sits in the fields it reads', async () => {
      const fields = [
        'eventTime',
        'eventName',
        'userIdentity',
        'requestParameters',
        'responseElements',
        'additionalEventData',
        'serviceEventDetails',
        'resources',
        'userAgent',
        'errorCode',
        'readOnly',
        'insightDetails',
      ];
      const json = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.json({ maxDepth: 2 }), fc.string());
      const record = fc
        .tuple(
          fc.subarray(fields, { minLength: 1 }),
          fc.array(json, { minLength: fields.length, maxLength: fields.length }),
        )
        .map(([keys, values]) =>
          consoleLogin('Failure', 'Yes', Object.fromEntries(keys.map((key, i) => [key, values[i]]))),
        );
      const records = fc.sample(record, { numRuns: 300, seed: 20250301 });
      const rows = await normalizeRecords(records);
      expect(rows).toHaveLength(records.length);
      for (const row of rows) {
        expect([null, 'record has no parseable event time']).toContain(row.problem);
        expect(['success', 'failure', 'unknown']).toContain(row.outcome);
        expect(Array.isArray(row.resources)).toBe(true);
      }
    });

    it('a digest file is not an event record', async () => {
      const row = await normalizeOne({
        awsAccountId: ACCOUNT,
        digestStartTime: '2025-03-01T10:00:00Z',
        digestEndTime: '2025-03-01T11:00:00Z',
        digestS3Bucket: 'trail-bucket',
        digestS3Object: `AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/2025/03/01/digest.json.gz`,
        logFiles: [],
      });
      expect([row.format, row.problem]).toEqual([null, expect.stringMatching(/^unrecognized record shape/)]);
    });
  });

  it('converts event times with offsets and fractions to UTC', async () => {
    const rows = await normalizeRecords([
      apiCall({ eventTime: '2025-03-01T12:15:30.250+02:00' }),
      apiCall({ eventTime: '2025-03-01T10:15:30.123456Z' }),
    ]);
    expect(rows.map((r) => r.event_time)).toEqual([
      '2025-03-01T10:15:30.250000Z',
      '2025-03-01T10:15:30.123456Z',
    ]);
  });

  it('reads booleans written as strings', async () => {
    const row = await normalizeOne(
      apiCall({ readOnly: 'true', managementEvent: 'false', sessionCredentialFromConsole: 'true' }),
    );
    expect(row.details).toMatchObject({
      read_only: true,
      management_event: false,
      session_credential_from_console: true,
    });
  });

  it('normalizes a batch in order, keeping each record in its own row', async () => {
    const records = Array.from({ length: 50 }, (_, i) =>
      apiCall({ eventID: `e-${i}`, userIdentity: i % 2 ? userIdentity : roleIdentity }),
    );
    const rows = await normalizeRecords(records);
    expect(rows.map((r) => [r.position, r.event_id, r.actor_type])).toEqual(
      records.map((_, i) => [i + 1, `e-${i}`, i % 2 ? 'user' : 'role']),
    );
  });
});

describe('cloudtrail: Logstash-shipped records', () => {
  it('takes the time from @timestamp when Logstash moved eventTime there', async () => {
    const record = cloudtrailRecord(1);
    delete record.eventTime;
    const row = await normalizeOne({ ...record, '@timestamp': '2020-09-14T00:44:23.000Z', '@version': '1' });
    expect(row.problem).toBeNull();
    expect(row.event_time).toBe('2020-09-14T00:44:23.000000Z');
  });
});
