import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SuppressionRule } from '../../src/config/config-schema.js';
import { findingHistory, listFindings } from '../../src/detect/findings-store.js';
import { runDetection } from '../../src/detect/run-detection.js';
import { findSuppression, globMatches, ipMatches } from '../../src/detect/suppressions.js';
import type { Store } from '../../src/store/open-store.js';
import { config, goodDetector, ingest, iso, memoryStore, trailRecord } from './helpers.js';

const subject = {
  actor: 'arn:aws:iam::111122223333:user/mallory',
  source_ip: '203.0.113.9',
  account: '111122223333',
};

describe('suppression matching', () => {
  it('matches globs case-insensitively and IPv4 CIDR blocks', () => {
    expect(globMatches('arn:aws:iam::*:user/MALLORY', subject.actor)).toBe(true);
    expect(globMatches('aws/*', 'gcp/x')).toBe(false);
    expect(globMatches('*', null)).toBe(true);
    expect(globMatches('a*', null)).toBe(false);
    expect(ipMatches('203.0.113.0/24', '203.0.113.9')).toBe(true);
    expect(ipMatches('203.0.112.0/24', '203.0.113.9')).toBe(false);
    expect(ipMatches('2001:db8:*', '2001:db8::1')).toBe(true);
  });

  it('needs every given pattern to match and ignores expired rules', () => {
    const rule: SuppressionRule = {
      detector: 'aws/*',
      actor: '*mallory',
      account: '1111*',
      reason: 'pentest',
    };
    expect(findSuppression([rule], 'aws/delete-trail', subject, new Date())).toMatchObject({
      rule: 1,
      reason: 'pentest',
    });
    expect(
      findSuppression([{ ...rule, account: '9999*' }], 'aws/delete-trail', subject, new Date()),
    ).toBeNull();
    const expired = { ...rule, expires: iso('2026-03-02T00:00:00Z') };
    expect(
      findSuppression([expired], 'aws/delete-trail', subject, iso('2026-03-01T23:00:00Z')),
    ).not.toBeNull();
    expect(findSuppression([expired], 'aws/delete-trail', subject, iso('2026-03-02T00:00:00Z'))).toBeNull();
  });
});

describe('suppression from config', () => {
  let store: Store;
  beforeEach(async () => {
    store = await memoryStore();
  });
  afterEach(() => store.close());

  const rule: SuppressionRule = {
    detector: 'aws/delete-trail',
    actor: '*:user/mallory',
    reason: 'red team exercise RT-12',
    by: 'secops',
    expires: iso('2026-03-03T00:00:00Z'),
  };
  const detect = (since: string, until: string, now: string) =>
    runDetection(store.connection, {
      detectors: [goodDetector('aws/delete-trail')],
      config: config({ suppressions: [rule] }),
      since: iso(since),
      until: iso(until),
      now: iso(now),
    });

  it('records a suppressed hit as a suppressed finding with its rule, then reopens after expiry', async () => {
    await ingest(store, [trailRecord(1, { eventTime: '2026-03-01T10:00:00Z' })]);
    const first = await detect('2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z', '2026-03-02T01:00:00Z');
    expect(first.outcomes[0]).toMatchObject({ new_findings: 1, suppressed_hits: 1, alerting: 0 });
    const [finding] = await listFindings(store.connection);
    expect(finding).toMatchObject({
      status: 'suppressed',
      suppression: { rule: 1, detector: 'aws/delete-trail', reason: 'red team exercise RT-12', by: 'secops' },
    });
    expect(finding?.status_reason).toContain('rule #1');

    // After the rule expires, new activity reopens it.
    await ingest(store, [trailRecord(2, { eventTime: '2026-03-04T10:00:00Z' })]);
    const later = await detect('2026-03-04T00:00:00Z', '2026-03-05T00:00:00Z', '2026-03-05T01:00:00Z');
    expect(later.outcomes[0]).toMatchObject({ suppressed_hits: 0, updated_findings: 1 });
    const [reopened] = await listFindings(store.connection);
    expect(reopened).toMatchObject({ status: 'open', suppression: null, count: 2 });
    const history = await findingHistory(store.connection, reopened?.id ?? '');
    expect(history.map((h) => h.to_status)).toEqual(['suppressed', 'open']);
    expect(history[1]?.reason).toContain('expired');
  });

  it('suppresses an open finding when a rule is added', async () => {
    await ingest(store, [trailRecord(1, { eventTime: '2026-03-01T10:00:00Z' })]);
    await runDetection(store.connection, {
      detectors: [goodDetector('aws/delete-trail')],
      config: config(),
      since: iso('2026-03-01T00:00:00Z'),
      until: iso('2026-03-02T00:00:00Z'),
    });
    expect((await listFindings(store.connection))[0]?.status).toBe('open');
    await detect('2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z', '2026-03-02T01:00:00Z');
    expect((await listFindings(store.connection))[0]).toMatchObject({
      status: 'suppressed',
      suppression: { rule: 1 },
    });
  });
});
