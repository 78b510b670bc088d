import { describe, expect, it } from 'vitest';
import { runProblems } from '../../src/ops/nightly-run.js';
import type { RunReportResult } from '../../src/ops/run-reports.js';

const report = (over: Partial<RunReportResult>): RunReportResult => ({
  framework: 'pci_dss_v4.0',
  period: 'month',
  from: '2026-11-01',
  to: '2026-11-30',
  files: ['reports/x.pdf'],
  signatures: [],
  signed_with: null,
  integrity: 'intact',
  error: null,
  ...over,
});

const summary = (reports: RunReportResult[]): Parameters<typeof runProblems>[0] => ({
  ingest: { events_new: 0, events_duplicate: 0, errors: 0, sources: [] },
  detection: { run_id: 1, detectors_run: 65, detectors_failed: 0, failed: [], alerting: 0 },
  reports,
  retention: null,
});

describe('what makes a nightly run partial', () => {
  it("names a report whose period's hash chain did not verify", () => {
    expect(runProblems(summary([report({ integrity: 'broken' })]))).toEqual([
      'hash chain broken: pci_dss_v4.0 month report (2026-11-01 to 2026-11-30); run auditlake verify',
    ]);
  });

  it('says nothing of an intact chain, and reports a failed report once, by its error', () => {
    expect(runProblems(summary([report({})]))).toEqual([]);
    expect(
      runProblems(summary([report({ integrity: 'not verified', error: 'disk full', files: [] })])),
    ).toEqual(['report failed: pci_dss_v4.0 month: disk full']);
  });
});
