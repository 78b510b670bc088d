import type { NotificationFinding, RunNotification } from '../../src/notify/run-notification.js';

/** An actor name an attacker chose: Slack mrkdwn control sequences and a disguised link. */
export const HOSTILE_ACTOR = 'eve <!channel> & <https://evil.example/login|AWS console>';

export function finding(
  overrides: Partial<NotificationFinding> & Pick<NotificationFinding, 'id'>,
): NotificationFinding {
  return {
    detector: 'aws/root-account-usage',
    severity: 'high',
    title: 'Root account used',
    summary: 'root signed in to the console from 203.0.113.7',
    actor: 'arn:aws:iam::111122223333:root',
    account: '111122223333',
    first_seen: '2026-03-01T02:10:00.000Z',
    ...overrides,
  };
}

export function sampleNotification(overrides: Partial<RunNotification> = {}): RunNotification {
  return {
    run_id: 42,
    started_at: '2026-03-02T01:00:00.000Z',
    finished_at: '2026-03-02T01:04:10.000Z',
    status: 'ok',
    exit_code: 3,
    error: null,
    host: 'audit-01',
    store: 'data/auditlake.duckdb',
    ingest: {
      events_new: 1204,
      events_duplicate: 5,
      errors: 0,
      sources: [
        {
          source: 'aws',
          name: 'prod',
          status: 'ok',
          events_new: 1000,
          events_duplicate: 5,
          errors: 0,
          error: null,
        },
        {
          source: 'gcp',
          name: 'acme-prod-1',
          status: 'ok',
          events_new: 204,
          events_duplicate: 0,
          errors: 0,
          error: null,
        },
      ],
    },
    detection: { detectors_run: 81, detectors_failed: 0 },
    new_findings: [
      finding({ id: 'f-low', severity: 'low', title: 'New region used', detector: 'aws/new-region' }),
      finding({ id: 'f-high', severity: 'high', actor: HOSTILE_ACTOR }),
      finding({
        id: 'f-crit',
        severity: 'critical',
        title: 'CloudTrail logging stopped',
        detector: 'aws/cloudtrail-tampering',
        first_seen: '2026-03-01T03:00:00.000Z',
      }),
      finding({
        id: 'f-med',
        severity: 'medium',
        title: 'Access denied spike',
        detector: 'all/access-denied-spike',
      }),
    ],
    reports: ['reports/soc2_2017-2026-03-01.pdf'],
    ...overrides,
  };
}
