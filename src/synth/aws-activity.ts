import {
  AWS_RESOURCES,
  type CallMaker,
  DUTY_CALLS,
  denied,
  getCallerIdentity,
  s3GetObject,
  s3PutObject,
} from './aws-calls.js';
import {
  accountId,
  assumedRole,
  awsService,
  type CtActor,
  type CtCall,
  type CtEvent,
  ctRecord,
  federatedUser,
  iamUser,
  identityCenterUser,
  type RoleRef,
  roleArn,
  SAML_PROVIDER,
  samlUser,
  sessionKey,
  ssoSession,
  stableId,
  webIdentityUser,
} from './cloudtrail.js';
import type { JsonObject } from './json.js';
import { HOUR, isoSeconds, MINUTE, PERIOD_DAYS, PERIOD_START } from './period.js';
import {
  type AwsAccountKey,
  type AwsRegion,
  daysOffFor,
  HUMANS,
  type Human,
  human,
  humanRhythm,
  ipFor,
} from './principals.js';
import type { Rng } from './prng.js';

/** Everyday AWS activity: people at work in their own hours, machines around the clock. */
export function generateAwsActivity(root: Rng, days: readonly number[]): CtEvent[] {
  const out: CtEvent[] = [];
  for (const h of HUMANS) if (h.aws) out.push(...humanActivity(root.fork(`aws/human/${h.slug}`), h, days));
  for (const day of days) {
    const rng = root.fork(`aws/machines/${day}`);
    out.push(...ssmAgents(rng.fork('ssm'), day));
    out.push(...appTasks(rng.fork('tasks'), day));
    out.push(...lambdaRoles(rng.fork('lambda'), day));
    out.push(...observability(rng.fork('obs'), day));
    out.push(...configRecorder(rng.fork('config'), day));
    out.push(...ciDeploys(rng.fork('ci'), day));
    out.push(...jenkins(rng.fork('jenkins'), day));
    out.push(...backups(rng.fork('backup'), day));
    out.push(...supportBroker(rng.fork('support'), day));
  }
  return out;
}

const AWS_CLI = (command: string) =>
  `aws-cli/2.18.12 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-48-generic md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#${command}`;
const TERRAFORM =
  'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.74.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.187.0';
const BOTO =
  'Boto3/1.35.54 md/Botocore#1.35.54 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.54';

function commandOf(call: CtCall): string {
  const service = call.source.split('.')[0] ?? 'sts';
  return `${service}.${call.name
    .replace(/\d{8}(v\d)?$/, '')
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .toLowerCase()}`;
}

const callsFor = (h: Human, account: AwsAccountKey): readonly (readonly [CallMaker, number])[] => {
  if (account === 'mgmt') return DUTY_CALLS.mgmt ?? [];
  if (h.aws?.permissionSet === 'ReadOnlyAccess' || h.duty === 'contractor') return DUTY_CALLS.readonly ?? [];
  const key =
    h.duty === 'admin' || h.duty === 'sre'
      ? 'ops'
      : h.duty === 'business' || h.duty === 'it'
        ? 'readonly'
        : h.duty;
  return DUTY_CALLS[key] ?? DUTY_CALLS.dev ?? [];
};

export interface Session {
  key: string;
  created: number;
  console: boolean;
  tool: 'cli' | 'terraform' | 'boto';
}

function humanActivity(rng: Rng, h: Human, days: readonly number[]): CtEvent[] {
  const aws = h.aws;
  if (!aws) return [];
  const out: CtEvent[] = [];
  const off = daysOffFor(h, rng.fork('days-off'), PERIOD_START, PERIOD_DAYS);
  for (const day of days) {
    const dayRng = rng.fork(String(day));
    const sessions = new Map<AwsAccountKey, Session>();
    for (let hour = 0; hour < 24; hour++) {
      const hourStart = day + hour * HOUR;
      const bursts = dayRng.poisson(h.pace * humanRhythm(h, hourStart, off));
      for (let b = 0; b < bursts; b++) {
        const account = dayRng.chance(0.7) ? (aws.accounts[0] ?? 'dev') : dayRng.pick(aws.accounts);
        let t = hourStart + dayRng.int(0, 59 * MINUTE);
        let session = sessions.get(account);
        if (!session) {
          session = {
            key: sessionKey(dayRng),
            created: t - dayRng.int(5, 90) * 1000,
            console: dayRng.chance(h.duty === 'security' || h.duty === 'contractor' ? 0.7 : 0.45),
            tool: h.duty === 'sre' && dayRng.chance(0.5) ? 'terraform' : h.duty === 'data' ? 'boto' : 'cli',
          };
          sessions.set(account, session);
          out.push(...sessionStart(dayRng, h, account, session, t));
          t += 20_000;
        }
        const region: AwsRegion = dayRng.chance(h.tz >= 0 && h.tz < 3 ? 0.55 : 0.15)
          ? 'eu-west-1'
          : 'us-east-1';
        const calls = dayRng.int(1, session.console ? 7 : 4);
        for (let c = 0; c < calls; c++) {
          t += dayRng.int(1, 45) * 1000;
          out.push(humanCall(dayRng, h, account, region, t, session));
        }
      }
    }
  }
  return out;
}

