import { describe, expect, it } from 'vitest';
import { eventColumns } from '../fixtures/azure/columns.js';
import { normalizeOne, normalizeRecords } from '../helpers/normalize-records.js';

const TENANT = '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d';
const WORKSPACE = '99999999-8888-4777-8666-555555555555';

const targets = [
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
];

/** A diagnostic-settings AuditLogs record initiated by a user. */
function audit(
  overrides: Record<string, unknown> = {},
  props: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    time: '2024-05-06T07:08:09.1234567Z',
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
      id: 'Directory_44440000-2222-4333-8444-555566667777_ABCDE_1001',
      category: 'RoleManagement',
      correlationId: '44440000-2222-4333-8444-555566667777',
      result: 'success',
      resultReason: '',
      activityDisplayName: 'Add member to role',
      activityDateTime: '2024-05-06T07:08:09.0012345+00:00',
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
      targetResources: targets,
      additionalDetails: [{ key: 'User-Agent', value: 'Mozilla/5.0 (Windows NT 10.0) Edge/124.0' }],
      ...props,
    },
    ...overrides,
  };
}

describe('entraAuditFormat', () => {
  it('maps a diagnostic-settings audit record initiated by a user', async () => {
    const row = await normalizeOne(audit());
    expect(eventColumns(row)).toEqual({
      event_id: 'Directory_44440000-2222-4333-8444-555566667777_ABCDE_1001',
      source: 'azure',
      format: 'entra_audit',
      problem: null,
      event_time: '2024-05-06T07:08:09.001234Z',
      account: TENANT,
      region: null,
      service: 'Microsoft.aadiam',
      action: 'Add member to role',
      log_type: 'AuditLogs',
      actor: 'alice@contoso.example',
      actor_type: 'user',
      actor_issuer: null,
      source_ip: '203.0.113.41',
      user_agent: 'Mozilla/5.0 (Windows NT 10.0) Edge/124.0',
      outcome: 'success',
      error_code: null,
      error_message: null,
      mfa: null,
      resources: ['bob@contoso.example', 'Global Administrator'],
      details: {
        correlation_id: '44440000-2222-4333-8444-555566667777',
        audit_category: 'RoleManagement',
        logged_by_service: 'Core Directory',
        operation_type: 'Assign',
        result: 'success',
        actor_id: '0b1c2d3e-0000-4000-8000-00000000a11c',
        target_ids: ['0b1c2d3e-0000-4000-8000-000000000b0b', '62e90394-69f5-4237-9190-012177145e10'],
        target_types: ['Role', 'User'],
      },
    });
    expect(row.raw).toEqual(audit());
  });

  it('maps a record initiated by an app to the app as a service actor', async () => {
    const row = await normalizeOne(
      audit(
        { operationName: 'Update service principal', identity: 'Managed Service Identity' },
        {
          activityDisplayName: 'Update service principal',
          category: 'ApplicationManagement',
          operationType: 'Update',
          userAgent: 'Microsoft Azure Graph Client Library 2.1.17',
          initiatedBy: {
            app: {
              appId: null,
              displayName: 'Managed Service Identity',
              servicePrincipalId: 'b9814691-0000-4000-8000-0000000000a5',
              servicePrincipalName: null,
            },
          },
          targetResources: [
            {
              id: 'a7d5dcbe-0000-4000-8000-000000000001',
              displayName: 'contoso-billing',
              type: 'ServicePrincipal',
            },
          ],
        },
      ),
    );
    expect(row).toMatchObject({
      problem: null,
      action: 'Update service principal',
      actor: 'Managed Service Identity',
      actor_type: 'service',
      source_ip: '203.0.113.40',
      user_agent: 'Microsoft Azure Graph Client Library 2.1.17',
      resources: ['contoso-billing'],
      details: { actor_id: 'b9814691-0000-4000-8000-0000000000a5', audit_category: 'ApplicationManagement' },
    });
  });

  it('maps a failure with its reason', async () => {
    const row = await normalizeOne(
      audit(
        {},
        {
          result: 'failure',
          resultReason: 'The directory object quota limit for the tenant has been exceeded.',
        },
      ),
    );
    expect(row).toMatchObject({
      outcome: 'failure',
      error_code: null,
      error_message: 'The directory object quota limit for the tenant has been exceeded.',
    });
  });

  it('maps a Log Analytics AuditLogs row with InitiatedBy and TargetResources as JSON text', async () => {
    const row = await normalizeOne({
      TenantId: WORKSPACE,
      SourceSystem: 'Azure AD',
      TimeGenerated: '2024-05-06T07:10:00.5Z',
      ResourceId: `/tenants/${TENANT}/providers/Microsoft.aadiam`,
      OperationName: 'Update application – Certificates and secrets management ',
      OperationVersion: '1.0',
      Category: 'ApplicationManagement',
      ResultSignature: 'None',
      CorrelationId: '55550000-2222-4333-8444-555566667777',
      Level: '4',
      AdditionalDetails: JSON.stringify([{ key: 'User-Agent', value: 'PowerShell/7.4' }]),
      Id: 'Directory_55550000-2222-4333-8444-555566667777_FGHIJ_2002',
      InitiatedBy: JSON.stringify({
        user: {
          id: '0b1c2d3e-0000-4000-8000-00000000a11c',
          displayName: null,
          userPrincipalName: 'alice@contoso.example',
          ipAddress: null,
        },
      }),
      LoggedByService: 'Core Directory',
      Result: 'success',
      ResultReason: '',
      TargetResources: JSON.stringify([
        { id: '11b49e19-0000-4000-8000-000000000a99', displayName: 'ContosoApp', type: 'Application' },
      ]),
      AADTenantId: TENANT,
      ActivityDisplayName: 'Update application – Certificates and secrets management ',
      ActivityDateTime: '2024-05-06T07:09:59.25Z',
      AADOperationType: 'Update',
      Type: 'AuditLogs',
    });
    expect(eventColumns(row)).toEqual({
      event_id: 'Directory_55550000-2222-4333-8444-555566667777_FGHIJ_2002',
      source: 'azure',
      format: 'entra_audit',
      problem: null,
      event_time: '2024-05-06T07:09:59.250000Z',
      account: TENANT,
      region: null,
      service: 'Microsoft.aadiam',
      action: 'Update application – Certificates and secrets management',
      log_type: 'AuditLogs',
      actor: 'alice@contoso.example',
      actor_type: 'user',
      actor_issuer: null,
      source_ip: null,
      user_agent: 'PowerShell/7.4',
      outcome: 'success',
      error_code: null,
      error_message: null,
      mfa: null,
      resources: ['ContosoApp'],
      details: {
        correlation_id: '55550000-2222-4333-8444-555566667777',
        audit_category: 'ApplicationManagement',
        logged_by_service: 'Core Directory',
        operation_type: 'Update',
        result: 'success',
        actor_id: '0b1c2d3e-0000-4000-8000-00000000a11c',
        target_ids: ['11b49e19-0000-4000-8000-000000000a99'],
        target_types: ['Application'],
      },
    });
  });

  it('recognizes LA audit rows whose Type a query overwrote, by their audit columns', async () => {
    const row = await normalizeOne({
      TimeGenerated: '2024-05-06T07:10:00Z',
      Id: 'Directory_66660000-2222-4333-8444-555566667777_KLMNO_3003',
      ActivityDisplayName: 'Add service principal',
      InitiatedBy: {
        app: {
          displayName: 'contoso-provisioner',
          servicePrincipalId: 'b9814691-0000-4000-8000-0000000000b6',
        },
      },
      Result: 'success',
      Type: 'ServicePrincipal',
    });
    expect(row).toMatchObject({
      format: 'entra_audit',
      problem: null,
      actor: 'contoso-provisioner',
      actor_type: 'service',
      resources: [],
    });
  });

  it('takes the audit time from `time` when activityDateTime is missing, in US style too', async () => {
    const row = await normalizeOne(audit({ time: '5/6/2024 7:08:09 AM' }, { activityDateTime: undefined }));
    expect(row.event_time).toBe('2024-05-06T07:08:09.000000Z');
  });

  it('reports audit records without id or time as problems', async () => {
    const [noId, noTime] = await normalizeRecords([
      audit({}, { id: null }),
      audit({ time: null }, { activityDateTime: 'n/a' }),
    ]);
    expect(noId).toMatchObject({ format: 'entra_audit', problem: 'record has no event id' });
    expect(noTime).toMatchObject({ format: 'entra_audit', problem: 'record has no parseable event time' });
  });
});
