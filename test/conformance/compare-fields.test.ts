import { describe, expect, it } from 'vitest';
import {
  actorAgrees,
  arnLastSegment,
  type CorpusRules,
  compareFields,
  type ElasticDoc,
  elasticIdentities,
  elasticRejected,
  formatMicros,
  getPath,
  type OurFields,
  parseInstant,
  sameInstant,
  textValues,
} from '../../src/conformance/compare-fields.js';

const AWS: CorpusRules = {
  caseInsensitive: false,
  accountFields: ['cloud.account.id'],
  identityFields: ['user.name', 'user.id', 'user.email', 'aws.cloudtrail.user_identity.arn'],
};
const AZURE: CorpusRules = {
  caseInsensitive: true,
  accountFields: ['azure.tenant_id'],
  identityFields: ['user.name', 'user.id', 'user.email'],
};

const T0 = Date.UTC(2024, 0, 2, 3, 4, 5) * 1000;

function ours(fields: Partial<OurFields> = {}): OurFields {
  return {
    action: 'CreateUser',
    outcome: 'success',
    source_ip: '192.0.2.1',
    actor: 'arn:aws:iam::111122223333:user/alice',
    account: '111122223333',
    region: 'eu-west-1',
    event_time_us: T0 + 123_456,
    ...fields,
  };
}

const awsDoc = {
  '@timestamp': '2024-01-02T03:04:05.123Z',
  event: { action: 'CreateUser', outcome: 'success' },
  source: { ip: '192.0.2.1' },
  user: { name: 'alice', id: 'AIDAEXAMPLE' },
  cloud: { account: { id: '111122223333' }, region: 'eu-west-1' },
};

function statusOf(rules: CorpusRules, fields: OurFields, doc: ElasticDoc) {
  return Object.fromEntries(compareFields(rules, fields, doc).map((v) => [v.field, v.status]));
}

describe('getPath and textValues', () => {
  it('reads nested objects and dotted keys alike', () => {
    expect(getPath({ cloud: { account: { id: '1' } } }, 'cloud.account.id')).toBe('1');
    expect(getPath({ 'cloud.account.id': '2' }, 'cloud.account.id')).toBe('2');
    expect(getPath({ cloud: { 'account.id': '3' } }, 'cloud.account.id')).toBe('3');
    expect(getPath({ cloud: {} }, 'cloud.account.id')).toBeUndefined();
  });

  it('treats empty strings and null as absent and reads arrays and numbers as text', () => {
    expect(textValues({ a: '' }, 'a')).toEqual([]);
    expect(textValues({ a: null }, 'a')).toEqual([]);
    expect(textValues({ a: ['x', '', 'y'] }, 'a')).toEqual(['x', 'y']);
    expect(textValues({ a: 42 }, 'a')).toEqual(['42']);
  });
});

describe('instants', () => {
  it('parses zones, offsets and fractions to microseconds', () => {
    expect(parseInstant('2024-01-02T03:04:05Z')).toEqual({ us: T0, digits: 0 });
    expect(parseInstant('2024-01-02T03:04:05.5Z')).toEqual({ us: T0 + 500_000, digits: 1 });
    expect(parseInstant('2024-01-02T04:04:05.1234567+01:00')).toEqual({ us: T0 + 123_456, digits: 6 });
    // No zone: UTC, never the machine's local time.
    expect(parseInstant('2024-01-02T03:04:05.000')).toEqual({ us: T0, digits: 3 });
    expect(parseInstant('yesterday')).toBeNull();
  });

  it('compares at the precision Elastic wrote, truncating as Elastic does', () => {
    const elastic = parseInstant('2024-01-02T03:04:05.123Z');
    if (!elastic) throw new Error('unparsed');
    expect(sameInstant(T0 + 123_999, elastic)).toBe(true);
    expect(sameInstant(T0 + 124_000, elastic)).toBe(false);
    expect(sameInstant(T0 + 122_999, elastic)).toBe(false);
  });

  it('formats microseconds for messages', () => {
    expect(formatMicros(T0 + 123_456)).toBe('2024-01-02T03:04:05.123456Z');
  });
});