export function humanIdentity(
  h: Human,
  account: AwsAccountKey,
  session: { key: string; created: number; console: boolean },
): JsonObject {
  if (h.aws?.iamUser) {
    return iamUser(account, h.slug, {
      accessKeyId: session.console ? session.key : stableId('AKIA', `${account}/${h.slug}`, 16),
      ...(session.console ? { console: { created: session.created, mfa: false } } : {}),
    });
  }
  if (h.duty === 'contractor') {
    return assumedRole({ account, name: 'ContractorReadOnly' }, `${h.slug}@partner.example`, {
      created: session.created,
      accessKeyId: session.key,
    });
  }
  return ssoSession(h, account, session.created, session.key);
}

function humanActor(
  h: Human,
  account: AwsAccountKey,
  t: number,
  session: Session,
  rng: Rng,
  call?: CtCall,
): CtActor {
  const identity = humanIdentity(h, account, session);
  const ip = ipFor(h, t, rng);
  if (session.console) return { identity, ip, userAgent: h.browser, fromConsole: true };
  const agent =
    session.tool === 'terraform'
      ? TERRAFORM
      : session.tool === 'boto'
        ? BOTO
        : AWS_CLI(call ? commandOf(call) : 'sts.get-caller-identity');
  return { identity, ip, userAgent: agent };
}

function humanCall(
  rng: Rng,
  h: Human,
  account: AwsAccountKey,
  region: AwsRegion,
  t: number,
  session: Session,
): CtEvent {
  const maker = rng.weighted(callsFor(h, account));
  let call = maker(rng, { account, region, time: t });
  const limited =
    h.aws?.permissionSet === 'ReadOnlyAccess' ||
    h.duty === 'contractor' ||
    h.aws?.permissionSet === 'DeveloperAccess';
  if ((limited && !call.readOnly && rng.chance(0.6)) || rng.chance(0.012)) {
    const actorArn = String(humanIdentity(h, account, session).arn);
    call = denied(call, actorArn, `${call.source.split('.')[0]}:${call.name.replace(/\d{8}(v\d)?$/, '')}`);
  }
  return ctRecord(rng, account, region, t, humanActor(h, account, t, session, rng, call), call);
}

/** What starting work leaves behind: a console sign-in, an Identity Center federation, a SAML assertion. */
function sessionStart(rng: Rng, h: Human, account: AwsAccountKey, session: Session, t: number): CtEvent[] {
  const out: CtEvent[] = [];
  const ip = ipFor(h, t, rng);
  if (h.duty === 'contractor') {
    const role: RoleRef = { account, name: 'ContractorReadOnly' };
    out.push(
      ctRecord(
        rng,
        account,
        'us-east-1',
        t - 4000,
        { identity: samlUser(account, `${h.slug}@partner.example`), ip, userAgent: h.browser },
        {
          source: 'sts.amazonaws.com',
          name: 'AssumeRoleWithSAML',
          readOnly: true,
          request: {
            roleArn: roleArn(role),
            principalArn: `arn:aws:iam::${accountId(account)}:saml-provider/${SAML_PROVIDER}`,
            durationSeconds: 3600,
          },
          response: {
            credentials: {
              accessKeyId: session.key,
              sessionToken: '<redacted>',
              expiration: isoSeconds(t + HOUR)
                .replace('T', ' ')
                .replace('Z', ''),
            },
            assumedRoleUser: {
              assumedRoleId: `${stableId('AROA', `${account}/${role.name}`)}:${h.slug}@partner.example`,
              arn: `arn:aws:sts::${accountId(account)}:assumed-role/${role.name}/${h.slug}@partner.example`,
            },
            subject: `${h.slug}@partner.example`,
            subjectType: 'persistent',
            issuer: 'https://idp.partner.example/saml',
            audience: 'https://signin.aws.amazon.com/saml',
            nameQualifier: 'Xy7d2mQnR0b1kVwPz3cHf9uLs4E=',
          },
          resources: [
            { type: 'AWS::IAM::Role', arn: roleArn(role) },
            {
              type: 'AWS::IAM::SAMLProvider',
              arn: `arn:aws:iam::${accountId(account)}:saml-provider/${SAML_PROVIDER}`,
            },
          ],
          version: '1.08',
        },
      ),
    );
  } else if (!h.aws?.iamUser) {
    const ssoAccount = accountId(account);
    out.push(
      ctRecord(
        rng,
        'mgmt',
        'us-east-1',
        t - 6000,
        { identity: identityCenterUser(h), ip, userAgent: h.browser },
        {
          source: 'sso.amazonaws.com',
          name: session.console ? 'Federate' : 'GetRoleCredentials',
          readOnly: true,
          request: session.console
            ? null
            : { accountId: ssoAccount, roleName: h.aws?.permissionSet ?? 'ReadOnlyAccess' },
          response: null,
          additionalEventData: { AccountId: ssoAccount, RoleName: h.aws?.permissionSet ?? 'ReadOnlyAccess' },
          version: '1.10',
        },
      ),
    );
  }
  if (session.console) out.push(consoleLogin(rng, h, account, t, session, ip, true));
  return out;
}

