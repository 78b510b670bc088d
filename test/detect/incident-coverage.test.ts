import { describe, expect, it } from 'vitest';
import { incidentCoverage } from '../../src/detect/incident-coverage.js';

describe('incidentCoverage', () => {
  const incidents = [
    { id: 'root-login', title: 'root signed in', event_ids: ['e1'] },
    { id: 'spray', title: 'password spray', event_ids: ['e2', 'e3'] },
    { id: 'sink-deleted', title: 'log sink deleted', event_ids: ['e9'] },
  ];

  it('counts an incident found when any finding cites one of its events, and lists the rest as missed', () => {
    const coverage = incidentCoverage(incidents, [
      { id: 'f1', detector: 'aws/root-usage', severity: 'high', evidence: ['e1', 'x'] },
      { id: 'f2', detector: 'azure/password-spray', severity: 'high', evidence: ['e3'] },
      { id: 'f3', detector: 'all/volume-spike', severity: 'low', evidence: ['e2', 'e1'] },
      { id: 'f4', detector: 'aws/unauthorized-calls', severity: 'low', evidence: ['y', 'z'] },
    ]);
    expect(coverage.found).toEqual([
      { incident: 'root-login', title: 'root signed in', detectors: ['all/volume-spike', 'aws/root-usage'] },
      { incident: 'spray', title: 'password spray', detectors: ['all/volume-spike', 'azure/password-spray'] },
    ]);
    expect(coverage.missed).toEqual([{ incident: 'sink-deleted', title: 'log sink deleted' }]);
    expect(coverage.background.map((f) => f.id)).toEqual(['f4']);
  });

  it('finds nothing without findings', () => {
    const coverage = incidentCoverage(incidents, []);
    expect(coverage.found).toEqual([]);
    expect(coverage.missed).toHaveLength(3);
  });
});
