import { compact, type Json, type JsonObject } from './json.js';
import { isoFraction } from './period.js';
import { AZURE_SUBSCRIPTIONS, AZURE_TENANT, type AzureSubKey, DOMAIN, type Human } from './principals.js';
import type { Rng } from './prng.js';

/** Azure Activity Log records (diagnostic-settings schema) and Entra ID sign-in and audit records. */
export type AzureKind = 'activity' | 'signin' | 'audit';

export interface AzureRecord {
  kind: AzureKind;
  subscription: AzureSubKey | null;
  time: number;
  record: JsonObject;
  /** The id a detector cites: correlationId for Activity, properties.id for Entra. */
  id: string;
}

export const ROLE_DEFINITIONS = {
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
} as const;

export const APPS = {
  portal: { id: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c', name: 'Azure Portal' },
  cli: { id: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', name: 'Microsoft Azure CLI' },
  office: { id: '4765445b-32c6-49b0-83e6-1d93765276ca', name: 'OfficeHome' },
  outlook: { id: '00000002-0000-0ff1-ce00-000000000000', name: 'Office 365 Exchange Online' },
  teams: { id: '1fec8e78-bce4-4aaf-ab1b-5451cc387264', name: 'Microsoft Teams' },
  awsSso: { id: '6b2d1f0e-3c4a-4e8b-9d7f-0a1b2c3d4e5f', name: 'AWS IAM Identity Center' },
  gcp: { id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', name: 'Google Cloud' },
} as const;

/** An Azure caller: a person (with their UPN) or an application (service principal, managed identity). */
export type AzureCaller =
  | { kind: 'user'; human: Human; ip: string; app: { id: string; name: string } }
  | { kind: 'app'; name: string; appId: string; objectId: string; ip: string; managedIdentity?: string };

export function upn(h: Human): string {
  return `${h.slug}@${DOMAIN}`;
}

function claims(rng: Rng, caller: AzureCaller, time: number): JsonObject {
  const iat = Math.floor(time / 1000) - rng.int(60, 3000);
  const common = {
    aud: 'https://management.core.windows.net/',
    iss: `https://sts.windows.net/${AZURE_TENANT}/`,
    iat: String(iat),
    nbf: String(iat),
    exp: String(iat + rng.int(3900, 5400)),
  };
  if (caller.kind === 'user') {
    const [given, ...family] = caller.human.name.split(' ');
    return {
      ...common,
      'http://schemas.microsoft.com/claims/authnclassreference': '1',
      aio: rng.alnum(56),
      'http://schemas.microsoft.com/claims/authnmethodsreferences': 'pwd,mfa',
      appid: caller.app.id,
      appidacr: '0',
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname': family.join(' '),
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname': given ?? '',
      ipaddr: caller.ip,
      name: caller.human.name,
      'http://schemas.microsoft.com/identity/claims/objectidentifier': caller.human.objectId,
      'http://schemas.microsoft.com/identity/claims/scope': 'user_impersonation',
      'http://schemas.microsoft.com/identity/claims/tenantid': AZURE_TENANT,
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name': upn(caller.human),
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn': upn(caller.human),
      uti: rng.alnum(22),
      ver: '1.0',
    };
  }
  return compact({
    ...common,
    aio: rng.alnum(40),
    appid: caller.appId,
    appidacr: caller.managedIdentity ? '2' : '1',
    'http://schemas.microsoft.com/identity/claims/identityprovider': `https://sts.windows.net/${AZURE_TENANT}/`,
    idtyp: 'app',
    'http://schemas.microsoft.com/identity/claims/objectidentifier': caller.objectId,
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier': caller.objectId,
    'http://schemas.microsoft.com/identity/claims/tenantid': AZURE_TENANT,
    uti: rng.alnum(22),
    ver: '1.0',
    xms_mirid: caller.managedIdentity,
  });
}

export interface ArmOperation {
  subscription: AzureSubKey;
  /** Resource path below the subscription, e.g. `resourceGroups/rg-app/providers/Microsoft.Web/sites/app1`. */
  resource: string;
  /** Operation in its provider's case, e.g. `Microsoft.Compute/virtualMachines/write`. */
  operation: string;
  role: keyof typeof ROLE_DEFINITIONS;
  requestBody?: JsonObject;
  responseBody?: JsonObject;
  statusCode?: string;
  failure?: { code: string; message: string };
  location?: string;
  /** Skip the `Start` record, as Action operations without a long-running part often do. */
  singleRecord?: boolean;
}

function armResultSignature(op: ArmOperation): string {
  if (op.failure) return `Failed.${op.failure.code}`;
  return `Succeeded.${op.statusCode ?? (op.operation.endsWith('/delete') ? 'OK' : op.operation.endsWith('/action') ? 'OK' : 'Created')}`;
}

/**
 * One ARM operation as the Activity Log records it for a storage account or Event Hub: a
 * `Start` record and its outcome, sharing a correlationId (the log has no per-record id).
 */
export function armOperation(rng: Rng, time: number, caller: AzureCaller, op: ArmOperation): AzureRecord[] {
  const sub = AZURE_SUBSCRIPTIONS[op.subscription];
  const resourceId = `/subscriptions/${sub.id}/${op.resource}`;
  const correlationId = rng.uuid();
  const principalId = caller.kind === 'user' ? caller.human.objectId : caller.objectId;
  const identity: JsonObject = {
    authorization: {
      scope: resourceId,
      action: op.operation,
      evidence: {
        role: op.role,
        roleAssignmentScope: `/subscriptions/${sub.id}`,
        roleAssignmentId: new RngIdHex(`${op.subscription}/${principalId}/${op.role}`).value,
        roleDefinitionId: ROLE_DEFINITIONS[op.role].replaceAll('-', ''),
        principalId: principalId.replaceAll('-', ''),
        principalType: caller.kind === 'user' ? 'User' : 'ServicePrincipal',
      },
    },
    claims: claims(rng, caller, time),
  };
  const level = (): JsonObject => (rng.chance(0.03) ? { Level: 'Information' } : { level: 'Information' });
  const duration = (ms: number): Json => (rng.chance(0.12) ? String(ms) : ms);
  const base = (
    t: number,
    resultType: string,
    resultSignature: string,
    ms: number,
    properties: JsonObject,
  ): AzureRecord => ({
    kind: 'activity',
    subscription: op.subscription,
    time: t,
    id: correlationId,
    record: {
      RoleLocation: sub.location === 'westeurope' ? 'West Europe' : 'North Europe',
      ReleaseVersion: '6.2026.43.2+7c0e1a4.release_2026w43',
      time: isoFraction(t, 7, rng),
      resourceId: resourceId.toUpperCase(),
      operationName: op.operation.toUpperCase(),
      category: 'Administrative',
      resultType,
      resultSignature,
      durationMs: duration(ms),
      callerIpAddress: caller.ip,
      correlationId,
      identity,
      ...level(),
      location: op.location ?? 'global',
      properties,
      tenantId: AZURE_TENANT,
    },
  });
  const common = {
    eventCategory: 'Administrative',
    entity: resourceId,
    message: op.operation,
    hierarchy: `${AZURE_TENANT}/mg-acme-platform/${sub.id}`,
  };
  const out: AzureRecord[] = [];
  if (!op.singleRecord) {
    out.push(
      base(
        time,
        'Start',
        'Started.',
        0,
        compact({ ...common, requestbody: op.requestBody ? JSON.stringify(op.requestBody) : undefined }),
      ),
    );
  }
  const ms = rng.int(80, 4000);
  const status = op.failure ? 'Failure' : 'Success';
  const statusCode = op.failure
    ? 'Forbidden'
    : (op.statusCode ?? (op.operation.endsWith('/write') ? 'Created' : 'OK'));
  out.push(
    base(
      time + ms,
      status,
      armResultSignature(op),
      ms,
      compact({
        statusCode,
        serviceRequestId: rng.uuid(),
        ...common,
        responseBody: op.responseBody ? JSON.stringify(op.responseBody) : undefined,
        statusMessage: op.failure
          ? JSON.stringify({ error: { code: op.failure.code, message: op.failure.message } })
          : undefined,
      }),
    ),
  );
  return out;
}

/** A 32-hex id stable for a key (role assignment ids in evidence are written without dashes). */
class RngIdHex {
  readonly value: string;
  constructor(key: string) {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let i = 0; i < key.length; i++) {
      h1 = Math.imul(h1 ^ key.charCodeAt(i), 16777619) >>> 0;
      h2 = Math.imul(h2 ^ key.charCodeAt(i), 2246822519) >>> 0;
    }
    const part = (n: number) => n.toString(16).padStart(8, '0');
    this.value = `${part(h1)}${part(h2)}${part(h1 ^ h2)}${part((h1 + h2) >>> 0)}`;
  }
}

// ---- Entra ID -----------------------------------------------------------------------------

export interface SignIn {
  human: Human;
  ip: string;
  app: { id: string; name: string };
  /** 0 for success; 50126 bad password, 50074 MFA required, 50140 keep me signed in, 50053 locked. */
  errorCode: number;
  mfa: boolean;
  clientApp?: string;
  location: { city: string; state: string; country: string; lat: number; lon: number };
  browser?: string;
  os?: string;
  risk?: 'none' | 'low' | 'medium' | 'high';
}

const FAILURES: Record<number, string> = {
  50126: 'Error validating credentials due to invalid username or password.',
  50074: 'Strong Authentication is required.',
  50140: "This error occurred due to 'Keep me signed in' interrupt when the user was signing-in.",
  50053:
    'Account is locked because user tried to sign in too many times with an incorrect user ID or password.',
  50055: 'Invalid password, entered expired password.',
};

export function signInRecord(rng: Rng, time: number, s: SignIn): AzureRecord {
  const id = rng.uuid();
  const correlationId = rng.uuid();
  const ok = s.errorCode === 0;
  const created = isoFraction(time, 7, rng);
  const reason = FAILURES[s.errorCode];
  const steps: Json[] = [
    {
      authenticationStepDateTime: created.replace(/\.\d+Z$/, 'Z'),
      authenticationMethod: 'Password',
      authenticationMethodDetail: 'Password in the cloud',
      succeeded: s.errorCode !== 50126 && s.errorCode !== 50053,
      authenticationStepResultDetail:
        s.errorCode === 50126
          ? 'Invalid username or password or Invalid on-premise username or password.'
          : 'Correct password',
      authenticationStepRequirement: 'Primary authentication',
    },
  ];
  if (ok && s.mfa) {
    steps.push({
      authenticationStepDateTime: created.replace(/\.\d+Z$/, 'Z'),
      authenticationMethod: 'Mobile app notification',
      succeeded: true,
      authenticationStepResultDetail: rng.chance(0.7)
        ? 'MFA successfully completed'
        : 'MFA requirement satisfied by claim in the token',
      authenticationStepRequirement: 'Multifactor authentication',
    });
  }
  const properties = compact({
    id,
    createdDateTime: created,
    userDisplayName: s.human.name,
    userPrincipalName: upn(s.human),
    userId: s.human.objectId,
    appId: s.app.id,
    appDisplayName: s.app.name,
    ipAddress: s.ip,
    clientAppUsed: s.clientApp ?? 'Browser',
    correlationId,
    conditionalAccessStatus: s.errorCode === 50126 ? 'notApplied' : ok ? 'success' : 'failure',
    originalRequestId: id,
    isInteractive: true,
    tokenIssuerName: '',
    tokenIssuerType: 'AzureAD',
    processingTimeInMilliseconds: rng.int(40, 420),
    riskDetail: 'none',
    riskLevelAggregated: s.risk ?? 'none',
    riskLevelDuringSignIn: s.risk ?? 'none',
    riskState: s.risk && s.risk !== 'none' ? 'atRisk' : 'none',
    riskEventTypes: [],
    riskEventTypes_v2: [],
    resourceDisplayName:
      s.app.id === APPS.portal.id || s.app.id === APPS.cli.id
        ? 'Windows Azure Service Management API'
        : 'Office 365 Exchange Online',
    resourceId:
      s.app.id === APPS.portal.id || s.app.id === APPS.cli.id
        ? '797f4846-ba00-4fd7-ba43-dac1f8f63013'
        : '00000002-0000-0ff1-ce00-000000000000',
    status: compact({
      errorCode: s.errorCode,
      failureReason: ok ? undefined : reason,
      additionalDetails: ok && s.mfa ? 'MFA requirement satisfied by claim in the token' : undefined,
    }),
    deviceDetail: {
      deviceId: '',
      operatingSystem: s.os ?? s.human.os,
      browser:
        s.browser ??
        (s.human.browser.includes('Firefox')
          ? 'Firefox 132.0'
          : s.human.browser.includes('Edg/')
            ? 'Edge 130.0.0'
            : s.human.browser.includes('Chrome')
              ? 'Chrome 130.0.0'
              : 'Safari 18.1'),
    },
    location: {
      city: s.location.city,
      state: s.location.state,
      countryOrRegion: s.location.country,
      geoCoordinates: { latitude: s.location.lat, longitude: s.location.lon },
    },
    mfaDetail: ok && s.mfa ? { authMethod: 'Mobile app notification', authDetail: '' } : undefined,
    appliedConditionalAccessPolicies: [
      {
        id: 'a1c3e5f7-0b2d-4f6a-8c1e-3a5c7e9b1d2f',
        displayName: 'Require MFA for all users',
        enforcedGrantControls: ['Mfa'],
        enforcedSessionControls: [],
        result: s.errorCode === 50126 ? 'notApplied' : ok ? (s.mfa ? 'success' : 'notApplied') : 'failure',
      },
    ],
    authenticationDetails: steps,
    authenticationRequirement: s.mfa ? 'multiFactorAuthentication' : 'singleFactorAuthentication',
    homeTenantId: AZURE_TENANT,
    userType: 'Member',
    crossTenantAccessType: 'none',
    incomingTokenType: 'none',
    flaggedForReview: false,
    isTenantRestricted: false,
    autonomousSystemNumber: s.ip.startsWith('192.0.2.') ? 64_511 : 64_500,
    uniqueTokenIdentifier: rng.alnum(22),
  });
  const level: JsonObject = rng.chance(0.9) ? { Level: 4 } : { Level: '4' };
  return {
    kind: 'signin',
    subscription: null,
    time,
    id,
    record: {
      time: isoFraction(time + rng.int(0, 900), 7, rng),
      resourceId: `/tenants/${AZURE_TENANT}/providers/Microsoft.aadiam`,
      operationName: 'Sign-in activity',
      operationVersion: '1.0',
      category: 'SignInLogs',
      tenantId: AZURE_TENANT,
      resultType: String(s.errorCode),
      resultSignature: 'None',
      resultDescription: ok ? '' : (reason ?? ''),
      durationMs: rng.chance(0.1) ? '0' : 0,
      callerIpAddress: s.ip,
      correlationId,
      identity: s.human.name,
      ...level,
      location: s.location.country,
      properties,
    },
  };
}

export interface DirectoryChange {
  activity: string;
  category: 'UserManagement' | 'GroupManagement' | 'RoleManagement' | 'ApplicationManagement' | 'Policy';
  operationType: 'Add' | 'Update' | 'Delete' | 'Assign';
  by: { human: Human; ip: string } | { app: string; appId: string; servicePrincipalId: string };
  targets: {
    id: string;
    displayName: string | null;
    type: string;
    userPrincipalName?: string;
    modifiedProperties?: { displayName: string; oldValue: string | null; newValue: string | null }[];
  }[];
  service?: string;
  result?: 'success' | 'failure';
}

export function auditRecord(rng: Rng, time: number, c: DirectoryChange): AzureRecord {
  const id = `Directory_${rng.uuid().toUpperCase()}_${rng.upperId(5)}_${rng.int(100_000_000, 999_999_999)}`;
  const correlationId = rng.uuid();
  const at = isoFraction(time, 7, rng);
  const initiatedBy: JsonObject =
    'human' in c.by
      ? {
          user: {
            id: c.by.human.objectId,
            displayName: null,
            userPrincipalName: upn(c.by.human),
            ipAddress: c.by.ip,
            roles: [],
          },
        }
      : {
          app: {
            appId: c.by.appId,
            displayName: c.by.app,
            servicePrincipalId: c.by.servicePrincipalId,
            servicePrincipalName: null,
          },
        };
  return {
    kind: 'audit',
    subscription: null,
    time,
    id,
    record: {
      time: at,
      resourceId: `/tenants/${AZURE_TENANT}/providers/Microsoft.aadiam`,
      operationName: c.activity,
      operationVersion: '1.0',
      category: 'AuditLogs',
      tenantId: AZURE_TENANT,
      resultSignature: 'None',
      durationMs: 0,
      callerIpAddress: 'human' in c.by ? c.by.ip : '',
      correlationId,
      identity: 'human' in c.by ? c.by.human.name : c.by.app,
      level: 'Informational',
      properties: {
        id,
        category: c.category,
        correlationId,
        result: c.result ?? 'success',
        resultReason: '',
        activityDisplayName: c.activity,
        activityDateTime: at.replace('Z', '+00:00'),
        loggedByService: c.service ?? 'Core Directory',
        operationType: c.operationType,
        initiatedBy,
        targetResources: c.targets.map((t) =>
          compact({
            id: t.id,
            displayName: t.displayName,
            type: t.type,
            userPrincipalName: t.userPrincipalName,
            modifiedProperties: t.modifiedProperties ?? [],
            administrativeUnits: [],
          }),
        ),
        additionalDetails: [],
      },
    },
  };
}