export function consoleLogin(
  rng: Rng,
  h: Human,
  account: AwsAccountKey,
  t: number,
  session: Session,
  ip: string,
  success: boolean,
): CtEvent {
  const identity = humanIdentity(h, account, session);
  if (h.aws?.iamUser) delete identity.accessKeyId;
  if (!success) delete identity.sessionContext;
  return ctRecord(
    rng,
    account,
    'us-east-1',
    t,
    { identity, ip, userAgent: h.browser },
    {
      source: 'signin.amazonaws.com',
      name: 'ConsoleLogin',
      readOnly: false,
      request: null,
      response: { ConsoleLogin: success ? 'Success' : 'Failure' },
      // Federated sign-ins did their MFA at the identity provider; the legacy IAM users have no MFA device.
      additionalEventData: {
        LoginTo:
          'https://console.aws.amazon.com/console/home?region=us-east-1&state=hashArgs%23&isauthcode=true',
        MobileVersion: 'No',
        MFAUsed: 'No',
      },
      eventType: 'AwsConsoleSignIn',
      global: true,
      ...(success ? {} : { error: { code: '', message: 'Failed authentication' } }),
    },
  );
}

// ---- machines -----------------------------------------------------------------------------

const SDK_GO = 'aws-sdk-go/1.55.5 (go1.22.7; linux; amd64) amazon-ssm-agent/3.3.1142.0';
export const SDK_JAVA =
  'aws-sdk-java/2.28.16 Linux/6.1.112-122.189.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS Java/21.0.5 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/standard';
const SDK_NODE =
  'aws-sdk-js/3.682.0 ua/2.1 os/linux#5.10.226-235.879.amzn2.x86_64 lang/js md/nodejs#20.18.0 api/secrets-manager#3.682.0';

function spread(rng: Rng, day: number, hour: number): number {
  return day + hour * HOUR + rng.int(0, HOUR - 1000);
}

function ssmAgents(rng: Rng, day: number): CtEvent[] {
  const out: CtEvent[] = [];
  for (const account of ['prod', 'dev'] as const) {
    AWS_RESOURCES[account].instances.forEach((instance, i) => {
      const region: AwsRegion = i === 2 ? 'eu-west-1' : 'us-east-1';
      const role: RoleRef = { account, name: 'acme-ec2-ssm-role' };
      const key = sessionKey(rng);
      for (let hour = 0; hour < 24; hour++) {
        for (let k = 0; k < 1; k++) {
          const t = day + hour * HOUR + rng.int(0, 50 * MINUTE);
          out.push(
            ctRecord(
              rng,
              account,
              region,
              t,
              {
                identity: assumedRole(role, instance, {
                  created: day + hour * HOUR - 20 * MINUTE,
                  accessKeyId: key,
                }),
                ip: `10.${account === 'prod' ? 20 : 40}.${i + 1}.${17 + i * 9}`,
                userAgent: SDK_GO,
              },
              {
                source: 'ssm.amazonaws.com',
                name: 'UpdateInstanceInformation',
                readOnly: false,
                request: {
                  instanceId: instance,
                  agentVersion: '3.3.1142.0',
                  agentStatus: 'Active',
                  platformType: 'Linux',
                  platformName: 'Amazon Linux',
                  platformVersion: '2023',
                  iPAddress: `10.${account === 'prod' ? 20 : 40}.${i + 1}.${17 + i * 9}`,
                  computerName: `ip-10-${account === 'prod' ? 20 : 40}-${i + 1}-${17 + i * 9}.ec2.internal`,
                  agentName: 'amazon-ssm-agent',
                  availabilityZone: `${region}a`,
                  availabilityZoneId: region === 'us-east-1' ? 'use1-az4' : 'euw1-az1',
                },
                response: null,
              },
            ),
          );
        }
      }
    });
  }
  return out;
}

