import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** Where the labeled tests are, relative to the corpora directory. */
export const PANTHER_LABELED = join('panther', 'labeled.jsonl');

/** Log types of the labeled file and the cloud each belongs to. */
export const PANTHER_LOG_TYPES = {
  'AWS.CloudTrail': 'aws',
  'GCP.AuditLog': 'gcp',
  'Azure.MonitorActivity': 'azure',
  'Azure.Audit': 'azure',
} as const;
export type PantherLogType = keyof typeof PANTHER_LOG_TYPES;

const testSchema = z.object({
  source: z.enum(['aws', 'gcp', 'azure']),
  rule: z.string().min(1),
  expected: z.boolean(),
  name: z.string(),
  log_type: z.enum(Object.keys(PANTHER_LOG_TYPES) as [PantherLogType, ...PantherLogType[]]),
  mocks: z.unknown().optional(),
  event: z.record(z.string(), z.unknown()),
});

/** One labeled test of Panther's rule suite: a rule, an event and whether the rule must fire. */
export interface PantherTest {
  /** 1-based line in labeled.jsonl: the stable address of a test in messages and exclusions. */
  readonly line: number;
  readonly source: 'aws' | 'gcp' | 'azure';
  readonly rule: string;
  readonly expected: boolean;
  readonly name: string;
  readonly logType: PantherLogType;
  /** The test mocks a lookup or helper (enrichment, KV store), so its event alone may not decide it. */
  readonly mocked: boolean;
  readonly event: Readonly<Record<string, unknown>>;
}

/** Reads labeled.jsonl; a line that does not parse is an error (the corpus is fixed, so a bad line is a bad copy). */
export function readPantherTests(corporaDir: string): PantherTest[] {
  const text = readFileSync(join(corporaDir, PANTHER_LABELED), 'utf8');
  const tests: PantherTest[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const parsed = testSchema.safeParse(JSON.parse(line));
    if (!parsed.success) {
      throw new Error(`${PANTHER_LABELED}:${i + 1}: ${parsed.error.issues[0]?.message ?? 'invalid test'}`);
    }
    const t = parsed.data;
    tests.push({
      line: i + 1,
      source: t.source,
      rule: t.rule,
      expected: t.expected,
      name: t.name,
      logType: t.log_type,
      mocked: t.mocks !== undefined,
      event: t.event,
    });
  }
  return tests;
}

/**
 * Top-level CloudTrail keys in CloudTrail's own casing. Some Panther tests hold a data-lake row,
 * where every column name is lowercased (`eventname`, `useridentity`); CloudTrail is
 * case-sensitive JSON and so is our normalizer, so these names get their casing back.
 */
const CLOUDTRAIL_KEYS = [
  'eventVersion',
  'userIdentity',
  'eventTime',
  'eventSource',
  'eventName',
  'awsRegion',
  'sourceIPAddress',
  'userAgent',
  'errorCode',
  'errorMessage',
  'requestParameters',
  'responseElements',
  'additionalEventData',
  'requestID',
  'eventID',
  'readOnly',
  'resources',
  'eventType',
  'apiVersion',
  'managementEvent',
  'recipientAccountId',
  'serviceEventDetails',
  'sharedEventID',
  'vpcEndpointId',
  'vpcEndpointAccountId',
  'eventCategory',
  'tlsDetails',
  'sessionCredentialFromConsole',
];
const USER_IDENTITY_KEYS = [
  'type',
  'principalId',
  'arn',
  'accountId',
  'accessKeyId',
  'userName',
  'sessionContext',
  'invokedBy',
  'identityProvider',
  'credentialId',
  'onBehalfOf',
];
const GCP_KEYS = [
  'insertId',
  'logName',
  'protoPayload',
  'receiveTimestamp',
  'resource',
  'severity',
  'timestamp',
  'operation',
  'labels',
];
const GCP_PAYLOAD_KEYS = [
  'authenticationInfo',
  'authorizationInfo',
  'methodName',
  'requestMetadata',
  'resourceName',
  'serviceName',
  'request',
  'response',
  'status',
  'metadata',
  'resourceLocation',
  'serviceData',
  'numResponseItems',
];

const GCP_AUDIT_LOG_TYPE = 'type.googleapis.com/google.cloud.audit.AuditLog';

/** Panther's stand-in time for tests whose event carries none (p_event_time included). */
export const DEFAULT_EVENT_TIME = '2024-01-01T00:00:00Z';

/** What was changed in an event before ingest, one phrase per change (shown in the report). */
export type Adaptation =
  | 'key casing restored'
  | '@type restored'
  | '@type added'
  | 'eventVersion added'
  | 'event id added'
  | 'event id made unique'
  | 'event time from p_event_time'
  | 'event time added';

