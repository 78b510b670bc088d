import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeRecords } from '../helpers/normalize-records.js';

/** Keys every format looks at, so random records reach deep into each projection. */
const KEYS = [
  'eventVersion',
  'eventID',
  'eventTime',
  'eventSource',
  'eventName',
  'userIdentity',
  'type',
  'arn',
  'sessionContext',
  'sessionIssuer',
  'responseElements',
  'ConsoleLogin',
  'additionalEventData',
  'MFAUsed',
  'requestParameters',
  'resources',
  'errorCode',
  'recipientAccountId',
  'awsRegion',
  'insertId',
  'timestamp',
  'logName',
  'protoPayload',
  '@type',
  'authenticationInfo',
  'principalEmail',
  'status',
  'code',
  'requestMetadata',
  'callerIp',
  'resource',
  'labels',
  'resourceName',
  'serviceName',
  'methodName',
  'time',
  'resourceId',
  'operationName',
  'category',
  'resultType',
  'callerIpAddress',
  'identity',
  'claims',
  'properties',
  'createdDateTime',
  'userPrincipalName',
  'id',
  'Type',
  'TimeGenerated',
  'activityDisplayName',
  'initiatedBy',
  'targetResources',
  'durationMs',
  'Level',
  'level',
  'authenticationRequirement',
  'ipAddress',
  'eventDataId',
  'CorrelationId',
  'InitiatedBy',
  'SubscriptionId',
];

const leaf = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    '2026-11-02T10:00:00Z',
    '1/2/2024 3:04:05 PM',
    'Success',
    'Failure',
    'AuditLogs',
    'SignInLogs',
    'AzureActivity',
    'type.googleapis.com/google.cloud.audit.AuditLog',
    'projects/p/logs/cloudaudit.googleapis.com%2Factivity',
    '{"nested": true}',
    '',
  ),
);

const record = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('object'), fc.array(tie('value'), { maxLength: 3 })),
  object: fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 12 }),
})).object;

describe('normalizers under fuzzing', () => {
  it("never fail on records mixing every format's keys with values of any type: each row is an event or a problem", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 40 }), async (records) => {
        const rows = await normalizeRecords(records);
        expect(rows).toHaveLength(records.length);
        for (const row of rows) {
          if (row.problem === null) {
            expect(row.event_id).toBeTruthy();
            expect(row.event_time).toBeTruthy();
          }
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