export function appRole(account: AwsAccountKey, service: string): RoleRef {
  return { account, name: `${service}-task-role` };
}

export function secretRead(
  rng: Rng,
  account: AwsAccountKey,
  region: AwsRegion,
  t: number,
  actor: CtActor,
  secret: string,
): CtEvent[] {
  const secretArn = `arn:aws:secretsmanager:${region}:${accountId(account)}:secret:${secret}-${new SecretSuffix(secret).value}`;
  const keyArn = `arn:aws:kms:${region}:${accountId(account)}:key/${AWS_RESOURCES[account].kmsKey}`;
  const read = ctRecord(rng, account, region, t, actor, {
    source: 'secretsmanager.amazonaws.com',
    name: 'GetSecretValue',
    readOnly: true,
    request: { secretId: secret },
    response: null,
    resources: [{ type: 'AWS::SecretsManager::Secret', arn: secretArn }],
  });
  const role = actor.identity;
  const decryptIdentity: JsonObject = { ...role, invokedBy: 'secretsmanager.amazonaws.com' };
  const decrypt = ctRecord(
    rng,
    account,
    region,
    t,
    {
      identity: decryptIdentity,
      ip: 'secretsmanager.amazonaws.com',
      userAgent: 'secretsmanager.amazonaws.com',
      internal: true,
    },
    {
      source: 'kms.amazonaws.com',
      name: 'Decrypt',
      readOnly: true,
      request: {
        encryptionContext: { SecretARN: secretArn, SecretVersionId: new SecretSuffix(`${secret}/v`).uuid },
        encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      },
      response: null,
      resources: [{ type: 'AWS::KMS::Key', arn: keyArn }],
    },
  );
  return [read, decrypt];
}

/** The random-looking suffix Secrets Manager appends to a secret's ARN, stable per secret. */
class SecretSuffix {
  readonly value: string;
  readonly uuid: string;
  constructor(name: string) {
    let hash = 2166136261;
    for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 16777619) >>> 0;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let value = '';
    let x = hash;
    for (let i = 0; i < 6; i++) {
      value += alphabet[x % alphabet.length];
      x = Math.floor(x / alphabet.length) + (i + 1) * 7919;
    }
    this.value = value;
    const hex = (hash.toString(16) + '0'.repeat(8)).slice(0, 8);
    this.uuid = `${hex}-7a1b-4c2d-9e3f-${hex}${hex.slice(0, 4)}`;
  }
}

function appTasks(rng: Rng, day: number): CtEvent[] {
  const out: CtEvent[] = [];
  const plans = [
    {
      account: 'prod' as const,
      service: 'payments-api',
      secrets: ['prod/payments/stripe-api-key', 'prod/payments/db-password'],
      rate: 2,
    },
    {
      account: 'prod' as const,
      service: 'orders-api',
      secrets: ['prod/orders/db-password', 'prod/shared/jwt-signing-key'],
      rate: 1.2,
    },
    { account: 'dev' as const, service: 'payments-api', secrets: ['dev/payments/stripe-api-key'], rate: 0.8 },
  ];
  for (const plan of plans) {
    const taskId = rng.hex(32);
    const key = sessionKey(rng);
    const identity = assumedRole(appRole(plan.account, plan.service), taskId, {
      created: day + rng.int(0, 20) * MINUTE,
      accessKeyId: key,
    });
    for (let hour = 0; hour < 24; hour++) {
      const n = rng.poisson(plan.rate);
      for (let i = 0; i < n; i++) {
        const t = spread(rng, day, hour);
        const region: AwsRegion = rng.chance(0.8) ? 'us-east-1' : 'eu-west-1';
        const actor: CtActor = {
          identity,
          ip: `10.${plan.account === 'prod' ? 20 : 40}.${rng.int(10, 40)}.${rng.int(2, 250)}`,
          userAgent: rng.chance(0.5) ? SDK_JAVA : SDK_NODE,
        };
        out.push(...secretRead(rng, plan.account, region, t, actor, rng.pick(plan.secrets)));
      }
      if (rng.chance(0.3)) {
        const t = spread(rng, day, hour);
        out.push(
          ctRecord(
            rng,
            plan.account,
            'us-east-1',
            t,
            { identity, ip: `10.20.${rng.int(10, 40)}.${rng.int(2, 250)}`, userAgent: SDK_JAVA },
            {
              source: 'ssm.amazonaws.com',
              name: 'GetParameters',
              readOnly: true,
              request: {
                names: [
                  `/${plan.account}/${plan.service}/config`,
                  `/${plan.account}/${plan.service}/feature-flags`,
                ],
                withDecryption: true,
              },
              response: null,
            },
          ),
        );
      }
    }
  }
  return out;
}

