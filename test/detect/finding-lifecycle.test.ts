import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualTransition, onHit } from '../../src/detect/finding-lifecycle.js';
import { changeFindingStatus, findingHistory, listFindings } from '../../src/detect/findings-store.js';
import { runDetection } from '../../src/detect/run-detection.js';
import type { Store } from '../../src/store/open-store.js';
import { config, goodDetector, ingest, iso, memoryStore, trailRecord } from './helpers.js';

describe('lifecycle rules', () => {
  it('allows ack from open, suppress from open or acknowledged, resolve from any live status', () => {
    expect(manualTransition('open', 'ack')).toEqual({ ok: true, to: 'acknowledged' });
    expect(manualTransition('acknowledged', 'suppress')).toEqual({ ok: true, to: 'suppressed' });
    expect(manualTransition('suppressed', 'resolve')).toEqual({ ok: true, to: 'resolved' });
    expect(manualTransition('resolved', 'ack')).toMatchObject({ ok: false });
  });

  it('reopens a resolved finding only on new evidence', () => {
    expect(
      onHit({ status: 'resolved', suppressedByRule: false }, { suppressed: false, newEvidence: false })
        .status,
    ).toBe('resolved');
    expect(
      onHit({ status: 'resolved', suppressedByRule: false }, { suppressed: false, newEvidence: true }),
    ).toEqual({
      status: 'open',
      change: 'reopened',
    });
    expect(
      onHit({ status: 'suppressed', suppressedByRule: false }, { suppressed: false, newEvidence: true })
        .status,
    ).toBe('suppressed');
    expect(
      onHit({ status: 'suppressed', suppressedByRule: true }, { suppressed: false, newEvidence: true })
        .status,
    ).toBe('open');
  });
});

describe('finding lifecycle in the store', () => {
  let store: Store;
  beforeEach(async () => {
    store = await memoryStore();
  });
  afterEach(() => store.close());

  const detect = (since: string, until: string) =>
    runDetection(store.connection, {
      detectors: [goodDetector('aws/delete-trail')],
      config: config(),
      since: iso(since),
      until: iso(until),
    });

  it('keeps who, when and why through ack and resolve, and reopens when it fires again', async () => {
    await ingest(store, [trailRecord(1, { eventTime: '2026-03-01T10:00:00Z' })]);
    await detect('2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z');
    const [finding] = await listFindings(store.connection);
    if (!finding) throw new Error('no finding');
    const prefix = finding.id.slice(0, 8);

    await changeFindingStatus(store.connection, prefix, 'ack', 'alice', 'looking into it');
    await expect(changeFindingStatus(store.connection, finding.id, 'ack', 'alice', 'again')).rejects.toThrow(
      /is acknowledged/,
    );
    await changeFindingStatus(store.connection, finding.id, 'resolve', 'alice', 'trail restored');
    expect((await listFindings(store.connection))[0]).toMatchObject({
      status: 'resolved',
      status_by: 'alice',
      status_reason: 'trail restored',
    });

    // Rerunning the same window brings nothing new: it stays resolved.
    await detect('2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z');
    expect((await listFindings(store.connection))[0]?.status).toBe('resolved');

    // It fires again: reopened, and a new high finding counts as alerting.
    await ingest(store, [trailRecord(2, { eventTime: '2026-03-03T10:00:00Z' })]);
    const result = await detect('2026-03-03T00:00:00Z', '2026-03-04T00:00:00Z');
    expect(result.outcomes[0]).toMatchObject({ reopened_findings: 1, alerting: 1 });
    expect((await listFindings(store.connection))[0]).toMatchObject({ status: 'open', count: 2 });

    const history = await findingHistory(store.connection, finding.id);
    expect(history.map((h) => [h.from_status, h.to_status, h.by])).toEqual([
      [null, 'open', 'auditlake detect'],
      ['open', 'acknowledged', 'alice'],
      ['acknowledged', 'resolved', 'alice'],
      ['resolved', 'open', 'auditlake detect'],
    ]);
    expect(history[3]?.reason).toContain('reopened');
  });

  it('rejects unknown and ambiguous ids and requires a reason', async () => {
    await expect(changeFindingStatus(store.connection, 'abcdef', 'ack', 'a', 'r')).rejects.toThrow(
      /no finding abcdef/,
    );
    await expect(changeFindingStatus(store.connection, 'xyz', 'ack', 'a', 'r')).rejects.toThrow(
      /not a finding id/,
    );
    await expect(changeFindingStatus(store.connection, 'abcdef', 'ack', 'a', ' ')).rejects.toThrow(
      /reason is required/,
    );
  });
});
