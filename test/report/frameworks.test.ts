import { describe, expect, it } from 'vitest';
import { FRAMEWORK_KEYS } from '../../src/detect/detector-header.js';
import { defaultQueriesRoot, loadDetectors } from '../../src/detect/load-detectors.js';
import {
  CHECKS,
  detectorServes,
  listFrameworkKeys,
  loadFramework,
  readEvidenceQueries,
  readFrameworkFile,
} from '../../src/report/frameworks.js';

const keys = listFrameworkKeys();
const queries = new Set(readEvidenceQueries().map((q) => q.id));

describe('framework files (reports/frameworks/)', () => {
  it('has one file per framework key of detector headers, plus CIS AWS versions', () => {
    for (const key of FRAMEWORK_KEYS) expect(keys).toContain(key);
    expect(keys).toContain('cis_aws_v6.0.0');
    expect(keys).toContain('cis_aws_v1.2.0');
  });

  it.each(keys)('%s loads, and every check, query and crosswalked control it names exists', (key) => {
    const framework = loadFramework(key);
    expect(framework.controls.length).toBeGreaterThan(0);
    const ids = framework.controls.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of framework.controls) {
      for (const check of c.checks) expect(CHECKS).toContain(check);
      for (const q of c.queries) expect(queries, `${key} ${c.id} cites query ${q}`).toContain(q);
      for (const [other, otherIds] of Object.entries(c.detectorControls)) {
        if (other === key) continue;
        const known = new Set(readFrameworkFile(other).controls.map((x) => x.id));
        for (const id of otherIds) expect(known, `${key} ${c.id} crosswalks to ${other} ${id}`).toContain(id);
      }
      if (!c.notApplicable) expect(c.requirement.length).toBeGreaterThan(10);
    }
  });

  it('lists the controls the issue requires', () => {
    const has = (key: string, ids: string[]) => {
      const known = loadFramework(key).controls.map((c) => c.id);
      for (const id of ids) expect(known, `${key} ${id}`).toContain(id);
    };
    has('iso27001_2022', ['A.5.15', 'A.5.18', 'A.8.2', 'A.8.5', 'A.8.15', 'A.8.16', 'A.8.20']);
    has('nist_800_53_r5', ['AU-2', 'AU-3', 'AU-6', 'AU-9', 'AU-11', 'AU-12', 'AC-2', 'AC-6', 'SI-4']);
    has('hipaa_security', ['164.312(b)', '164.308(a)(1)(ii)(D)']);
    has('pci_dss_v4.0', ['10.4.1', '10.4.1.1', '10.4.3', '10.7.2', '10.5.1']);
    has('soc2_2017', ['CC6.1', 'CC7.2', 'CC7.3']);
  });

  it('marks the log-monitoring controls as review controls', () => {
    const review = (key: string, id: string) => loadFramework(key).controls.find((c) => c.id === id)?.review;
    for (const [key, id] of [
      ['pci_dss_v4.0', '10.4.1'],
      ['pci_dss_v4.0', '10.4.1.1'],
      ['pci_dss_v4.0', '10.4.3'],
      ['soc2_2017', 'CC7.2'],
      ['soc2_2017', 'CC7.3'],
      ['iso27001_2022', 'A.8.15'],
      ['iso27001_2022', 'A.8.16'],
      ['nist_800_53_r5', 'AU-6'],
      ['hipaa_security', '164.312(b)'],
    ] as const) {
      expect(review(key, id), `${key} ${id}`).toBe(true);
    }
  });

  it('renumbers CIS AWS monitoring items by version, sharing the v4.0.0 evidence', () => {
    const v4 = loadFramework('cis_aws_v4.0.0');
    const v6 = loadFramework('cis_aws_v6.0.0');
    const v12 = loadFramework('cis_aws_v1.2.0');
    const root = (f: typeof v4, id: string) => f.controls.find((c) => c.id === id);
    expect(root(v4, '4.3')?.title).toMatch(/root/i);
    expect(root(v6, '5.3')?.mapsTo).toEqual(['4.3']);
    expect(root(v12, '3.3')?.mapsTo).toEqual(['4.3']);
    expect(root(v6, '5.3')?.detectorControls).toEqual(root(v4, '4.3')?.detectorControls);
  });

  it('gives every mapped detector a framework control to serve', () => {
    const library = loadDetectors(defaultQueriesRoot()).detectors;
    for (const d of library) {
      for (const [key, ids] of Object.entries(d.header.controls)) {
        const framework = loadFramework(key);
        for (const id of ids ?? []) {
          const control = framework.controls.find((c) => c.id === id);
          expect(control, `${d.id}: ${key} ${id}`).toBeDefined();
          if (control) expect(detectorServes(d.header.controls, control)).toBe(true);
        }
      }
    }
  });
});