function lambdaRoles(rng: Rng, day: number): CtEvent[] {
  const out: CtEvent[] = [];
  for (const account of ['prod', 'dev'] as const) {
    for (const fn of AWS_RESOURCES[account].functions) {
      const role: RoleRef = { account, name: `${fn}-role` };
      for (let hour = 0; hour < 24; hour++) {
        if (!rng.chance(account === 'prod' ? 0.8 : 0.25)) continue;
        const t = spread(rng, day, hour);
        const key = sessionKey(rng);
        out.push(
          ctRecord(
            rng,
            account,
            'us-east-1',
            t,
            {
              identity: awsService('lambda.amazonaws.com'),
              ip: 'lambda.amazonaws.com',
              userAgent: 'lambda.amazonaws.com',
              internal: true,
            },
            {
              source: 'sts.amazonaws.com',
              name: 'AssumeRole',
              readOnly: true,
              request: { roleArn: roleArn(role), roleSessionName: fn },
              response: {
                credentials: {
                  accessKeyId: key,
                  sessionToken: '<redacted>',
                  expiration: new Date(t + 12 * HOUR).toUTCString().replace('GMT', 'UTC'),
                },
              },
              resources: [{ type: 'AWS::IAM::Role', arn: roleArn(role) }],
            },
          ),
        );
      }
    }
  }
  return out;
}

const OBS_ACCOUNT = '210987654321';

function observability(rng: Rng, day: number): CtEvent[] {
  const out: CtEvent[] = [];
  for (const account of ['prod', 'dev'] as const) {
    const role: RoleRef = { account, name: 'acme-observability-readonly' };
    for (let hour = 0; hour < 24; hour++) {
      const key = sessionKey(rng);
      const created = day + hour * HOUR + rng.int(0, 60_000);
      const vendorIp = `198.51.100.${rng.int(200, 210)}`;
      out.push(
        ctRecord(
          rng,
          account,
          'us-east-1',
          created,
          {
            identity: {
              type: 'AWSAccount',
              principalId: 'AROAQXB5VLM7D3K2HEXT7:obs-collector',
              accountId: OBS_ACCOUNT,
            },
            ip: vendorIp,
            userAgent: 'obs-agent/7.58.2 aws-sdk-go-v2/1.30.5 os/linux lang/go#1.22.8',
          },
          {
            source: 'sts.amazonaws.com',
            name: 'AssumeRole',
            readOnly: true,
            request: {
              roleArn: roleArn(role),
              roleSessionName: 'ObservabilityIntegration',
              externalId: 'f3b1c9d2e8a74c0b',
              durationSeconds: 3600,
            },
            response: {
              credentials: {
                accessKeyId: key,
                sessionToken: '<redacted>',
                expiration: new Date(created + HOUR).toUTCString().replace('GMT', 'UTC'),
              },
              assumedRoleUser: {
                assumedRoleId: `${stableId('AROA', `${account}/${role.name}`)}:ObservabilityIntegration`,
                arn: `arn:aws:sts::${accountId(account)}:assumed-role/${role.name}/ObservabilityIntegration`,
              },
            },
            resources: [{ type: 'AWS::IAM::Role', arn: roleArn(role) }],
          },
        ),
      );
      const identity = assumedRole(role, 'ObservabilityIntegration', { created, accessKeyId: key });
      for (const region of ['us-east-1', 'eu-west-1'] as const) {
        const n = rng.poisson(region === 'us-east-1' ? 1.4 : 0.6);
        for (let i = 0; i < n; i++) {
          const t = created + rng.int(10_000, HOUR - 10_000);
          const call = rng.weighted<CtCall>([
            [
              {
                source: 'monitoring.amazonaws.com',
                name: 'GetMetricData',
                readOnly: true,
                request: { startTime: isoSeconds(t - 600_000), endTime: isoSeconds(t) },
                response: null,
              },
              5,
            ],
            [
              {
                source: 'ec2.amazonaws.com',
                name: 'DescribeInstances',
                readOnly: true,
                request: { instancesSet: {}, filterSet: {} },
                response: null,
              },
              1,
            ],
            [
              {
                source: 'tagging.amazonaws.com',
                name: 'GetResources',
                readOnly: true,
                request: { resourceTypeFilters: ['ec2:instance', 'lambda:function'] },
                response: null,
              },
              1,
            ],
            [
              {
                source: 'monitoring.amazonaws.com',
                name: 'ListMetrics',
                readOnly: true,
                request: { namespace: 'AWS/ECS' },
                response: null,
              },
              1,
            ],
          ]);
          out.push(
            ctRecord(
              rng,
              account,
              region,
              t,
              {
                identity,
                ip: vendorIp,
                userAgent: 'obs-agent/7.58.2 aws-sdk-go-v2/1.30.5 os/linux lang/go#1.22.8',
              },
              call,
            ),
          );
        }
      }
    }
  }
  return out;
}

