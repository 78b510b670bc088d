import { compact, type JsonObject } from './json.js';
import { isoSeconds } from './period.js';
import {
  AWS_ACCOUNTS,
  type AwsAccountKey,
  type AwsRegion,
  email,
  type Human,
  IDENTITY_STORE,
} from './principals.js';
import { Rng } from './prng.js';

/** One CloudTrail record and where the trail delivers it. */
export interface CtEvent {
  account: AwsAccountKey;
  region: AwsRegion;
  time: number;
  record: JsonObject;
}

/** Who made a call, as CloudTrail's `userIdentity`, with the address and agent it came from. */
export interface CtActor {
  identity: JsonObject;
  ip: string;
  userAgent: string;
  /** A call made by or for an AWS service carries no TLS details. */
  internal?: boolean;
  fromConsole?: boolean;
}

/** What was called: everything in a record that depends on the API, not on the caller. */
export interface CtCall {
  source: string;
  name: string;
  readOnly: boolean;
  request: JsonObject | null;
  response: JsonObject | null;
  resources?: { type: string; arn: string }[];
  category?: 'Management' | 'Data';
  eventType?: 'AwsApiCall' | 'AwsServiceEvent' | 'AwsConsoleSignIn';
  error?: { code: string; message: string };
  additionalEventData?: JsonObject;
  apiVersion?: string;
  serviceEventDetails?: JsonObject;
  /** Global services (IAM, STS global endpoint, sign-in) are recorded in us-east-1. */
  global?: boolean;
  version?: string;
}

const TLS_HOSTS: Record<string, string> = {
  's3.amazonaws.com': 's3',
  'monitoring.amazonaws.com': 'monitoring',
};

/** Stable ids derived from a name, so a principal keeps its id across the whole period. */
export function stableId(prefix: string, key: string, length = 17): string {
  return `${prefix}${new Rng(`aws-id/${prefix}/${key}`).upperId(length)}`;
}

export function accountId(key: AwsAccountKey): string {
  return AWS_ACCOUNTS[key].id;
}

function hostFor(call: CtCall, region: AwsRegion): string {
  const service = call.source.replace('.amazonaws.com', '');
  if (call.source === 'signin.amazonaws.com') return 'signin.aws.amazon.com';
  if (call.global && call.source === 'iam.amazonaws.com') return 'iam.amazonaws.com';
  if (call.source === 's3.amazonaws.com' && call.category === 'Data')
    return `${TLS_HOSTS[call.source]}.${region}.amazonaws.com`;
  return `${TLS_HOSTS[call.source] ?? service}.${region}.amazonaws.com`;
}

/** Builds one CloudTrail record with the fields and field order CloudTrail writes. */
export function ctRecord(
  rng: Rng,
  account: AwsAccountKey,
  region: AwsRegion,
  time: number,
  actor: CtActor,
  call: CtCall,
): CtEvent {
  const recordRegion: AwsRegion = call.global ? 'us-east-1' : region;
  const eventType = call.eventType ?? 'AwsApiCall';
  const serviceEvent = eventType === 'AwsServiceEvent';
  const tls13 = rng.chance(0.85);
  const requestId = call.source === 's3.amazonaws.com' ? rng.upperId(16) : rng.uuid();
  const record = compact({
    eventVersion: call.version ?? (call.source === 'signin.amazonaws.com' ? '1.09' : '1.08'),
    userIdentity: actor.identity,
    eventTime: isoSeconds(time),
    eventSource: call.source,
    eventName: call.name,
    awsRegion: recordRegion,
    sourceIPAddress: actor.ip,
    userAgent: actor.userAgent,
    errorCode: call.error?.code || undefined,
    errorMessage: call.error?.message,
    requestParameters: call.request,
    responseElements: call.response,
    additionalEventData: call.additionalEventData,
    requestID: serviceEvent || eventType === 'AwsConsoleSignIn' ? undefined : requestId,
    eventID: rng.uuid(),
    readOnly: call.readOnly,
    resources: call.resources?.map((r) => ({ accountId: accountId(account), type: r.type, ARN: r.arn })),
    eventType,
    apiVersion: call.apiVersion,
    managementEvent: call.category !== 'Data',
    recipientAccountId: accountId(account),
    serviceEventDetails: call.serviceEventDetails,
    eventCategory: call.category ?? 'Management',
    tlsDetails:
      actor.internal || serviceEvent
        ? undefined
        : {
            tlsVersion: tls13 ? 'TLSv1.3' : 'TLSv1.2',
            cipherSuite: tls13 ? 'TLS_AES_128_GCM_SHA256' : 'ECDHE-RSA-AES128-GCM-SHA256',
            clientProvidedHostHeader: hostFor(call, recordRegion),
          },
    sessionCredentialFromConsole: actor.fromConsole && eventType === 'AwsApiCall' ? 'true' : undefined,
  });
  return { account, region: recordRegion, time, record };
}

// ---- userIdentity shapes ------------------------------------------------------------------

function sessionAttributes(created: number, mfa: boolean): JsonObject {
  return { creationDate: isoSeconds(created), mfaAuthenticated: mfa ? 'true' : 'false' };
}

export interface RoleRef {
  account: AwsAccountKey;
  name: string;
  path?: string;
}

export function roleArn(role: RoleRef): string {
  return `arn:aws:iam::${accountId(role.account)}:role${role.path ?? '/'}${role.name}`;
}