export interface AdaptedEvent {
  readonly record: Record<string, unknown>;
  readonly adaptations: readonly Adaptation[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Renames lowercased keys to their canonical casing; returns whether any was renamed. */
function restoreCasing(object: Record<string, unknown>, canonical: readonly string[]): boolean {
  let changed = false;
  for (const name of canonical) {
    const lower = name.toLowerCase();
    if (lower !== name && !(name in object) && lower in object) {
      object[name] = object[lower];
      delete object[lower];
      changed = true;
    }
  }
  return changed;
}

/** Panther's `p_event_time` ('2023-03-08 18:52:52.114', UTC) as ISO-8601, or null. */
export function pantherTime(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const iso = /^\d{4}-\d{2}-\d{2} /.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  return Number.isNaN(Date.parse(iso)) ? null : new Date(iso).toISOString();
}

/**
 * The minimal changes that make a Panther test event a native record our normalizers accept,
 * without changing what it says (docs/conformance.md lists them):
 * - data-lake rows with lowercased column names get CloudTrail's / Cloud Logging's casing back,
 *   and a data-lake eventTime ('2023-01-10 21:04:02') its ISO form;
 * - GCP `protoPayload.at_sign_type` (Panther's rename of `@type`) becomes `@type` again; a GCP
 *   test with neither `@type` nor an audit logName gets the AuditLog `@type` (its log type,
 *   GCP.AuditLog, says what it is); a CloudTrail test with neither eventVersion nor eventSource
 *   gets eventVersion;
 * - ids: tests reuse placeholders ('1' in 101 AWS tests) and the replay ingests all tests in one
 *   batch, so an id becomes `<id>~panther-<line>`, and a missing one `panther-<line>` (Entra
 *   audit records are keyed by properties.id);
 * - a missing or unparseable time ('redacted') becomes p_event_time, else a fixed time: the
 *   rules under test do not read it, and each test is judged alone.
 * Everything else, Panther's `p_*` fields included, is left as it is (it survives in `raw`).
 */
export function adaptPantherEvent(test: Pick<PantherTest, 'line' | 'logType' | 'event'>): AdaptedEvent {
  const record = structuredClone(test.event) as Record<string, unknown>;
  const adaptations: Adaptation[] = [];
  const source = PANTHER_LOG_TYPES[test.logType];
  const setTime = (key: string, fallbackKeys: readonly string[]): void => {
    // 'redacted' or '...' in a test is no time either.
    if (pantherTime(record[key]) !== null) return;
    for (const k of fallbackKeys) {
      const t = pantherTime(record[k]);
      if (t) {
        record[key] = t;
        adaptations.push('event time from p_event_time');
        return;
      }
    }
    record[key] = DEFAULT_EVENT_TIME;
    adaptations.push('event time added');
  };
  const setId = (holder: Record<string, unknown>, key: string): void => {
    const id = holder[key];
    if ((typeof id === 'string' && id !== '') || typeof id === 'number') {
      // Tests reuse placeholder ids ('1' in 101 AWS tests); the replay ingests every test in one
      // batch, where the writer's dedupe by id would merge them. The original stays in front.
      holder[key] = `${String(id)}~panther-${test.line}`;
      adaptations.push('event id made unique');
      return;
    }
    holder[key] = `panther-${test.line}`;
    adaptations.push('event id added');
  };
  if (source === 'aws') {
    let cased = restoreCasing(record, CLOUDTRAIL_KEYS);
    if (isObject(record.userIdentity))
      cased = restoreCasing(record.userIdentity, USER_IDENTITY_KEYS) || cased;
    if (cased) adaptations.push('key casing restored');
    // A data-lake row writes eventTime as '2023-01-10 21:04:02'; CloudTrail writes ISO-8601 UTC.
    const asIso = pantherTime(record.eventTime);
    if (asIso && typeof record.eventTime === 'string' && !record.eventTime.includes('T')) {
      record.eventTime = asIso;
    }
    // Every CloudTrail record has eventVersion (our classifier looks for it or eventSource);
    // tests that keep only what the rule reads may have neither.
    if (!('eventVersion' in record) && !('eventSource' in record)) {
      record.eventVersion = '1.08';
      adaptations.push('eventVersion added');
    }
    setId(record, 'eventID');
    setTime('eventTime', ['p_event_time']);
  } else if (source === 'gcp') {
    let cased = restoreCasing(record, GCP_KEYS);
    const payload = record.protoPayload;
    if (isObject(payload)) {
      cased = restoreCasing(payload, GCP_PAYLOAD_KEYS) || cased;
      if (!('@type' in payload) && 'at_sign_type' in payload) {
        payload['@type'] = payload.at_sign_type;
        delete payload.at_sign_type;
        adaptations.push('@type restored');
      } else if (
        !('@type' in payload) &&
        !String(record.logName ?? '').includes('cloudaudit.googleapis.com')
      ) {
        // Panther's log type GCP.AuditLog says what the record is; the test just left out the
        // two fields (logName, @type) a raw Cloud Logging entry carries to say so.
        payload['@type'] = GCP_AUDIT_LOG_TYPE;
        adaptations.push('@type added');
      }
    }
    if (cased) adaptations.push('key casing restored');
    setId(record, 'insertId');
    setTime('timestamp', ['p_event_time', 'receiveTimestamp']);
  } else {
    // Azure's normalizers read keys case-insensitively (exporters change case), so only the
    // time needs a value. Activity records need no id (a content hash stands in); Entra
    // sign-in and audit records are keyed by properties.id, which the tests leave out.
    setTime('time', ['p_event_time']);
    if (test.logType === 'Azure.Audit' && isObject(record.properties)) setId(record.properties, 'id');
  }
  return { record, adaptations };
}