function configRecorder(rng: Rng, day: number): CtEvent[] {
  const out: CtEvent[] = [];
  for (const account of ['prod', 'dev', 'mgmt'] as const) {
    const role: RoleRef = {
      account,
      name: 'AWSServiceRoleForConfig',
      path: '/aws-service-role/config.amazonaws.com/',
    };
    const key = sessionKey(rng);
    const identity = assumedRole(role, 'AWSConfig-Describe', {
      created: day + 5 * MINUTE,
      accessKeyId: key,
      invokedBy: 'config.amazonaws.com',
    });
    for (const region of ['us-east-1', 'eu-west-1'] as const) {
      for (let hour = 0; hour < 24; hour += 1) {
        const n = rng.poisson(account === 'mgmt' ? 0.2 : 0.8);
        for (let i = 0; i < n; i++) {
          const t = spread(rng, day, hour);
          const call = rng.pick<CtCall>([
            {
              source: 'ec2.amazonaws.com',
              name: 'DescribeSecurityGroups',
              readOnly: true,
              request: { securityGroupSet: {}, filterSet: {} },
              response: null,
            },
            {
              source: 'ec2.amazonaws.com',
              name: 'DescribeNetworkInterfaces',
              readOnly: true,
              request: { networkInterfaceIdSet: {}, filterSet: {} },
              response: null,
            },
            {
              source: 'iam.amazonaws.com',
              name: 'GetAccountAuthorizationDetails',
              readOnly: true,
              request: { filter: ['Role'] },
              response: null,
              global: true,
            },
            {
              source: 'lambda.amazonaws.com',
              name: 'ListFunctions20150331',
              readOnly: true,
              request: null,
              response: null,
              apiVersion: '2015-03-31',
            },
            {
              source: 's3.amazonaws.com',
              name: 'GetBucketAcl',
              readOnly: true,
              request: { bucketName: AWS_RESOURCES[account].buckets[0] ?? 'bucket', acl: '' },
              response: null,
            },
          ]);
          out.push(
            ctRecord(
              rng,
              account,
              region,
              t,
              { identity, ip: 'config.amazonaws.com', userAgent: 'config.amazonaws.com', internal: true },
              call,
            ),
          );
        }
      }
    }
  }
  return out;
}

const REPOS = ['acme/payments-api', 'acme/orders-api', 'acme/storefront', 'acme/infra'];

function ciDeploys(rng: Rng, day: number): CtEvent[] {
  const out: CtEvent[] = [];
  const weekday = new Date(day).getUTCDay();
  const weekend = weekday === 0 || weekday === 6;
  for (const account of ['dev', 'prod'] as const) {
    for (let hour = 0; hour < 24; hour++) {
      const busy = hour >= 8 && hour < 23 ? 1 : 0.05;
      const jobs = rng.poisson((account === 'dev' ? 1.1 : 0.3) * busy * (weekend ? 0.08 : 1));
      for (let j = 0; j < jobs; j++) out.push(...ciJob(rng, account, spread(rng, day, hour)));
    }
  }
  return out;
}

export const CI_ROLE = (account: AwsAccountKey): RoleRef => ({ account, name: 'github-actions-deploy' });