describe('actor rule', () => {
  it('takes the last segment of an ARN resource', () => {
    expect(arnLastSegment('arn:aws:sts::1:assumed-role/Admin/jane')).toBe('jane');
    expect(arnLastSegment('arn:aws:iam::1:user/division/bob')).toBe('bob');
    expect(arnLastSegment('arn:aws:iam::1:root')).toBe('root');
    expect(arnLastSegment('jane@example.com')).toBeNull();
  });

  it('agrees with any identity, with the ARN last segment, and with emails in any case', () => {
    expect(actorAgrees('arn:aws:iam::1:user/alice', ['AIDA1', 'arn:aws:iam::1:user/alice'], null, AWS)).toBe(
      true,
    );
    expect(actorAgrees('arn:aws:sts::1:assumed-role/Admin/jane', ['Admin'], 'jane', AWS)).toBe(true);
    expect(actorAgrees('arn:aws:sts::1:assumed-role/Admin/jane', ['Admin'], 'Admin', AWS)).toBe(false);
    expect(actorAgrees('Jane@Example.com', ['jane@example.com'], null, AWS)).toBe(true);
    expect(actorAgrees('Alice', ['alice'], null, AWS)).toBe(false);
    expect(actorAgrees('Alice', ['alice'], null, AZURE)).toBe(true);
  });

  it('rebuilds a UPN Elastic split into user.name and user.domain', () => {
    const doc = { user: { name: 'jane', domain: 'contoso.com', id: 'guid-1' } };
    expect(elasticIdentities(AZURE, doc)).toEqual(['jane', 'guid-1', 'jane@contoso.com']);
    const v = compareFields(AZURE, ours({ actor: 'JANE@contoso.com' }), doc).find((x) => x.field === 'actor');
    expect(v?.status).toBe('agree');
  });
});

describe('compareFields', () => {
  it('agrees field by field on a matching event', () => {
    expect(statusOf(AWS, ours(), awsDoc)).toEqual({
      action: 'agree',
      outcome: 'agree',
      source_ip: 'agree',
      actor: 'agree',
      account: 'agree',
      region: 'agree',
      event_time: 'agree',
    });
  });

  it('does not compare what Elastic leaves empty', () => {
    const doc = {
      '@timestamp': '2024-01-02T03:04:05.123Z',
      event: { action: 'CreateUser' },
      source: { ip: '' },
    };
    const s = statusOf(AWS, ours({ source_ip: null }), doc);
    expect(s.source_ip).toBe('not-compared');
    expect(s.actor).toBe('not-compared');
    expect(s.region).toBe('not-compared');
    expect(s.outcome).toBe('not-compared');
  });

  it('counts a value only Elastic has as a disagreement', () => {
    const s = statusOf(AWS, ours({ source_ip: null, region: null, actor: null }), awsDoc);
    expect(s.source_ip).toBe('disagree');
    expect(s.region).toBe('disagree');
    expect(s.actor).toBe('disagree');
  });

  it('reports both values of a disagreement', () => {
    const v = compareFields(AWS, ours({ outcome: 'unknown' }), awsDoc).find((x) => x.field === 'outcome');
    expect(v).toEqual({ field: 'outcome', status: 'disagree', ours: 'unknown', elastic: 'success' });
  });

  it('is case-sensitive for AWS and case-insensitive for Azure names and ids', () => {
    const doc = {
      event: { action: 'MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE' },
      azure: { tenant_id: 'AB-CD' },
    };
    const azure = statusOf(
      AZURE,
      ours({ action: 'Microsoft.Compute/virtualMachines/write', account: 'ab-cd' }),
      doc,
    );
    expect(azure.action).toBe('agree');
    expect(azure.account).toBe('agree');
    expect(statusOf(AWS, ours({ action: 'createuser' }), awsDoc).action).toBe('disagree');
  });

  it('agrees on account with any of the corpus account fields', () => {
    const rules: CorpusRules = { ...AWS, accountFields: ['cloud.account.id', 'cloud.project.id'] };
    expect(
      statusOf(rules, ours({ account: 'my-project' }), { cloud: { project: { id: 'my-project' } } }).account,
    ).toBe('agree');
  });

  it('does not hold an unreadable @timestamp against us', () => {
    expect(statusOf(AWS, ours(), { '@timestamp': 'not a time' }).event_time).toBe('not-compared');
    expect(statusOf(AWS, ours({ event_time_us: T0 }), awsDoc).event_time).toBe('disagree');
  });
});

describe('elasticRejected', () => {
  it('skips documents Elastic failed on or dropped', () => {
    expect(elasticRejected(null)).toMatch(/dropped/);
    expect(elasticRejected({ error: { message: 'boom' } })).toMatch(/boom/);
    expect(elasticRejected({ event: { kind: 'pipeline_error' } })).toMatch(/pipeline/);
    expect(elasticRejected(awsDoc)).toBeNull();
  });
});
