import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolveParams } from '../detect/detector-params.js';
import { loadDetectors } from '../detect/load-detectors.js';
import { describeError } from '../errors.js';
import { ReplayStore } from './replay-store.js';
import {
  checkUndetected,
  loadUndetected,
  readTechniques,
  STRATUS_DIR,
  techniqueOfLog,
} from './stratus-list.js';
import type { Suite, SuiteContext, SuiteResult } from './suite.js';

/**
 * Around a detonation's events: the detection window. A minute each side keeps every event of
 * the technique inside it; history before it there is none (each technique is replayed alone).
 */
const WINDOW_MARGIN_MS = 60_000;

async function run(context: SuiteContext): Promise<SuiteResult> {
  const logDir = join(context.corporaDir, STRATUS_DIR, 'detonation-logs');
  const logs = existsSync(logDir)
    ? readdirSync(logDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => join(logDir, f))
    : [];
  const failures: string[] = [];
  if (logs.length === 0) failures.push(`no detonation logs under ${logDir}`);
  const techniques = readTechniques(context.corporaDir);
  const titles = new Map(techniques.map((t) => [t.id, t.title]));
  const list = loadUndetected();
  const { detectors } = loadDetectors();

  const rows: string[][] = [];
  const detected = new Set<string>();
  const evaluated: string[] = [];
  const store = await ReplayStore.open();
  try {
    // One ingestFiles call over every log (the real file pipeline), then each technique alone.
    await store.ingestFiles(logs);
    await store.lock();
    for (const path of logs) {
      const technique = techniqueOfLog(path);
      evaluated.push(technique);
      const events = await store.select([path]);
      const window = await store.window(WINDOW_MARGIN_MS);
      const fired: string[] = [];
      if (window) {
        for (const detector of detectors) {
          try {
            const found = await store.run(detector, window, resolveParams(detector));
            if (found.length > 0) fired.push(detector.id);
          } catch (error) {
            failures.push(
              `${technique}: ${detector.id} failed: ${describeError(error).split('\n')[0] ?? ''}`,
            );
          }
        }
      }
      if (fired.length > 0) detected.add(technique);
      const listed = list.techniques[technique];
      rows.push([
        technique,
        String(events),
        fired.length > 0 ? fired.join(', ') : '—',
        fired.length > 0
          ? 'detected'
          : listed
            ? `not detected: ${listed.reason}`
            : 'NOT DETECTED, NOT LISTED',
      ]);
    }
  } finally {
    store.close();
  }

  const verdict = checkUndetected(list, evaluated, detected);
  for (const t of verdict.unlisted) {
    failures.push(
      `${t} is not detected and not in stratus-undetected.yaml: a detector regressed, or list it with its reason`,
    );
  }
  for (const t of verdict.listedButDetected) {
    failures.push(`${t} is detected now: remove it from stratus-undetected.yaml`);
  }
  for (const t of verdict.unknown) {
    failures.push(`stratus-undetected.yaml lists ${t}, which has no detonation log`);
  }
  const withoutLog = techniques.filter((t) => t.platform === 'AWS' && !evaluated.includes(t.id));
  const reasons = Object.entries(list.techniques)
    .filter(([t]) => evaluated.includes(t))
    .map(([t, l]) => `  ${t} (${titles.get(t) ?? '?'}): ${l.reason}: ${l.why}`);
  return {
    name: 'Stratus Red Team detonations (detectors)',
    columns: ['technique', 'events', 'detected by', 'verdict'],
    rows,
    notes: [
      `Detected ${detected.size} of ${evaluated.length} AWS techniques with a detonation log, running all ${detectors.length} detectors over each technique alone.`,
      ...(reasons.length > 0 ? ['', 'Not detected (stratus-undetected.yaml):', ...reasons] : []),
      ...(withoutLog.length > 0
        ? [
            '',
            `No detonation log in the corpus, not replayed (${withoutLog.length}): ${withoutLog.map((t) => t.id).join(', ')}`,
          ]
        : []),
    ],
    failures,
  };
}

export const stratusSuite: Suite = { name: 'stratus', run };