function ciJob(rng: Rng, account: AwsAccountKey, start: number): CtEvent[] {
  const repo = rng.pick(REPOS);
  const ref =
    account === 'prod'
      ? 'ref:refs/heads/main'
      : `ref:refs/heads/${rng.pick(['main', 'feature/checkout-v2', 'fix/retry-backoff', 'renovate/aws-sdk'])}`;
  const subject = `repo:${repo}:${account === 'prod' ? 'environment:production' : ref}`;
  const role = CI_ROLE(account);
  const key = sessionKey(rng);
  const runnerIp = `198.51.100.${rng.int(220, 240)}`;
  const session = `GitHubActions-${rng.int(11_000_000_000, 11_999_999_999)}`;
  const out: CtEvent[] = [
    ctRecord(
      rng,
      account,
      'us-east-1',
      start,
      {
        identity: webIdentityUser(subject),
        ip: runnerIp,
        userAgent:
          'aws-sdk-js/3.682.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.18.0 api/sts#3.682.0 configure-aws-credentials-for-github-actions',
      },
      {
        source: 'sts.amazonaws.com',
        name: 'AssumeRoleWithWebIdentity',
        readOnly: true,
        request: { roleArn: roleArn(role), roleSessionName: session, durationSeconds: 3600 },
        response: {
          credentials: {
            accessKeyId: key,
            sessionToken: '<redacted>',
            expiration: new Date(start + HOUR).toUTCString().replace('GMT', 'UTC'),
          },
          subjectFromWebIdentityToken: subject,
          assumedRoleUser: {
            assumedRoleId: `${stableId('AROA', `${account}/${role.name}`)}:${session}`,
            arn: `arn:aws:sts::${accountId(account)}:assumed-role/${role.name}/${session}`,
          },
          provider: `arn:aws:iam::${accountId('mgmt')}:oidc-provider/token.actions.githubusercontent.com`,
          audience: 'sts.amazonaws.com',
        },
        resources: [{ type: 'AWS::IAM::Role', arn: roleArn(role) }],
      },
    ),
  ];
  const actor: CtActor = {
    identity: assumedRole(role, session, { created: start, accessKeyId: key }),
    ip: runnerIp,
    userAgent: TERRAFORM,
  };
  const service = repo.split('/')[1] ?? 'app';
  const stack = rng.pick(AWS_RESOURCES[account].stacks);
  const env = { account, region: 'us-east-1' as const, time: start };
  const steps: CtCall[] = [
    getCallerIdentity(rng, env),
    {
      source: 'ecr.amazonaws.com',
      name: 'GetAuthorizationToken',
      readOnly: true,
      request: null,
      response: null,
    },
    {
      source: 'ecr.amazonaws.com',
      name: 'InitiateLayerUpload',
      readOnly: false,
      request: { repositoryName: service, registryId: accountId(account) },
      response: { uploadId: rng.uuid(), partSize: 20_971_520 },
    },
    {
      source: 'ecr.amazonaws.com',
      name: 'PutImage',
      readOnly: false,
      request: { repositoryName: service, imageTag: rng.hex(7), registryId: accountId(account) },
      response: {
        image: {
          registryId: accountId(account),
          repositoryName: service,
          imageId: { imageDigest: `sha256:${rng.hex(64)}`, imageTag: rng.hex(7) },
        },
      },
    },
    {
      source: 'cloudformation.amazonaws.com',
      name: 'DescribeStacks',
      readOnly: true,
      request: { stackName: stack },
      response: null,
    },
    {
      source: 'cloudformation.amazonaws.com',
      name: 'CreateChangeSet',
      readOnly: false,
      request: {
        stackName: stack,
        changeSetName: `deploy-${rng.hex(8)}`,
        changeSetType: 'UPDATE',
        capabilities: ['CAPABILITY_NAMED_IAM'],
      },
      response: {
        id: `arn:aws:cloudformation:us-east-1:${accountId(account)}:changeSet/deploy/${rng.uuid()}`,
        stackId: `arn:aws:cloudformation:us-east-1:${accountId(account)}:stack/${stack}/${rng.uuid()}`,
      },
    },
    {
      source: 'cloudformation.amazonaws.com',
      name: 'ExecuteChangeSet',
      readOnly: false,
      request: { stackName: stack, changeSetName: `deploy-${rng.hex(8)}` },
      response: null,
    },
    {
      source: 'ecs.amazonaws.com',
      name: 'RegisterTaskDefinition',
      readOnly: false,
      request: {
        family: service,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '512',
        memory: '1024',
      },
      response: {
        taskDefinition: {
          taskDefinitionArn: `arn:aws:ecs:us-east-1:${accountId(account)}:task-definition/${service}:${rng.int(100, 400)}`,
          family: service,
          revision: rng.int(100, 400),
          status: 'ACTIVE',
        },
      },
    },
    {
      source: 'ecs.amazonaws.com',
      name: 'UpdateService',
      readOnly: false,
      request: { cluster: AWS_RESOURCES[account].cluster, service, forceNewDeployment: false },
      response: {
        service: { serviceName: service, status: 'ACTIVE', desiredCount: account === 'prod' ? 3 : 1 },
      },
    },
  ];
  let t = start + 4000;
  for (const call of steps) {
    t += rng.int(2, 40) * 1000;
    out.push(ctRecord(rng, account, 'us-east-1', t, actor, call));
  }
  t += 5000;
  out.push(
    ctRecord(
      rng,
      account,
      'us-east-1',
      t,
      actor,
      s3PutObject(
        `acme-${account}-${account === 'prod' ? 'assets' : 'artifacts'}`,
        `builds/${service}/${rng.hex(12)}.tar.gz`,
      )(rng, env),
    ),
  );
  return out;
}

