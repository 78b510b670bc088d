import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeOne, normalizeRecords } from '../helpers/normalize-records.js';

// biome-ignore lint/suspicious/noExplicitAny: variations edit fixture entries at any depth
type Entry = Record<string, any>;

function fixture(name: string): Entry {
  return JSON.parse(readFileSync(new URL(`../fixtures/gcp/${name}.json`, import.meta.url), 'utf8'));
}

/** A fixture with changes applied to a deep copy, for one-field variations. */
function variant(name: string, change: (entry: Entry) => void): Entry {
  const entry = structuredClone(fixture(name));
  change(entry);
  return entry;
}

describe('gcpAuditFormat', () => {
  it('maps an admin activity entry and keeps the record untouched in raw', async () => {
    const entry = fixture('activity-instance-insert');
    const row = await normalizeOne(entry);
    expect(row).toMatchObject({
      source: 'gcp',
      format: 'gcp_audit',
      problem: null,
      event_id: '1x7k2pe3f9a0b',
      // nanoseconds are truncated to DuckDB's microseconds
      event_time: '2024-05-14T09:21:07.123456Z',
      account: 'acme-prod-1',
      region: 'us-central1-a',
      service: 'compute.googleapis.com',
      action: 'v1.compute.instances.insert',
      log_type: 'activity',
      actor: 'alice@example.com',
      actor_type: 'user',
      actor_issuer: null,
      source_ip: '203.0.113.10',
      user_agent: 'google-cloud-sdk gcloud/475.0.0 command/gcloud.compute.instances.create',
      outcome: 'success',
      error_code: null,
      error_message: null,
      mfa: null,
    });
    expect(row.resources).toEqual([
      'projects/acme-prod-1/zones/us-central1-a/instances/web-1',
      'projects/acme-prod-1/regions/us-central1/subnetworks/default',
      'projects/acme-prod-1/zones/us-central1-a/disks/web-1',
    ]);
    expect(row.details).toEqual({
      resource_type: 'gce_instance',
      severity: 'NOTICE',
      authorization_granted: true,
      operation: { id: 'operation-1715678467000-61862d5f0a1b2-3c4d5e6f-7a8b9c0d', first: true },
    });
    expect(row.raw).toEqual(entry);
  });

  it('maps a data access entry with an IPv6 caller', async () => {
    const row = await normalizeOne(fixture('data-access-object-get'));
    expect(row).toMatchObject({
      problem: null,
      event_id: '9fk3ma1c2d7',
      event_time: '2024-05-14T10:02:44.496811Z',
      account: 'acme-prod-1',
      region: 'us-east1',
      service: 'storage.googleapis.com',
      action: 'storage.objects.get',
      log_type: 'data_access',
      actor: 'bob@example.com',
      actor_type: 'user',
      source_ip: '2001:db8::15',
      user_agent: 'apitools Python/3.11.8 gsutil/5.27,gzip(gfe)',
      outcome: 'success',
      error_code: null,
    });
    expect(row.resources).toEqual(['projects/_/buckets/acme-reports/objects/2024/q1.csv']);
    expect(row.details).toEqual({
      resource_type: 'gcs_bucket',
      severity: 'INFO',
      authorization_granted: true,
    });
  });

  it('maps a VPC Service Controls denial in the policy log to a PERMISSION_DENIED failure', async () => {
    const row = await normalizeOne(fixture('policy-denied-vpc-sc'));
    expect(row).toMatchObject({
      problem: null,
      event_id: 'c0ffee42ab1',
      event_time: '2024-05-14T11:15:30.412000Z',
      account: 'acme-prod-1',
      region: null,
      service: 'storage.googleapis.com',
      action: 'google.storage.objects.list',
      log_type: 'policy',
      actor: 'carol@example.com',
      actor_type: 'user',
      source_ip: '198.51.100.7',
      user_agent: null,
      outcome: 'failure',
      error_code: 'PERMISSION_DENIED',
      error_message:
        "Request is prohibited by organization's policy. vpcServiceControlsUniqueIdentifier: uJeF8Xk2QhTmbZ0",
    });
    expect(row.resources).toEqual(['projects/123456789012', 'projects/_/buckets/acme-restricted']);
    expect(row.details).toEqual({
      resource_type: 'audited_resource',
      severity: 'ERROR',
      policy_violation: 'NO_MATCHING_ACCESS_LEVEL',
    });
  });

  it('maps a system event without a principal to Google as a service, its message not an error', async () => {
    const row = await normalizeOne(fixture('system-event-host-maintenance'));
    expect(row).toMatchObject({
      problem: null,
      event_id: '-8d2kq7e4b1c',
      event_time: '2024-05-14T13:20:00.000000Z',
      account: 'acme-prod-1',
      region: 'europe-west1-b',
      service: 'compute.googleapis.com',
      action: 'compute.instances.migrateOnHostMaintenance',
      log_type: 'system_event',
      actor: null,
      actor_type: 'service',
      actor_issuer: null,
      source_ip: null,
      user_agent: null,
      outcome: 'success',
      error_code: null,
      error_message: null,
    });
    expect(row.resources).toEqual(['projects/acme-prod-1/zones/europe-west1-b/instances/db-2']);
    expect(row.details).toEqual({
      resource_type: 'gce_instance',
      severity: 'INFO',
      operation: { id: 'systemevent-1715692800000-61863a1b2c3d4-5e6f7a8b-9c0d1e2f', first: true, last: true },
    });
  });

  it('maps a service account actor and records its key in details', async () => {
    const row = await normalizeOne(fixture('activity-sa-key-bucket-create'));
    expect(row).toMatchObject({
      problem: null,
      event_id: '1b7vtd4e8k2m',
      account: 'acme-prod-1',
      region: 'eu',
      action: 'storage.buckets.create',
      actor: 'deploy@acme-prod-1.iam.gserviceaccount.com',
      actor_type: 'service',
      actor_issuer: null,
      source_ip: '192.0.2.25',
      outcome: 'success',
    });
    expect(row.resources).toEqual(['projects/_/buckets/acme-artifacts']);
    expect(row.details).toEqual({
      resource_type: 'gcs_bucket',
      severity: 'NOTICE',
      authorization_granted: true,
      sa_key:
        '//iam.googleapis.com/projects/acme-prod-1/serviceAccounts/deploy@acme-prod-1.iam.gserviceaccount.com/keys/0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6',
    });
  });

  it('names the impersonating user as issuer of a delegated service account call', async () => {
    const row = await normalizeOne(fixture('activity-impersonated-delete'));
    expect(row).toMatchObject({
      problem: null,
      event_id: '-5sj0r1e2qw8',
      action: 'v1.compute.instances.delete',
      actor: 'terraform@acme-prod-1.iam.gserviceaccount.com',
      actor_type: 'service',
      actor_issuer: 'dave@example.com',
      source_ip: '203.0.113.77',
      // no status: the operation was accepted
      outcome: 'success',
    });
  });

  it('uses the delegation chain when the entry names no principal of its own', async () => {
    const row = await normalizeOne(
      variant('activity-impersonated-delete', (e) => {
        e.protoPayload.authenticationInfo = {
          serviceAccountDelegationInfo: [
            { firstPartyPrincipal: { principalEmail: 'dave@example.com' } },
            { principalSubject: 'serviceAccount:relay@acme-prod-1.iam.gserviceaccount.com' },
          ],
        };
      }),
    );
    expect(row.actor).toBe('relay@acme-prod-1.iam.gserviceaccount.com');
    expect(row.actor_type).toBe('service');
    expect(row.actor_issuer).toBe('dave@example.com');
  });

  it('maps a GKE pod create with cluster, namespace, resource and name', async () => {
    const row = await normalizeOne(fixture('gke-pod-create'));
    expect(row).toMatchObject({
      problem: null,
      event_id: '6b1d3e5f-0a2c-4e6b-8d0f-1a3c5e7a9b2d',
      event_time: '2024-05-14T15:05:03.845112Z',
      account: 'acme-prod-1',
      region: 'europe-west1',
      service: 'k8s.io',
      action: 'io.k8s.core.v1.pods.create',
      log_type: 'activity',
      actor: 'erin@example.com',
      actor_type: 'user',
      source_ip: '192.0.2.44',
      user_agent: 'kubectl/v1.30.1 (linux/amd64) kubernetes/a1b2c3d',
      outcome: 'success',
      error_code: null,
    });
    expect(row.resources).toEqual(['core/v1/namespaces/prod/pods/web-1']);
    expect(row.details).toEqual({
      resource_type: 'k8s_cluster',
      authorization_granted: true,
      operation: { id: '6b1d3e5f-0a2c-4e6b-8d0f-1a3c5e7a9b2d', first: true, last: true },
      k8s_cluster: 'acme-gke-1',
      k8s_namespace: 'prod',
      k8s_resource: 'pods',
      k8s_name: 'web-1',
      k8s_decision: 'allow',
    });
  });

  it('maps a GKE exec into a pod by a Kubernetes service account, with the subresource', async () => {
    const row = await normalizeOne(fixture('gke-pod-exec'));
    expect(row).toMatchObject({
      problem: null,
      action: 'io.k8s.core.v1.pods.exec.create',
      actor: 'system:serviceaccount:ci:deployer',
      actor_type: 'service',
      source_ip: '10.128.0.9',
      outcome: 'success',
    });
    expect(row.resources).toEqual(['core/v1/namespaces/prod/pods/web-1/exec']);
    expect(row.details).toEqual({
      resource_type: 'k8s_cluster',
      authorization_granted: true,
      k8s_cluster: 'acme-gke-1',
      k8s_namespace: 'prod',
      k8s_resource: 'pods',
      k8s_name: 'web-1',
      k8s_subresource: 'exec',
      k8s_decision: 'allow',
    });
  });

  it('maps a forbidden system:anonymous request to an anonymous failure', async () => {
    const row = await normalizeOne(fixture('gke-anonymous-secrets-list'));
    expect(row).toMatchObject({
      problem: null,
      log_type: 'data_access',
      action: 'io.k8s.core.v1.secrets.list',
      actor: 'system:anonymous',
      actor_type: 'anonymous',
      source_ip: '203.0.113.99',
      outcome: 'failure',
      error_code: 'PERMISSION_DENIED',
      error_message: 'Forbidden',
    });
    expect(row.resources).toEqual(['core/v1/secrets']);
    expect(row.details).toEqual({
      resource_type: 'k8s_cluster',
      authorization_granted: false,
      permissions_denied: ['io.k8s.core.v1.secrets.list'],
      k8s_cluster: 'acme-gke-1',
      k8s_resource: 'secrets',
      k8s_decision: 'forbid',
    });
  });

  it('reads GKE non-resource paths and namespace objects without inventing a resource', async () => {
    const rows = await normalizeRecords(
      ['readyz', 'api/v1', 'core/v1/namespaces/staging', 'core/v1/namespaces/prod/pods'].map((path) =>
        variant('gke-pod-create', (e) => {
          e.protoPayload.resourceName = path;
          e.protoPayload.authorizationInfo = [];
        }),
      ),
    );
    const k8s = rows.map(({ details }) => ({
      ns: details?.k8s_namespace,
      resource: details?.k8s_resource,
      name: details?.k8s_name,
    }));
    expect(k8s).toEqual([
      { ns: undefined, resource: undefined, name: undefined },
      { ns: undefined, resource: undefined, name: undefined },
      { ns: 'staging', resource: 'namespaces', name: 'staging' },
      { ns: 'prod', resource: 'pods', name: undefined },
    ]);
  });

  it('classifies actors', async () => {
    const principals: Array<[Entry, string | null, string | null]> = [
      [{ principalEmail: 'system:unauthenticated' }, 'system:unauthenticated', 'anonymous'],
      [{ principalEmail: 'system:kube-scheduler' }, 'system:kube-scheduler', 'service'],
      [{ principalEmail: 'system@google.com' }, 'system@google.com', 'service'],
      [
        { principalEmail: 'service-123@container-engine-robot.iam.gserviceaccount.com' },
        'service-123@container-engine-robot.iam.gserviceaccount.com',
        'service',
      ],
      [
        {
          principalSubject:
            'principal://iam.googleapis.com/locations/global/workforcePools/acme-pool/subject/frank',
        },
        'principal://iam.googleapis.com/locations/global/workforcePools/acme-pool/subject/frank',
        'federated',
      ],
      [
        { principalEmail: 'acme-prod-1.svc.id.goog[prod/web]' },
        'acme-prod-1.svc.id.goog[prod/web]',
        'federated',
      ],
      [{ principalSubject: 'user:grace@example.com' }, 'grace@example.com', 'user'],
      // a request (it has a caller) with no principal
      [{}, null, 'anonymous'],
    ];
    const rows = await normalizeRecords(
      principals.map(([info]) =>
        variant('data-access-object-get', (e) => {
          e.protoPayload.authenticationInfo = info;
        }),
      ),
    );
    expect(rows.map((r) => [r.actor, r.actor_type])).toEqual(
      principals.map(([, actor, type]) => [actor, type]),
    );
  });

  it('leaves actor_type NULL when there is neither a principal nor a caller', async () => {
    const row = await normalizeOne(
      variant('activity-instance-insert', (e) => {
        e.protoPayload.authenticationInfo = {};
        delete e.protoPayload.requestMetadata;
      }),
    );
    expect([row.actor, row.actor_type, row.source_ip]).toEqual([null, null, null]);
  });

  it('keeps the internal caller markers Cloud Logging writes instead of an address', async () => {
    const rows = await normalizeRecords(
      ['private', 'gce-internal-ip'].map((ip) =>
        variant('data-access-object-get', (e) => {
          e.protoPayload.requestMetadata.callerIp = ip;
        }),
      ),
    );
    expect(rows.map((r) => r.source_ip)).toEqual(['private', 'gce-internal-ip']);
  });

  it('reads the kind of audit log from logName, encoded or not', async () => {
    const names = [
      'projects/acme-prod-1/logs/cloudaudit.googleapis.com%2Factivity',
      'projects/acme-prod-1/logs/cloudaudit.googleapis.com%2Fdata_access',
      'projects/acme-prod-1/logs/cloudaudit.googleapis.com%2Fsystem_event',
      'projects/acme-prod-1/logs/cloudaudit.googleapis.com%2Fpolicy',
      'projects/acme-prod-1/logs/cloudaudit.googleapis.com%2factivity',
      'projects/acme-prod-1/logs/cloudaudit.googleapis.com/data_access',
    ];
    const rows = await normalizeRecords(
      names.map((logName) =>
        variant('data-access-object-get', (e) => {
          e.logName = logName;
        }),
      ),
    );
    expect(rows.map((r) => r.log_type)).toEqual([
      'activity',
      'data_access',
      'system_event',
      'policy',
      'activity',
      'data_access',
    ]);
  });

  it('takes the account from logName when the resource has no project', async () => {
    const org = await normalizeOne(fixture('org-set-iam-policy'));
    expect(org).toMatchObject({
      problem: null,
      event_id: '-q2w3e4r5t6y',
      account: 'organizations/123456789012',
      region: null,
      service: 'cloudresourcemanager.googleapis.com',
      action: 'SetIamPolicy',
      log_type: 'activity',
      actor: 'admin@example.com',
      actor_type: 'user',
      source_ip: '198.51.100.20',
      outcome: 'success',
    });
    expect(org.resources).toEqual(['organizations/123456789012']);
    expect(org.details).toEqual({
      resource_type: 'organization',
      severity: 'NOTICE',
      authorization_granted: true,
    });

    const parents = [
      'projects/acme-prod-1/logs/cloudaudit.googleapis.com%2Factivity',
      'folders/445566778899/logs/cloudaudit.googleapis.com%2Factivity',
      'billingAccounts/01A2B3-C4D5E6-F7A8B9/logs/cloudaudit.googleapis.com%2Factivity',
    ];
    const rows = await normalizeRecords(
      parents.map((logName) =>
        variant('org-set-iam-policy', (e) => {
          e.logName = logName;
        }),
      ),
    );
    expect(rows.map((r) => r.account)).toEqual([
      'acme-prod-1',
      'folders/445566778899',
      'billingAccounts/01A2B3-C4D5E6-F7A8B9',
    ]);
  });

  it('names every canonical status code and keeps unknown ones as numbers', async () => {
    const codes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 403];
    const rows = await normalizeRecords(
      codes.map((code) =>
        variant('data-access-object-get', (e) => {
          e.protoPayload.status = { code, message: `status ${code}` };
        }),
      ),
    );
    expect(rows.map((r) => [r.outcome, r.error_code, r.error_message])).toEqual([
      ['success', null, null],
      ['failure', 'CANCELLED', 'status 1'],
      ['failure', 'UNKNOWN', 'status 2'],
      ['failure', 'INVALID_ARGUMENT', 'status 3'],
      ['failure', 'DEADLINE_EXCEEDED', 'status 4'],
      ['failure', 'NOT_FOUND', 'status 5'],
      ['failure', 'ALREADY_EXISTS', 'status 6'],
      ['failure', 'PERMISSION_DENIED', 'status 7'],
      ['failure', 'RESOURCE_EXHAUSTED', 'status 8'],
      ['failure', 'FAILED_PRECONDITION', 'status 9'],
      ['failure', 'ABORTED', 'status 10'],
      ['failure', 'OUT_OF_RANGE', 'status 11'],
      ['failure', 'UNIMPLEMENTED', 'status 12'],
      ['failure', 'INTERNAL', 'status 13'],
      ['failure', 'UNAVAILABLE', 'status 14'],
      ['failure', 'DATA_LOSS', 'status 15'],
      ['failure', 'UNAUTHENTICATED', 'status 16'],
      ['failure', '403', 'status 403'],
    ]);
  });

  it('reads timestamps with offsets, without a zone as UTC, and falls back to receiveTimestamp only when absent', async () => {
    const times: Array<string | undefined> = [
      '2024-05-14T11:21:07.5+02:00',
      '2024-05-14 09:21:07.5',
      undefined,
    ];
    const rows = await normalizeRecords(
      times.map((timestamp) =>
        variant('activity-instance-insert', (e) => {
          if (timestamp === undefined) delete e.timestamp;
          else e.timestamp = timestamp;
        }),
      ),
    );
    expect(rows.map((r) => [r.event_time, r.problem])).toEqual([
      ['2024-05-14T09:21:07.500000Z', null],
      ['2024-05-14T09:21:07.500000Z', null],
      ['2024-05-14T09:21:08.017394Z', null],
    ]);
  });

  it('routes an entry without insertId or with a bad timestamp to problems, never a SQL error', async () => {
    const rows = await normalizeRecords([
      variant('activity-instance-insert', (e) => {
        delete e.insertId;
      }),
      variant('activity-instance-insert', (e) => {
        e.insertId = '';
      }),
      variant('activity-instance-insert', (e) => {
        e.timestamp = 'yesterday at noon';
      }),
      variant('activity-instance-insert', (e) => {
        e.timestamp = '2024-13-45T25:61:00Z';
      }),
      variant('activity-instance-insert', (e) => {
        e.timestamp = '2024-05-14';
      }),
      variant('activity-instance-insert', (e) => {
        e.timestamp = { seconds: 1715678467, nanos: 0 };
      }),
    ]);
    expect(rows.map((r) => [r.format, r.problem])).toEqual([
      ['gcp_audit', 'record has no event id'],
      ['gcp_audit', 'record has no event id'],
      ['gcp_audit', 'record has no parseable event time'],
      ['gcp_audit', 'record has no parseable event time'],
      ['gcp_audit', 'record has no parseable event time'],
      ['gcp_audit', 'record has no parseable event time'],
    ]);
  });

  it('survives fields of unexpected types', async () => {
    const row = await normalizeOne(
      variant('activity-instance-insert', (e) => {
        e.protoPayload.status = { code: 'seven', message: 42 };
        e.protoPayload.authorizationInfo = 'none';
        e.protoPayload.authenticationInfo = ['alice@example.com'];
        e.resource = 'gce_instance';
      }),
    );
    expect(row).toMatchObject({
      problem: null,
      event_id: '1x7k2pe3f9a0b',
      account: 'acme-prod-1',
      actor: null,
      outcome: 'success',
    });
    expect(row.resources).toEqual(['projects/acme-prod-1/zones/us-central1-a/instances/web-1']);
  });

  it('matches audit entries by payload type or by log name, and nothing else', async () => {
    const byType = variant('data-access-object-get', (e) => {
      delete e.logName;
    });
    const byLogName = variant('data-access-object-get', (e) => {
      delete e.protoPayload['@type'];
    });
    const syslog = {
      insertId: 'abc123',
      logName: 'projects/acme-prod-1/logs/syslog',
      textPayload: 'kernel: eth0 link up',
      timestamp: '2024-05-14T10:00:00Z',
    };
    const cloudTrail = {
      eventVersion: '1.09',
      eventID: '3f1a2b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b',
      eventTime: '2024-05-14T10:00:00Z',
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateUser',
      awsRegion: 'us-east-1',
    };
    const azure = {
      time: '2024-05-14T10:00:00Z',
      resourceId: '/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000',
      operationName: 'MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE',
      category: 'Administrative',
      correlationId: '11111111-2222-3333-4444-555555555555',
    };
    const rows = await normalizeRecords([byType, byLogName, syslog, cloudTrail, azure]);
    expect(rows.map((r) => r.format === 'gcp_audit')).toEqual([true, true, false, false, false]);
    expect(rows[0]?.log_type).toBeNull();
    expect(rows[1]?.log_type).toBe('data_access');
  });
});
