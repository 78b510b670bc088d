import { describe, expect, it } from 'vitest';
import { eventColumns } from '../fixtures/azure/columns.js';
import { normalizeOne, normalizeRecords } from '../helpers/normalize-records.js';

const SUB = '1f0c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f';
const TENANT = '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d';
const RESOURCE = `/subscriptions/${SUB.toUpperCase()}/resourceGroups/rg-contoso/providers/Microsoft.Network/networkSecurityGroups/nsg-web`;

const userClaims = {
  aud: 'https://management.core.windows.net/',
  iss: `https://sts.windows.net/${TENANT}/`,
  appid: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn': 'alice@contoso.example',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name': 'alice@contoso.example',
  'http://schemas.microsoft.com/identity/claims/objectidentifier': '0b1c2d3e-0000-4000-8000-00000000a11c',
  'http://schemas.microsoft.com/identity/claims/tenantid': TENANT,
};

/** A diagnostic-settings Activity Log record (Event Hub / PT1H.json shape). */
function activityRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    time: '2024-03-05T10:20:30.1234567Z',
    resourceId: RESOURCE,
    operationName: 'Microsoft.Network/networkSecurityGroups/securityRules/write',
    category: 'Administrative',
    resultType: 'Success',
    resultSignature: 'Succeeded.Created',
    durationMs: 1500,
    callerIpAddress: '203.0.113.10',
    correlationId: 'aaaa0000-1111-4222-8333-444455556666',
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
      claims: userClaims,
    },
    level: 'Information',
    location: 'westeurope',
    properties: { statusCode: 'Created', eventCategory: 'Administrative' },
    ...overrides,
  };
}

