import { describe, expect, it } from 'vitest';
import { eventColumns } from '../fixtures/azure/columns.js';
import { normalizeOne, normalizeRecords } from '../helpers/normalize-records.js';

const TENANT = '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d';
const WORKSPACE = '99999999-8888-4777-8666-555555555555';
const USER_ID = '0b1c2d3e-0000-4000-8000-00000000a11c';

/** A diagnostic-settings SignInLogs record. */
function signIn(
  overrides: Record<string, unknown> = {},
  props: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    time: '2024-04-01T08:15:42.1234567Z',
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
    properties: {
      id: '5ab0c0de-0000-4000-8000-000000000001',
      createdDateTime: '2024-04-01T08:15:42.1234567+00:00',
      userDisplayName: 'Alice Contoso',
      userPrincipalName: 'alice@contoso.example',
      userId: USER_ID,
      appId: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c',
      appDisplayName: 'Azure Portal',
      ipAddress: '203.0.113.25',
      status: { errorCode: 0 },
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
      ...props,
    },
    ...overrides,
  };
}

describe('entraSigninFormat', () => {
  it('maps a diagnostic-settings interactive sign-in with MFA', async () => {
    const row = await normalizeOne(signIn());
    expect(eventColumns(row)).toEqual({
      event_id: '5ab0c0de-0000-4000-8000-000000000001',
      source: 'azure',
      format: 'entra_signin',
      problem: null,
      event_time: '2024-04-01T08:15:42.123456Z',
      account: TENANT,
      region: null,
      service: 'Microsoft.aadiam',
      action: 'Sign-in activity',
      log_type: 'SignInLogs',
      actor: 'alice@contoso.example',
      actor_type: 'user',
      actor_issuer: 'AzureAD',
      source_ip: '203.0.113.25',
      user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/124.0',
      outcome: 'success',
      error_code: null,
      error_message: null,
      mfa: true,
      resources: ['Windows Azure Service Management API', 'Azure Portal'],
      details: {
        correlation_id: '11110000-2222-4333-8444-555566667777',
        user_id: USER_ID,
        user_display_name: 'Alice Contoso',
        app_id: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c',
        app_display_name: 'Azure Portal',
        resource_id: '797f4846-ba00-4fd7-ba43-dac1f8f63013',
        resource_display_name: 'Windows Azure Service Management API',
        client_app_used: 'Browser',
        is_interactive: true,
        authentication_requirement: 'multiFactorAuthentication',
        conditional_access_status: 'success',
        risk_level_during_signin: 'none',
        risk_level_aggregated: 'none',
        risk_state: 'none',
        country: 'NL',
        city: 'Amsterdam',
        operating_system: 'Linux',
        browser: 'Firefox 124.0',
        home_tenant_id: TENANT,
        resource_tenant_id: TENANT,
        cross_tenant_access_type: 'none',
        duration_ms: 0,
      },
    });
    expect(row.raw).toEqual(signIn());
  });

  it('maps a failed single-factor sign-in', async () => {
    const row = await normalizeOne(
      signIn(
        { resultType: '50126', resultDescription: 'Invalid username or password.' },
        {
          status: {
            errorCode: 50126,
            failureReason: 'Error validating credentials due to invalid username or password.',
          },
          authenticationRequirement: 'singleFactorAuthentication',
          conditionalAccessStatus: 'notApplied',
        },
      ),
    );
    expect(row).toMatchObject({
      problem: null,
      outcome: 'failure',
      error_code: '50126',
      error_message: 'Error validating credentials due to invalid username or password.',
      mfa: false,
    });
  });

  it('leaves mfa unknown when the requirement is not recorded', async () => {
    const row = await normalizeOne(signIn({}, { authenticationRequirement: undefined }));
    expect(row.mfa).toBeNull();
  });

  it('maps a Log Analytics SigninLogs row (PascalCase columns, Status and details as JSON text)', async () => {
    const row = await normalizeOne({
      TenantId: WORKSPACE,
      SourceSystem: 'Azure AD',
      TimeGenerated: '2024-04-01T09:00:01.5Z',
      ResourceId: `/tenants/${TENANT}/providers/Microsoft.aadiam`,
      OperationName: 'Sign-in activity',
      Category: 'SignInLogs',
      ResultType: '50074',
      ResultDescription: 'Strong Authentication is required.',
      CorrelationId: '22220000-2222-4333-8444-555566667777',
      Identity: 'Bob Example',
      Level: '4',
      Location: 'US',
      AppDisplayName: 'Microsoft Teams',
      AppId: '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
      AuthenticationRequirement: 'multiFactorAuthentication',
      ClientAppUsed: 'Mobile Apps and Desktop clients',
      ConditionalAccessStatus: 'notApplied',
      CreatedDateTime: '2024-04-01T09:00:00.25Z',
      DeviceDetail: JSON.stringify({ deviceId: '', operatingSystem: 'Windows 11', browser: 'Edge 123.0.0' }),
      IsInteractive: true,
      Id: '5ab0c0de-0000-4000-8000-000000000002',
      IPAddress: '198.51.100.20',
      LocationDetails: JSON.stringify({ city: 'Seattle', countryOrRegion: 'US' }),
      ResourceDisplayName: 'Microsoft Teams Services',
      ResourceIdentity: 'cc15fd57-2c6c-4117-a88c-83b1d56b4bbe',
      Status: JSON.stringify({ errorCode: 50074, failureReason: 'Strong Authentication is required.' }),
      UserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Teams/24000',
      UserDisplayName: 'Bob Example',
      UserId: '0b1c2d3e-0000-4000-8000-000000000b0b',
      UserPrincipalName: 'bob@contoso.example',
      AADTenantId: TENANT,
      Type: 'SigninLogs',
    });
    expect(eventColumns(row)).toEqual({
      event_id: '5ab0c0de-0000-4000-8000-000000000002',
      source: 'azure',
      format: 'entra_signin',
      problem: null,
      event_time: '2024-04-01T09:00:00.250000Z',
      account: TENANT,
      region: null,
      service: 'Microsoft.aadiam',
      action: 'Sign-in activity',
      log_type: 'SignInLogs',
      actor: 'bob@contoso.example',
      actor_type: 'user',
      actor_issuer: null,
      source_ip: '198.51.100.20',
      user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Teams/24000',
      outcome: 'failure',
      error_code: '50074',
      error_message: 'Strong Authentication is required.',
      mfa: true,
      resources: ['Microsoft Teams Services', 'Microsoft Teams'],
      details: {
        correlation_id: '22220000-2222-4333-8444-555566667777',
        user_id: '0b1c2d3e-0000-4000-8000-000000000b0b',
        user_display_name: 'Bob Example',
        app_id: '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
        app_display_name: 'Microsoft Teams',
        resource_id: 'cc15fd57-2c6c-4117-a88c-83b1d56b4bbe',
        resource_display_name: 'Microsoft Teams Services',
        client_app_used: 'Mobile Apps and Desktop clients',
        is_interactive: true,
        authentication_requirement: 'multiFactorAuthentication',
        conditional_access_status: 'notApplied',
        country: 'US',
        city: 'Seattle',
        operating_system: 'Windows 11',
        browser: 'Edge 123.0.0',
      },
    });
  });

  it('maps a LA success row by ResultType 0 without Status', async () => {
    const row = await normalizeOne({
      TimeGenerated: '2024-04-01T09:05:00Z',
      Type: 'AADNonInteractiveUserSignInLogs',
      Id: '5ab0c0de-0000-4000-8000-000000000003',
      ResultType: '0',
      UserPrincipalName: 'bob@contoso.example',
      IPAddress: '198.51.100.21',
      AADTenantId: TENANT,
      TenantId: WORKSPACE,
    });
    expect(row).toMatchObject({
      problem: null,
      event_time: '2024-04-01T09:05:00.000000Z',
      account: TENANT,
      log_type: 'NonInteractiveUserSignInLogs',
      outcome: 'success',
      error_code: null,
      actor: 'bob@contoso.example',
      actor_type: 'user',
      source_ip: '198.51.100.21',
    });
  });

  it('maps a service-principal sign-in to the service principal', async () => {
    const row = await normalizeOne({
      time: '11/14/2024 1:48:53 AM',
      resourceId: `/tenants/${TENANT}/providers/Microsoft.aadiam`,
      operationName: 'Sign-in activity',
      category: 'ServicePrincipalSignInLogs',
      tenantId: TENANT,
      resultType: '7000215',
      durationMs: '0',
      callerIpAddress: '192.0.2.44',
      correlationId: '33330000-2222-4333-8444-555566667777',
      level: 'Informational',
      location: 'AU',
      properties: {
        id: '5ab0c0de-0000-4000-8000-000000000004',
        appId: 'a0b1c2d3-0000-4000-8000-0000000000a9',
        ipAddress: '192.0.2.44',
        status: { errorCode: 7000215, failureReason: 'Invalid client secret is provided.' },
        servicePrincipalId: 'a0b1c2d3-0000-4000-8000-00000000005b',
        servicePrincipalName: 'contoso-deploy-bot',
        resourceDisplayName: 'Microsoft Graph',
        tokenIssuerType: 'AzureAD',
      },
    });
    expect(row).toMatchObject({
      problem: null,
      event_time: '2024-11-14T01:48:53.000000Z',
      log_type: 'ServicePrincipalSignInLogs',
      actor: 'contoso-deploy-bot',
      actor_type: 'service',
      actor_issuer: 'AzureAD',
      outcome: 'failure',
      error_code: '7000215',
      error_message: 'Invalid client secret is provided.',
      mfa: null,
      resources: ['Microsoft Graph'],
      details: {
        service_principal_id: 'a0b1c2d3-0000-4000-8000-00000000005b',
        country: 'AU',
        duration_ms: 0,
      },
    });
  });

  it('maps a LA managed-identity sign-in to the identity id when it has no name', async () => {
    const row = await normalizeOne({
      TimeGenerated: '2024-04-02T00:00:00Z',
      Type: 'AADManagedIdentitySignInLogs',
      Category: 'ManagedIdentitySignInLogs',
      Id: '5ab0c0de-0000-4000-8000-000000000005',
      ResultType: '0',
      ServicePrincipalId: 'a0b1c2d3-0000-4000-8000-00000000003c',
      AppId: 'a0b1c2d3-0000-4000-8000-0000000000a9',
      AADTenantId: TENANT,
    });
    expect(row).toMatchObject({
      problem: null,
      log_type: 'ManagedIdentitySignInLogs',
      actor: 'a0b1c2d3-0000-4000-8000-00000000003c',
      actor_type: 'service',
      outcome: 'success',
    });
  });

  it('reports sign-ins without id or time as problems', async () => {
    const { id: _id, ...noIdProps } = signIn().properties as Record<string, unknown>;
    const [noId, noTime] = await normalizeRecords([
      signIn({ properties: noIdProps }),
      signIn({ time: 'yesterday' }, { createdDateTime: undefined }),
    ]);
    expect(noId).toMatchObject({ format: 'entra_signin', problem: 'record has no event id' });
    expect(noTime).toMatchObject({ format: 'entra_signin', problem: 'record has no parseable event time' });
  });

  it('finds keys in any casing, not only the usual spellings', async () => {
    // Spellings a forwarder that capitalizes lowercase keys produces ('Correlationid'); the old
    // per-spelling lookups (as written, Pascal, camel, lower, upper) missed them.
    const { category, correlationId, durationMs, properties, ...rest } = signIn();
    const { userPrincipalName, ipAddress, ...props } = properties as Record<string, unknown>;
    const row = await normalizeOne({
      ...rest,
      CateGory: category,
      Correlationid: correlationId,
      DURATIONms: durationMs,
      Properties: { ...props, UserPrincipalNAME: userPrincipalName, IpAddress: ipAddress },
    });
    expect(row).toMatchObject({
      format: 'entra_signin',
      problem: null,
      log_type: 'SignInLogs',
      actor: 'alice@contoso.example',
      actor_type: 'user',
      source_ip: '203.0.113.25',
    });
    expect(row.details).toMatchObject({
      correlation_id: '11110000-2222-4333-8444-555566667777',
      duration_ms: 0,
    });
  });
});
