import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runFixtures, valueMatches } from '../../src/detect/fixtures.js';
import { loadDetectors } from '../../src/detect/load-detectors.js';
import { GOOD_ROOT, goodDetector, queriesRoot } from './helpers.js';

describe('runFixtures', () => {
  it('passes the positive and negative cases of working detectors', async () => {
    for (const detector of loadDetectors(GOOD_ROOT).detectors) {
      const results = await runFixtures(detector);
      expect(results.map((r) => [r.kind, r.passed])).toEqual([
        ['positive', true],
        ['negative', true],
      ]);
    }
  });

  it('fails a positive case that stays silent and a negative case that fires, saying why', async () => {
    const source = goodDetector('aws/api-burst');
    const fixtures = {
      positive: [
        {
          name: 'too few calls to fire',
          records: [{ ...trail(), _repeat: 2 }],
        },
      ],
      negative: [{ name: 'fires anyway', records: [{ ...trail(), _repeat: 3 }], params: { min_events: 3 } }],
    };
    const root = queriesRoot({
      'aws/api-burst.sql': source.sql,
      'aws/api-burst.fixtures.json': JSON.stringify(fixtures),
    });
    const [detector] = loadDetectors(root).detectors;
    if (!detector) throw new Error('not loaded');
    const results = await runFixtures(detector);
    expect(results.map((r) => [r.kind, r.passed])).toEqual([
      ['positive', false],
      ['negative', false],
    ]);
    expect(results[0]?.message).toBe('expected at least 1 row(s), got 0');
    expect(results[1]?.message).toMatch(/^expected no rows, got 1/);
  });

  it('fails when no row has the expected column values', async () => {
    const source = goodDetector('aws/delete-trail');
    const fixtures = JSON.parse((await import('node:fs')).readFileSync(source.fixturesFile, 'utf8')) as {
      positive: { expect: Record<string, unknown> }[];
    };
    const first = fixtures.positive[0];
    if (first) first.expect = { actor: 'someone else' };
    const root = queriesRoot({ 'aws/delete-trail.sql': source.sql });
    writeFileSync(`${root}/aws/delete-trail.fixtures.json`, JSON.stringify(fixtures));
    const [detector] = loadDetectors(root).detectors;
    if (!detector) throw new Error('not loaded');
    const [positive] = await runFixtures(detector);
    expect(positive?.passed).toBe(false);
    expect(positive?.message).toContain('no row has {"actor":"someone else"}');
  });

  it('reports an invalid fixtures file as one failure', async () => {
    const source = goodDetector('aws/delete-trail');
    const root = queriesRoot({
      'aws/delete-trail.sql': source.sql,
      'aws/delete-trail.fixtures.json': '{"positive": []}',
    });
    const [detector] = loadDetectors(root).detectors;
    if (!detector) throw new Error('not loaded');
    const results = await runFixtures(detector);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ kind: 'file', passed: false });
    expect(results[0]?.message).toContain('at least one positive case');
  });

  it('compares timestamps as instants and lists as sets', () => {
    expect(valueMatches('2026-03-01T10:00:00Z', new Date('2026-03-01T10:00:00.000Z'))).toBe(true);
    expect(valueMatches(['b', 'a'], ['a', 'b'])).toBe(true);
    expect(valueMatches('a', ['a', 'b'])).toBe(true);
    expect(valueMatches(6, 6)).toBe(true);
    expect(valueMatches('6', 7)).toBe(false);
  });
});

function trail(): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/bob', accountId: '111122223333' },
    eventTime: '2026-03-01T10:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.8',
    eventID: 'fx',
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
  };
}