describe('azureActivityFormat', () => {
  it('maps a diagnostic-settings Activity Log record', async () => {
    const row = await normalizeOne(activityRecord());
    expect(row.problem).toBeNull();
    expect(row.event_id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect({ ...eventColumns(row), event_id: 'checked above' }).toEqual({
      event_id: 'checked above',
      source: 'azure',
      format: 'azure_activity',
      problem: null,
      event_time: '2024-03-05T10:20:30.123456Z',
      account: SUB,
      region: 'westeurope',
      service: 'Microsoft.Network',
      action: 'Microsoft.Network/networkSecurityGroups/securityRules/write',
      log_type: 'Administrative',
      actor: 'alice@contoso.example',
      actor_type: 'user',
      actor_issuer: `https://sts.windows.net/${TENANT}/`,
      source_ip: '203.0.113.10',
      user_agent: null,
      outcome: 'success',
      error_code: null,
      error_message: null,
      mfa: null,
      resources: [RESOURCE],
      details: {
        correlation_id: 'aaaa0000-1111-4222-8333-444455556666',
        level: 'Information',
        result_type: 'Success',
        result_signature: 'Succeeded.Created',
        status_code: 'Created',
        event_category: 'Administrative',
        duration_ms: 1500,
        actor_id: '0b1c2d3e-0000-4000-8000-00000000a11c',
        app_id: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c',
        principal_type: 'User',
        role: 'Network Contributor',
        authorization_action: 'Microsoft.Network/networkSecurityGroups/securityRules/write',
        tenant_id: TENANT,
      },
    });
    expect(row.raw).toEqual(activityRecord());
  });

  it('maps a Log Analytics AzureActivity row (PascalCase, Claims and Properties as JSON text)', async () => {
    const row = await normalizeOne({
      TenantId: '99999999-8888-4777-8666-555555555555',
      SourceSystem: 'Azure',
      TimeGenerated: '2024-03-05T11:00:00.5Z',
      CategoryValue: 'Administrative',
      OperationName: 'Delete Virtual Machine',
      OperationNameValue: 'MICROSOFT.COMPUTE/VIRTUALMACHINES/DELETE',
      ResourceProviderValue: 'MICROSOFT.COMPUTE',
      ActivityStatusValue: 'Failure',
      ActivitySubstatusValue: 'Conflict',
      Caller: '5e6f7a8b-1111-4222-8333-9a0b1c2d3e4f',
      CallerIpAddress: '198.51.100.7',
      CorrelationId: 'bbbb0000-1111-4222-8333-444455556666',
      EventDataId: 'cccc0000-1111-4222-8333-444455556666',
      SubscriptionId: SUB.toUpperCase(),
      _ResourceId: `/subscriptions/${SUB}/resourcegroups/rg-contoso/providers/microsoft.compute/virtualmachines/vm-01`,
      Level: 'Error',
      Claims: JSON.stringify({
        appid: 'd1e2f3a4-0000-4000-8000-0000000000a9',
        idtyp: 'app',
        iss: `https://sts.windows.net/${TENANT}/`,
        'http://schemas.microsoft.com/identity/claims/tenantid': TENANT,
        'http://schemas.microsoft.com/identity/claims/objectidentifier':
          '5e6f7a8b-1111-4222-8333-9a0b1c2d3e4f',
      }),
      Authorization: JSON.stringify({
        action: 'Microsoft.Compute/virtualMachines/delete',
        evidence: { role: 'Contributor', principalType: 'ServicePrincipal' },
      }),
      Properties: JSON.stringify({ statusCode: 'Conflict', eventCategory: 'Administrative' }),
      Type: 'AzureActivity',
    });
    expect(eventColumns(row)).toEqual({
      event_id: 'cccc0000-1111-4222-8333-444455556666',
      source: 'azure',
      format: 'azure_activity',
      problem: null,
      event_time: '2024-03-05T11:00:00.500000Z',
      account: SUB,
      region: null,
      service: 'MICROSOFT.COMPUTE',
      action: 'MICROSOFT.COMPUTE/VIRTUALMACHINES/DELETE',
      log_type: 'Administrative',
      actor: '5e6f7a8b-1111-4222-8333-9a0b1c2d3e4f',
      actor_type: 'service',
      actor_issuer: `https://sts.windows.net/${TENANT}/`,
      source_ip: '198.51.100.7',
      user_agent: null,
      outcome: 'failure',
      error_code: 'Conflict',
      error_message: null,
      mfa: null,
      resources: [
        `/subscriptions/${SUB}/resourcegroups/rg-contoso/providers/microsoft.compute/virtualmachines/vm-01`,
      ],
      details: {
        correlation_id: 'bbbb0000-1111-4222-8333-444455556666',
        level: 'Error',
        result_type: 'Failure',
        result_signature: 'Conflict',
        status_code: 'Conflict',
        event_category: 'Administrative',
        actor_id: '5e6f7a8b-1111-4222-8333-9a0b1c2d3e4f',
        app_id: 'd1e2f3a4-0000-4000-8000-0000000000a9',
        principal_type: 'ServicePrincipal',
        role: 'Contributor',
        authorization_action: 'Microsoft.Compute/virtualMachines/delete',
        tenant_id: TENANT,
      },
    });
  });

  it('reads keys in any usual case and durationMs as string or number', async () => {
    const base = activityRecord();
    const { level: _l, resultType: _rt, operationName: _op, durationMs: _d, ...rest } = base;
    const [mixed, lower] = await normalizeRecords([
      {
        ...rest,
        Level: 'Warning',
        ResultType: 'Failed',
        OperationName: base.operationName,
        durationMs: '250',
      },
      {
        time: base.time,
        resourceid: RESOURCE,
        operationname: base.operationName,
        category: 'Administrative',
        resulttype: 'Succeeded',
        durationms: 250,
        calleripaddress: '203.0.113.11',
        correlationid: 'dddd0000-1111-4222-8333-444455556666',
      },
    ]);
    expect(mixed).toMatchObject({
      problem: null,
      action: base.operationName,
      outcome: 'failure',
      error_code: 'Succeeded.Created',
      details: { level: 'Warning', result_type: 'Failed', duration_ms: 250 },
    });
    expect(lower).toMatchObject({
      problem: null,
      account: SUB,
      action: base.operationName,
      outcome: 'success',
      source_ip: '203.0.113.11',
      details: { duration_ms: 250, correlation_id: 'dddd0000-1111-4222-8333-444455556666' },
    });
  });

  it('parses US-style, offset and 7-digit ISO times as UTC', async () => {
    const times = [
      '1/2/2024 3:04:05 PM',
      '01/02/2024 15:04:05',
      '1/2/2024 4:04:05 PM +01:00',
      '2024-01-02T15:04:05.1234567Z',
      '2024-01-02T17:04:05+02:00',
      '2024-01-02T15:04:05',
      'not a time',
    ];
    const rows = await normalizeRecords(times.map((time) => activityRecord({ time })));
    expect(rows.map((r) => r.event_time)).toEqual([
      '2024-01-02T15:04:05.000000Z',
      '2024-01-02T15:04:05.000000Z',
      '2024-01-02T15:04:05.000000Z',
      '2024-01-02T15:04:05.123456Z',
      '2024-01-02T15:04:05.000000Z',
      '2024-01-02T15:04:05.000000Z',
      null,
    ]);
    expect(rows[6]?.problem).toBe('record has no parseable event time');
  });

  it('reads identity given as a JSON string like the object form, and a plain-name identity', async () => {
    const [asObject, asString, asName] = await normalizeRecords([
      activityRecord(),
      activityRecord({ identity: JSON.stringify(activityRecord().identity) }),
      activityRecord({ identity: 'Alice Contoso' }),
    ]);
    expect(asString?.actor).toBe('alice@contoso.example');
    expect(asString?.actor_type).toBe('user');
    expect(asString?.details).toEqual(asObject?.details);
    expect(asName).toMatchObject({ actor: 'Alice Contoso', actor_type: 'unknown', actor_issuer: null });
  });

  it('derives a stable id when the record has none, distinct per record', async () => {
    const start = activityRecord({
      resultType: 'Start',
      resultSignature: 'Started.',
      time: '2024-03-05T10:20:29Z',
    });
    const rows = await normalizeRecords([
      activityRecord(),
      JSON.stringify(activityRecord(), null, 2),
      activityRecord({ time: '3/5/2024 10:20:30.123456 AM' }),
      start,
      activityRecord({ properties: { statusCode: 'OK', eventCategory: 'Administrative' } }),
      activityRecord({ correlationId: 'eeee0000-1111-4222-8333-444455556666' }),
    ]);
    const ids = rows.map((r) => r.event_id);
    // Same record re-read (other whitespace, other time spelling): same id.
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).toBe(ids[0]);
    expect(new Set([ids[0], ids[3], ids[4], ids[5]]).size).toBe(4);
    expect(rows[3]?.outcome).toBe('unknown');
    // Pinned: changing the derivation would silently duplicate every stored Activity event.
    expect(ids[0]).toBe('sha256:b1f8d0288f17f9f8592f9fe3d314b4b9899ecb344846da60b0b96d8bae70c10f');
  });

  it('reads the REST API {value, localizedValue} objects and keeps the id of the recorded text', async () => {
    const { resultType: _resultType, ...withoutResultType } = activityRecord();
    const rest = {
      ...withoutResultType,
      operationName: {
        value: 'Microsoft.Authorization/elevateAccess/action',
        localizedValue: 'Assigns the caller to User Access Administrator role',
      },
      category: { value: 'Administrative', localizedValue: 'Administrative' },
      status: { value: 'Succeeded', localizedValue: 'Succeeded' },
    };
    const [row, failed] = await normalizeRecords([
      rest,
      { ...rest, status: { value: 'Failed', localizedValue: 'Failed' } },
    ]);
    expect(row).toMatchObject({
      service: 'Microsoft.Authorization',
      action: 'Microsoft.Authorization/elevateAccess/action',
      log_type: 'Administrative',
      outcome: 'success',
    });
    expect(failed?.outcome).toBe('failure');
    // resultType, when present, still decides over the REST status.
    const both = await normalizeOne({ ...rest, resultType: 'Start' });
    expect(both.outcome).toBe('unknown');
    // The derived id hashes the operationName as recorded (the object's JSON text): pinned to the
    // id the normalizer gave before it read the objects, so stored events keep theirs.
    expect(row?.event_id).toBe('sha256:cde03fd00aecbc2cf23557fd5282c3e366d255c04810367c898739913fafc51e');
  });

  it('prefers eventDataId from properties when the diagnostic record has one', async () => {
    const row = await normalizeOne(
      activityRecord({ properties: { eventDataId: 'ffff0000-1111-4222-8333-444455556666' } }),
    );
    expect(row.event_id).toBe('ffff0000-1111-4222-8333-444455556666');
  });

  it('normalizes other Azure resource-log records generically (tenant-scoped Graph activity)', async () => {
    const row = await normalizeOne({
      time: '2024-03-07T11:47:00.6442361Z',
      resourceId: `/TENANTS/${TENANT.toUpperCase()}/PROVIDERS/MICROSOFT.AADIAM`,
      operationName: 'Microsoft Graph Activity',
      operationVersion: 'v1.0',
      category: 'MicrosoftGraphActivityLogs',
      resultSignature: '200',
      durationMs: 4626,
      callerIpAddress: '2001:db8::10',
      correlationId: '12121212-3434-4565-8787-909090909090',
      Level: 4,
      location: 'West Europe',
      tenantId: TENANT,
      properties: {
        requestMethod: 'GET',
        requestUri: 'https://graph.microsoft.com/v1.0/users',
        userId: '0b1c2d3e-0000-4000-8000-00000000a11c',
        userAgent: 'python-requests/2.31.0',
        ipAddress: '2001:db8::10',
      },
    });
    expect(row).toMatchObject({
      problem: null,
      format: 'azure_activity',
      account: TENANT,
      region: 'West Europe',
      service: 'MICROSOFT.AADIAM',
      action: 'Microsoft Graph Activity',
      log_type: 'MicrosoftGraphActivityLogs',
      actor: '0b1c2d3e-0000-4000-8000-00000000a11c',
      actor_type: 'user',
      source_ip: '2001:db8::10',
      user_agent: 'python-requests/2.31.0',
      outcome: 'unknown',
      details: { level: '4', result_signature: '200', duration_ms: 4626, tenant_id: TENANT },
    });
  });

  it('leaves records without operationName to other formats', async () => {
    const row = await normalizeOne({ time: '2024-01-02T15:04:05Z', category: 'Administrative' });
    expect(row.format).toBeNull();
    expect(row.problem).toMatch(/unrecognized record shape/);
  });
});

