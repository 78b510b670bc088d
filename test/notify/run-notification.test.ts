import { describe, expect, it } from 'vitest';
import {
  findingsAtOrAbove,
  type RunNotification,
  summaryLine,
  toNotificationFinding,
} from '../../src/notify/run-notification.js';
import { finding, sampleNotification } from './sample-notification.js';

describe('summaryLine', () => {
  it('a clean run with findings', () => {
    expect(summaryLine(sampleNotification())).toBe(
      'auditlake run 42 on audit-01: ok (exit 3) — 1204 new events; 81 detectors run; 4 new findings (1 critical, 1 high, 1 medium, 1 low); 1 report written',
    );
  });

  it('a partial run names the failed sources and detectors', () => {
    const base = sampleNotification();
    const n: RunNotification = {
      ...base,
      status: 'partial',
      exit_code: 4,
      ingest: {
        ...base.ingest,
        errors: 2,
        sources: [
          ...base.ingest.sources,
          {
            source: 'azure',
            name: 'contoso',
            status: 'failed',
            events_new: 0,
            events_duplicate: 0,
            errors: 0,
            error: 'AuthorizationFailed',
          },
        ],
      },
      detection: { detectors_run: 81, detectors_failed: 1 },
      new_findings: [finding({ id: 'x' })],
      reports: [],
    };
    expect(summaryLine(n)).toBe(
      'auditlake run 42 on audit-01: partial (exit 4) — 1204 new events, 2 unreadable records; 1 of 3 sources failed (azure contoso); 81 detectors run, 1 failed; 1 new finding (1 high)',
    );
  });

  it('a run that failed before it was recorded', () => {
    const n = sampleNotification({
      run_id: null,
      status: 'failed',
      exit_code: 1,
      error: 'another run holds the lock',
      ingest: { events_new: 0, events_duplicate: 0, errors: 0, sources: [] },
      detection: { detectors_run: 0, detectors_failed: 0 },
      new_findings: [],
      reports: [],
    });
    expect(summaryLine(n)).toBe(
      'auditlake run on audit-01: failed (exit 1) — another run holds the lock; 0 new events; 0 detectors run; no new findings',
    );
  });
});

describe('findings helpers', () => {
  it('orders by severity, then first seen', () => {
    const list = [
      finding({ id: 'b', severity: 'high', first_seen: '2026-03-01T05:00:00Z' }),
      finding({ id: 'a', severity: 'high', first_seen: '2026-03-01T01:00:00Z' }),
      finding({ id: 'c', severity: 'critical', first_seen: '2026-03-01T09:00:00Z' }),
      finding({ id: 'd', severity: 'medium' }),
    ];
    expect(findingsAtOrAbove(list, 'high').map((f) => f.id)).toEqual(['c', 'a', 'b']);
  });

  it('narrows a stored finding and keeps one of unknown severity as info', () => {
    const stored = {
      ...finding({ id: 'z' }),
      severity: 'catastrophic',
      count: 3,
      evidence: ['e1'],
    };
    const narrowed = toNotificationFinding(stored);
    expect(narrowed.severity).toBe('info');
    expect(narrowed).not.toHaveProperty('evidence');
    expect(JSON.parse(JSON.stringify(narrowed))).toEqual(narrowed);
  });
});