function jenkins(rng: Rng, day: number): CtEvent[] {
  const out: CtEvent[] = [];
  const identity = iamUser('dev', 'jenkins-legacy', {
    accessKeyId: stableId('AKIA', 'dev/jenkins-legacy', 16),
  });
  for (let hour = 0; hour < 24; hour++) {
    const t = day + hour * HOUR + 7 * MINUTE + rng.int(0, 40_000);
    const actor: CtActor = {
      identity,
      ip: '198.51.100.250',
      userAgent: 'aws-cli/1.33.27 Python/3.9.19 Linux/5.15.0-1071-aws botocore/1.34.145',
    };
    out.push(
      ctRecord(rng, 'dev', 'us-east-1', t, actor, {
        source: 'ecr.amazonaws.com',
        name: 'GetAuthorizationToken',
        readOnly: true,
        request: null,
        response: null,
      }),
    );
    if (hour % 3 === 0) {
      out.push(
        ctRecord(rng, 'dev', 'us-east-1', t + 20_000, actor, {
          source: 'ecs.amazonaws.com',
          name: 'DescribeServices',
          readOnly: true,
          request: { cluster: 'dev-ecs', services: ['orders-api'] },
          response: null,
        }),
      );
    }
  }
  return out;
}

function backups(rng: Rng, day: number): CtEvent[] {
  const role: RoleRef = { account: 'prod', name: 'AWSBackupDefaultServiceRole', path: '/service-role/' };
  const key = sessionKey(rng);
  const identity = assumedRole(role, 'AWSBackup-AWSBackupDefaultServiceRole', {
    created: day + 3 * HOUR,
    accessKeyId: key,
    invokedBy: 'backup.amazonaws.com',
  });
  return AWS_RESOURCES.prod.instances.map((instance, i) => {
    const t = day + 3 * HOUR + (i + 1) * 2 * MINUTE + rng.int(0, 30_000);
    const region: AwsRegion = i === 2 ? 'eu-west-1' : 'us-east-1';
    const volume = `vol-0${rng.hex(16)}`;
    return ctRecord(
      rng,
      'prod',
      region,
      t,
      { identity, ip: 'backup.amazonaws.com', userAgent: 'backup.amazonaws.com', internal: true },
      {
        source: 'ec2.amazonaws.com',
        name: 'CreateSnapshot',
        readOnly: false,
        request: {
          volumeId: volume,
          description: `This snapshot is created by the AWS Backup service for ${instance}`,
          tagSpecificationSet: {
            items: [
              { resourceType: 'snapshot', tags: [{ key: 'aws:backup:source-resource', value: instance }] },
            ],
          },
        },
        response: {
          requestId: rng.uuid(),
          snapshotId: `snap-0${rng.hex(16)}`,
          volumeId: volume,
          status: 'pending',
          startTime: t,
          progress: '',
          ownerId: accountId('prod'),
          volumeSize: 50,
          encrypted: true,
        },
      },
    );
  });
}

function supportBroker(rng: Rng, day: number): CtEvent[] {
  const grace = human('grace.kim');
  const off = daysOffFor(grace, rng.fork('off'), PERIOD_START, PERIOD_DAYS);
  const out: CtEvent[] = [];
  for (let hour = 0; hour < 24; hour++) {
    const t0 = day + hour * HOUR;
    if (!rng.chance(0.35 * humanRhythm(grace, t0, off))) continue;
    const t = t0 + rng.int(0, 50 * MINUTE);
    const key = sessionKey(rng);
    const broker: CtActor = {
      identity: iamUser('prod', 'support-broker', {
        accessKeyId: stableId('AKIA', 'prod/support-broker', 16),
      }),
      ip: '10.20.8.14',
      userAgent: BOTO,
    };
    out.push(
      ctRecord(rng, 'prod', 'us-east-1', t, broker, {
        source: 'sts.amazonaws.com',
        name: 'GetFederationToken',
        readOnly: true,
        request: {
          name: grace.slug,
          durationSeconds: 3600,
          policyArns: [{ arn: `arn:aws:iam::${accountId('prod')}:policy/support-invoice-read` }],
        },
        response: {
          credentials: {
            accessKeyId: key,
            sessionToken: '<redacted>',
            expiration: new Date(t + HOUR).toUTCString().replace('GMT', 'UTC'),
          },
          federatedUser: {
            federatedUserId: `${accountId('prod')}:${grace.slug}`,
            arn: `arn:aws:sts::${accountId('prod')}:federated-user/${grace.slug}`,
          },
          packedPolicySize: 9,
        },
      }),
    );
    const identity = federatedUser('prod', 'support-broker', grace.slug, t, key);
    const ip = ipFor(grace, t, rng);
    for (let i = 0; i < rng.int(1, 4); i++) {
      const at = t + (i + 1) * rng.int(20, 200) * 1000;
      const call = s3GetObject(
        'acme-prod-invoices',
        `2026/${rng.pick(['10', '11'])}/INV-${rng.int(100_000, 199_999)}.pdf`,
      )(rng, { account: 'prod', region: 'us-east-1', time: at });
      out.push(ctRecord(rng, 'prod', 'us-east-1', at, { identity, ip, userAgent: grace.browser }, call));
    }
  }
  return out;
}
