import { describe, expect, it } from 'vitest';
import { fingerprintOf, groupByFingerprint } from '../../src/detect/fingerprint.js';
import type { DetectorRow } from '../../src/detect/run-detector.js';

function row(values: Record<string, string | null>, time: string, evidence: string[]): DetectorRow {
  const event_time = new Date(time);
  return {
    event_time,
    actor: values.actor ?? null,
    account: values.account ?? null,
    region: null,
    source_ip: values.source_ip ?? null,
    action: null,
    resource: null,
    summary: null,
    evidence,
    values: { ...values, event_time, evidence },
  };
}

describe('fingerprint', () => {
  it('depends only on the detector id and the key columns', () => {
    const a = fingerprintOf('aws/x', ['actor', 'account'], {
      actor: 'alice',
      account: '1',
      source_ip: '1.1.1.1',
    });
    const b = fingerprintOf('aws/x', ['actor', 'account'], {
      source_ip: '2.2.2.2',
      account: '1',
      actor: 'alice',
    });
    expect(a).toEqual(b);
    expect(a.id).toBe(a.fingerprint.slice(0, 16));
    expect(a.keyValues).toEqual({ actor: 'alice', account: '1' });
  });

  it('is a pinned value, so it stays stable across releases', () => {
    expect(fingerprintOf('aws/x', ['actor', 'account'], { actor: 'alice', account: '1' }).fingerprint).toBe(
      fingerprintOf('aws/x', ['actor', 'account'], { actor: 'alice', account: '1' }).fingerprint,
    );
    expect(
      fingerprintOf('aws/x', ['actor', 'account'], { actor: 'alice', account: '1' }).id,
    ).toMatchInlineSnapshot(`"3e5d9e1f0f73413e"`);
  });

  it('differs by detector, key value and key set; null differs from the string "null"', () => {
    const base = fingerprintOf('aws/x', ['actor'], { actor: 'alice' }).id;
    expect(fingerprintOf('aws/y', ['actor'], { actor: 'alice' }).id).not.toBe(base);
    expect(fingerprintOf('aws/x', ['actor'], { actor: 'bob' }).id).not.toBe(base);
    expect(fingerprintOf('aws/x', ['actor', 'account'], { actor: 'alice' }).id).not.toBe(base);
    expect(fingerprintOf('aws/x', ['actor'], { actor: null }).id).not.toBe(
      fingerprintOf('aws/x', ['actor'], { actor: 'null' }).id,
    );
  });

  it('merges rows of one fingerprint: earliest and latest time, distinct evidence', () => {
    const groups = groupByFingerprint(
      'aws/x',
      ['actor'],
      [
        row({ actor: 'alice', source_ip: 'a' }, '2026-03-01T10:05:00Z', ['e2', 'e3']),
        row({ actor: 'alice', source_ip: 'b' }, '2026-03-01T10:00:00Z', ['e1', 'e2']),
        row({ actor: 'bob' }, '2026-03-01T11:00:00Z', ['e9']),
      ],
    );
    expect(groups).toHaveLength(2);
    const alice = groups.find((g) => g.keyValues.actor === 'alice');
    expect(alice?.firstSeen.toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(alice?.lastSeen.toISOString()).toBe('2026-03-01T10:05:00.000Z');
    expect(alice?.evidence).toEqual(['e2', 'e3', 'e1']);
    expect(alice?.latest.source_ip).toBe('a');
  });
});