/** `AssumedRole`: a role session, with its issuing role in `sessionContext.sessionIssuer`. */
export function assumedRole(
  role: RoleRef,
  session: string,
  options: {
    created: number;
    mfa?: boolean;
    accessKeyId: string;
    invokedBy?: string;
    sourceIdentity?: string;
  },
): JsonObject {
  const roleId = stableId('AROA', `${role.account}/${role.name}`);
  return compact({
    type: 'AssumedRole',
    principalId: `${roleId}:${session}`,
    arn: `arn:aws:sts::${accountId(role.account)}:assumed-role/${role.name}/${session}`,
    accountId: accountId(role.account),
    accessKeyId: options.accessKeyId,
    sessionContext: compact({
      sessionIssuer: {
        type: 'Role',
        principalId: roleId,
        arn: roleArn(role),
        accountId: accountId(role.account),
        userName: role.name,
      },
      webIdFederationData: {},
      attributes: sessionAttributes(options.created, options.mfa ?? false),
      sourceIdentity: options.sourceIdentity,
    }),
    invokedBy: options.invokedBy,
  });
}

export function iamUser(
  account: AwsAccountKey,
  userName: string,
  options: { accessKeyId?: string; console?: { created: number; mfa: boolean } },
): JsonObject {
  return compact({
    type: 'IAMUser',
    principalId: stableId('AIDA', `${account}/${userName}`),
    arn: `arn:aws:iam::${accountId(account)}:user/${userName}`,
    accountId: accountId(account),
    accessKeyId: options.accessKeyId,
    userName,
    sessionContext: options.console
      ? {
          sessionIssuer: {},
          webIdFederationData: {},
          attributes: sessionAttributes(options.console.created, options.console.mfa),
        }
      : undefined,
  });
}

export function rootIdentity(
  account: AwsAccountKey,
  accessKeyId?: string,
  session?: { created: number; mfa: boolean },
): JsonObject {
  return compact({
    type: 'Root',
    principalId: accountId(account),
    arn: `arn:aws:iam::${accountId(account)}:root`,
    accountId: accountId(account),
    accessKeyId: accessKeyId ?? '',
    sessionContext: session
      ? {
          sessionIssuer: {},
          webIdFederationData: {},
          attributes: sessionAttributes(session.created, session.mfa),
        }
      : undefined,
  });
}

export function awsService(invokedBy: string): JsonObject {
  return { type: 'AWSService', invokedBy };
}

export function federatedUser(
  account: AwsAccountKey,
  issuerUser: string,
  name: string,
  created: number,
  accessKeyId: string,
): JsonObject {
  const userId = stableId('AIDA', `${account}/${issuerUser}`);
  return {
    type: 'FederatedUser',
    principalId: `${accountId(account)}:${name}`,
    arn: `arn:aws:sts::${accountId(account)}:federated-user/${name}`,
    accountId: accountId(account),
    accessKeyId,
    sessionContext: {
      sessionIssuer: {
        type: 'IAMUser',
        principalId: userId,
        arn: `arn:aws:iam::${accountId(account)}:user/${issuerUser}`,
        accountId: accountId(account),
        userName: issuerUser,
      },
      webIdFederationData: {},
      attributes: sessionAttributes(created, false),
    },
  };
}

export const SAML_PROVIDER = 'PartnerIdP';

export function samlUser(account: AwsAccountKey, user: string): JsonObject {
  const issuer = Buffer.from(`https://idp.partner.example/saml/${accountId(account)}`)
    .toString('base64')
    .slice(0, 28);
  return { type: 'SAMLUser', principalId: `${issuer}:${user}`, userName: user, identityProvider: issuer };
}

export function webIdentityUser(subject: string): JsonObject {
  return {
    type: 'WebIdentityUser',
    principalId: `arn:aws:iam::${accountId('mgmt')}:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:${subject}`,
    userName: subject,
    identityProvider: `arn:aws:iam::${accountId('mgmt')}:oidc-provider/token.actions.githubusercontent.com`,
  };
}

export function identityCenterUser(h: Human): JsonObject {
  return {
    type: 'IdentityCenterUser',
    accountId: accountId('mgmt'),
    onBehalfOf: {
      userId: new Rng(`identity-store/${h.slug}`).uuid(),
      identityStoreArn: `arn:aws:identitystore::${accountId('mgmt')}:identitystore/${IDENTITY_STORE}`,
    },
    credentialId: new Rng(`sso-cred/${h.slug}`).hex(36),
  };
}

/** The IAM Identity Center role a person's permission set becomes in an account. */
export function ssoRole(account: AwsAccountKey, permissionSet: string): RoleRef {
  const suffix = new Rng(`sso-role/${account}/${permissionSet}`).hex(16);
  return {
    account,
    name: `AWSReservedSSO_${permissionSet}_${suffix}`,
    path: '/aws-reserved/sso.amazonaws.com/',
  };
}

export function ssoSession(
  h: Human,
  account: AwsAccountKey,
  created: number,
  accessKeyId: string,
): JsonObject {
  const set = h.aws?.permissionSet ?? 'ReadOnlyAccess';
  return assumedRole(ssoRole(account, set), email(h), { created, accessKeyId, mfa: false });
}

export function sessionKey(rng: Rng): string {
  return `ASIA${rng.upperId(16)}`;
}