describe('azure_activity: other Azure resource logs', () => {
  it('names the calling app of an app-only Microsoft Graph activity record', async () => {
    const row = await normalizeOne({
      time: '2026-11-03T08:15:00.1234567Z',
      resourceId: '/TENANTS/0000AAAA-1111-4222-8333-444455556666/PROVIDERS/MICROSOFT.AADIAM',
      operationName: 'Microsoft Graph Activity',
      category: 'MicrosoftGraphActivityLogs',
      tenantId: '0000aaaa-1111-4222-8333-444455556666',
      properties: {
        requestId: 'b1e2c3d4-0000-4000-8000-000000000001',
        requestMethod: 'GET',
        requestUri: 'https://graph.microsoft.com/v1.0/users',
        responseStatusCode: 200,
        ipAddress: '203.0.113.20',
        appId: '11112222-3333-4444-5555-666677778888',
        servicePrincipalId: '99990000-aaaa-4bbb-8ccc-ddddeeeeffff',
      },
    });
    expect(row).toMatchObject({
      actor: '99990000-aaaa-4bbb-8ccc-ddddeeeeffff',
      actor_type: 'service',
      source_ip: '203.0.113.20',
    });
  });

  it('names the provisioning service that acted, not the record identity object id', async () => {
    const row = await normalizeOne({
      time: '2026-11-03T09:00:00Z',
      resourceId: '/tenants/0000aaaa-1111-4222-8333-444455556666/providers/Microsoft.aadiam',
      operationName: 'ProvisioningLogs',
      category: 'ProvisioningLogs',
      identity: '7c1d2e3f-0000-4000-8000-00000000abcd',
      properties: {
        id: 'prov-0001',
        activityDateTime: '2026-11-03T09:00:00Z',
        initiatedBy: { Id: '', Name: 'Azure AD Provisioning Service', Type: 'system' },
        provisioningAction: 'create',
      },
    });
    expect(row).toMatchObject({ actor: 'Azure AD Provisioning Service', actor_type: 'service' });
  });
});

describe('azure_activity: Key Vault audit events', () => {
  it('reads the caller from identity.claim (singular), as Key Vault writes it', async () => {
    const row = await normalizeOne({
      time: '2026-11-05T03:10:00.0000000Z',
      category: 'AuditEvent',
      operationName: 'SecretGet',
      resultType: 'Success',
      resourceId:
        '/SUBSCRIPTIONS/8C1F4E2A-5D3B-4F6E-9A7C-2B1D0E3F4A5B/RESOURCEGROUPS/SEC/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/ACME-KV',
      callerIpAddress: '198.51.100.44',
      correlationId: '5d2a9c1e-0000-4000-8000-000000000011',
      identity: {
        claim: {
          'http://schemas.microsoft.com/identity/claims/objectidentifier':
            '3f1e2d3c-0000-4000-8000-000000000abc',
          upn: 'lena.fischer@acme.example',
          appid: '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
        },
      },
      properties: { id: 'https://acme-kv.vault.azure.net/secrets/db-password/1', clientInfo: 'azsdk-net' },
    });
    expect(row).toMatchObject({
      actor: 'lena.fischer@acme.example',
      actor_type: 'user',
      action: 'SecretGet',
    });
  });
});
