import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CORPORA_DIR } from '../../src/conformance/corpora-path.js';
import { addVerdict, coverageByCloud, emptyTally } from '../../src/conformance/panther.js';
import {
  adaptPantherEvent,
  PANTHER_LABELED,
  readPantherTests,
} from '../../src/conformance/panther-events.js';
import { checkPantherMap, loadPantherMap } from '../../src/conformance/panther-map.js';
import { loadDetectors } from '../../src/detect/load-detectors.js';

const corporaDir = resolve(process.env.AUDITLAKE_CORPORA?.trim() || DEFAULT_CORPORA_DIR);
const haveCorpus = existsSync(join(corporaDir, PANTHER_LABELED));
if (!haveCorpus) {
  console.warn(
    `skipping the Panther corpus checks: ${join(corporaDir, PANTHER_LABELED)} is absent (set AUDITLAKE_CORPORA)`,
  );
}

describe('adaptPantherEvent', () => {
  it('restores CloudTrail casing of a data-lake row and its ISO time, and makes the id unique', () => {
    const { record, adaptations } = adaptPantherEvent({
      line: 7,
      logType: 'AWS.CloudTrail',
      event: {
        eventname: 'GetRecords',
        eventsource: 'dynamodb.amazonaws.com',
        eventtime: '2023-01-10 21:04:02',
        eventid: 'abc',
        useridentity: { arn: 'arn:aws:iam::1:user/x', username: 'x' },
      },
    });
    expect(record).toMatchObject({
      eventName: 'GetRecords',
      eventSource: 'dynamodb.amazonaws.com',
      eventTime: '2023-01-10T21:04:02.000Z',
      eventID: 'abc~panther-7',
      userIdentity: { arn: 'arn:aws:iam::1:user/x', userName: 'x' },
    });
    expect(adaptations).toEqual(['key casing restored', 'event id made unique']);
  });

  it('adds what the tests leave out: eventVersion, id and time (p_event_time first)', () => {
    const { record, adaptations } = adaptPantherEvent({
      line: 3,
      logType: 'AWS.CloudTrail',
      event: { eventName: 'CreateUser', p_event_time: '2021-08-31 15:46:02.000000000' },
    });
    expect(record).toMatchObject({
      eventVersion: '1.08',
      eventID: 'panther-3',
      eventTime: '2021-08-31T15:46:02.000Z',
    });
    expect(adaptations).toEqual(['eventVersion added', 'event id added', 'event time from p_event_time']);
  });

  it('turns GCP at_sign_type back into @type, or adds @type when the test left both markers out', () => {
    const restored = adaptPantherEvent({
      line: 1,
      logType: 'GCP.AuditLog',
      event: { insertId: 'i', timestamp: '2024-01-01T00:00:00Z', protoPayload: { at_sign_type: 'T' } },
    });
    expect(restored.record.protoPayload).toEqual({ '@type': 'T' });
    expect(restored.adaptations).toContain('@type restored');
    const added = adaptPantherEvent({
      line: 2,
      logType: 'GCP.AuditLog',
      event: { protoPayload: { methodName: 'm' } },
    });
    expect(added.record.protoPayload).toEqual({
      methodName: 'm',
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
    });
    expect(added.record.insertId).toBe('panther-2');
  });

  it('gives Entra audit records the properties.id they are keyed by, and leaves the original alone', () => {
    const event = { time: '2025-01-15 14:20:35.456', properties: { activityDisplayName: 'x' } };
    const { record } = adaptPantherEvent({ line: 9, logType: 'Azure.Audit', event });
    expect(record.properties).toEqual({ activityDisplayName: 'x', id: 'panther-9' });
    expect(event.properties).toEqual({ activityDisplayName: 'x' });
  });
});

describe('tallies and coverage', () => {
  it('counts agreement by label and leaves excluded and other-cloud tests out', () => {
    const t = emptyTally();
    addVerdict(t, true, { kind: 'agree', fired: true, detail: '' });
    addVerdict(t, true, { kind: 'disagree', fired: false, detail: '' });
    addVerdict(t, false, { kind: 'agree', fired: false, detail: '' });
    addVerdict(t, false, { kind: 'excluded', reason: 'mock' });
    addVerdict(t, false, { kind: 'other-cloud' });
    expect(t).toEqual({ trueAgreed: 1, trueTotal: 2, falseAgreed: 1, falseTotal: 1, excluded: 1 });
  });

  it('counts a rule per cloud it has tests for', () => {
    const test = (rule: string, source: 'aws' | 'gcp' | 'azure') => ({
      line: 1,
      source,
      rule,
      expected: true,
      name: 'n',
      logType: 'AWS.CloudTrail' as const,
      mocked: false,
      event: {},
    });
    const coverage = coverageByCloud([test('A', 'aws'), test('K', 'gcp'), test('K', 'azure')], (r, c) =>
      r === 'K' ? c === 'gcp' : r === 'A',
    );
    expect(Object.fromEntries(coverage)).toEqual({
      aws: { rules: 1, mapped: 1 },
      gcp: { rules: 1, mapped: 1 },
      azure: { rules: 1, mapped: 0 },
    });
  });
});

describe('panther-map.yaml', () => {
  const map = loadPantherMap();
  const detectors = new Map(loadDetectors().detectors.map((d) => [d.id, { params: d.header.params }]));

  it('loads, and maps every rule to detectors of the library with params they declare', () => {
    expect(Object.keys(map.rules).length).toBeGreaterThan(0);
    const problems = checkPantherMap(map, detectors, new Map(Object.keys(map.rules).map((r) => [r, []])));
    expect(problems.filter((p) => !p.includes('no test named'))).toEqual([]);
  });

  it.skipIf(!haveCorpus)('names rules and tests that are in the Panther corpus', () => {
    const byRule = new Map<string, string[]>();
    for (const t of readPantherTests(corporaDir)) byRule.set(t.rule, [...(byRule.get(t.rule) ?? []), t.name]);
    expect(checkPantherMap(map, detectors, byRule)).toEqual([]);
  });

  it('reports unknown detectors, params and tests', () => {
    const bad = {
      rules: {
        R: {
          detectors: ['nope/x'],
          note: 'n',
          params: { 'aws/y': { z: 1 } },
          exclude: [{ test: 'missing', reason: 'r' }],
          known_disagreements: [],
        },
      },
    };
    expect(checkPantherMap(bad, new Map([['aws/y', { params: {} }]]), new Map([['R', ['t']]]))).toEqual([
      'R: no detector nope/x',
      'R: params for aws/y, which the rule does not map to',
      'R: aws/y has no param z',
      'R: no test named "missing"',
    ]);
  });
});
