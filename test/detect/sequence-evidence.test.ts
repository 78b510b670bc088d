import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveParams } from '../../src/detect/detector-params.js';
import { EVIDENCE_CAP } from '../../src/detect/findings-store.js';
import { type FixtureCase, fixturesSchema, openFixtureStore } from '../../src/detect/fixtures.js';
import { defaultQueriesRoot, loadDetectors } from '../../src/detect/load-detectors.js';
import { runDetector } from '../../src/detect/run-detector.js';

/**
 * Sequence detectors list the failures that led to the decisive events (the successful sign-in,
 * the privilege grant) and append those last. A finding keeps at most EVIDENCE_CAP event ids, so a
 * brute force of thousands of attempts would push the decisive events out of the evidence: the
 * detectors list the first 200 failures only, and still count all of them.
 */
const { detectors } = loadDetectors(defaultQueriesRoot());

interface Scenario {
  readonly detector: string;
  /** The positive fixture case whose failures are multiplied. */
  readonly caseName: string;
  /** Indexes of the failed sign-in records in that case. */
  readonly failures: readonly number[];
  /** How the decisive events appended after the failures look, in order. */
  readonly decisive: readonly { outcome: string; action: RegExp }[];
}

const SCENARIOS: readonly Scenario[] = [
  {
    detector: 'all/brute-force-then-success',
    caseName: 'six wrong Entra passwords then success',
    failures: [0],
    decisive: [{ outcome: 'success', action: /sign-in/i }],
  },
  {
    detector: 'all/spray-then-success-then-privilege',
    caseName: 'Entra: spray of six users, jack signs in, adds a Global Administrator',
    failures: [0, 1, 2, 3, 4, 5],
    decisive: [
      { outcome: 'success', action: /sign-in/i },
      { outcome: 'success', action: /^Add member to role$/ },
    ],
  },
];

function positiveCase(detectorFixtures: string, name: string): FixtureCase {
  const fixtures = fixturesSchema.parse(JSON.parse(readFileSync(detectorFixtures, 'utf8')));
  const found = fixtures.positive.find((c) => c.name === name);
  if (!found) throw new Error(`no positive case "${name}" in ${detectorFixtures}`);
  return found;
}

describe('sequence evidence with thousands of failures', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.detector} keeps the decisive events in the evidence`, async () => {
      const detector = detectors.find((d) => d.id === scenario.detector);
      if (!detector) throw new Error(`no detector ${scenario.detector}`);
      const base = positiveCase(detector.fixturesFile, scenario.caseName);
      // Each failure 1,500 times, half a second apart: all within the detectors' look-back.
      const records = base.records.map((record, i) =>
        scenario.failures.includes(i) && typeof record !== 'string'
          ? { ...record, _repeat: 1500, _every_seconds: 0.5 }
          : record,
      );
      const { store, window, loadError } = await openFixtureStore({ ...base, records });
      try {
        expect(loadError).toBeNull();
        const { rows } = await runDetector(store.connection, detector, {
          window,
          params: resolveParams(detector, {}),
        });
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) {
          expect(row.evidence.length).toBeLessThanOrEqual(200 + scenario.decisive.length);
          expect(row.evidence.length).toBeLessThanOrEqual(EVIDENCE_CAP);
          const tail = row.evidence.slice(-scenario.decisive.length);
          const described = await store.connection.runAndReadAll(
            `select event_id, outcome, action from events where event_id in (${tail.map((_, i) => `$${i + 1}`).join(', ')})`,
            tail,
          );
          const byId = new Map(
            described.getRows().map(([id, outcome, action]) => [String(id), { outcome, action }]),
          );
          scenario.decisive.forEach((want, i) => {
            const got = byId.get(tail[i] ?? '');
            expect(got?.outcome).toBe(want.outcome);
            expect(String(got?.action)).toMatch(want.action);
          });
        }
        // The failures are still all counted.
        const failures = rows[0]?.values.failures;
        if (failures !== undefined) expect(Number(failures)).toBeGreaterThan(200);
      } finally {
        store.close();
      }
    });
  }
});
