import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CORPORA_DIR } from '../../src/conformance/corpora-path.js';
import {
  checkUndetected,
  loadUndetected,
  readTechniques,
  STRATUS_DIR,
  techniqueOfLog,
} from '../../src/conformance/stratus-list.js';

const corporaDir = resolve(process.env.AUDITLAKE_CORPORA?.trim() || DEFAULT_CORPORA_DIR);
const logDir = join(corporaDir, STRATUS_DIR, 'detonation-logs');
const haveCorpus = existsSync(logDir);
if (!haveCorpus)
  console.warn(`skipping the Stratus corpus checks: ${logDir} is absent (set AUDITLAKE_CORPORA)`);

describe('stratus-undetected.yaml', () => {
  const list = loadUndetected();

  it('loads with a known reason for every technique', () => {
    expect(Object.keys(list.techniques).length).toBeGreaterThan(0);
  });

  it.skipIf(!haveCorpus)(
    'lists only techniques that have a detonation log and are in techniques.json',
    () => {
      const logged = readdirSync(logDir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => techniqueOfLog(f));
      const known = new Set(readTechniques(corporaDir).map((t) => t.id));
      for (const t of Object.keys(list.techniques)) {
        expect(logged, t).toContain(t);
        expect(known.has(t), t).toBe(true);
      }
    },
  );
});

describe('checkUndetected', () => {
  it('flags stale entries, unlisted misses and unknown techniques', () => {
    const list = {
      techniques: {
        'aws.a.listed-missed': { reason: 'not yet covered' as const, why: 'w' },
        'aws.a.listed-detected': { reason: 'needs history' as const, why: 'w' },
        'aws.a.gone': { reason: 'out of scope' as const, why: 'w' },
      },
    };
    const verdict = checkUndetected(
      list,
      ['aws.a.listed-missed', 'aws.a.listed-detected', 'aws.a.unlisted-missed', 'aws.a.detected'],
      new Set(['aws.a.listed-detected', 'aws.a.detected']),
    );
    expect(verdict).toEqual({
      listedButDetected: ['aws.a.listed-detected'],
      unlisted: ['aws.a.unlisted-missed'],
      unknown: ['aws.a.gone'],
    });
  });
});
