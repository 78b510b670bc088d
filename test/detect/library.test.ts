import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isKnownTechnique } from '../../src/detect/attack-techniques.js';
import { FRAMEWORK_KEYS } from '../../src/detect/detector-header.js';
import { runFixtures } from '../../src/detect/fixtures.js';
import { defaultQueriesRoot, loadDetectors } from '../../src/detect/load-detectors.js';

/**
 * The proof of the detector library in queries/: every header is valid (ATT&CK ids in the pinned
 * version, known framework keys, id = path, fixtures beside it) and every detector fires on its
 * positive fixtures and stays silent on its negative ones. Passes with an empty library too.
 */
const library = loadDetectors(defaultQueriesRoot());

/** Control ids per framework, when reports/frameworks/<key>.yaml lists them. */
function frameworkControls(key: string): Set<string> | null {
  const file = join(library.root, '..', 'reports', 'frameworks', `${key}.yaml`);
  if (!existsSync(file)) return null;
  const doc = parse(readFileSync(file, 'utf8')) as { controls?: unknown } | null;
  const controls = doc?.controls;
  const ids = Array.isArray(controls)
    ? controls.map((c) => (c && typeof c === 'object' && 'id' in c ? String(c.id) : String(c)))
    : controls && typeof controls === 'object'
      ? Object.keys(controls)
      : [];
  return ids.length > 0 ? new Set(ids) : null;
}

describe('detector library (queries/)', () => {
  it('has only valid detector files', () => {
    const problems = library.problems.flatMap((p) =>
      p.issues.map((i) => `${i.file}:${i.line ?? '?'}: ${i.key} ${i.message}`),
    );
    expect(problems).toEqual([]);
  });

  it('cites only pinned ATT&CK techniques and known frameworks and controls', () => {
    const bad: string[] = [];
    for (const d of library.detectors) {
      for (const t of d.header.attack) if (!isKnownTechnique(t)) bad.push(`${d.id}: ${t}`);
      for (const [framework, ids] of Object.entries(d.header.controls)) {
        if (!(FRAMEWORK_KEYS as readonly string[]).includes(framework))
          bad.push(`${d.id}: framework ${framework}`);
        const known = frameworkControls(framework);
        for (const id of ids ?? [])
          if (known && !known.has(id)) bad.push(`${d.id}: ${framework} has no control ${id}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('has no stray fixtures files without a detector', () => {
    const stray: string[] = [];
    const walk = (dir: string): void => {
      if (!existsSync(dir)) return;
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, e.name);
        if (e.isDirectory()) walk(path);
        else if (e.name.endsWith('.fixtures.json') && !existsSync(path.replace(/\.fixtures\.json$/, '.sql')))
          stray.push(path);
      }
    };
    walk(library.root);
    expect(stray).toEqual([]);
  });

  it.each(library.detectors.map((d) => [d.id, d] as const))(
    '%s fires on its positive fixtures, silent on negative',
    async (_id, detector) => {
      const results = await runFixtures(detector);
      const failures = results.filter((r) => !r.passed).map((r) => `${r.kind} "${r.name}": ${r.message}`);
      expect(failures).toEqual([]);
      expect(results.some((r) => r.kind === 'positive')).toBe(true);
      expect(results.some((r) => r.kind === 'negative')).toBe(true);
    },
  );

  it('filters with list literals, never parenthesised IN lists (docs/detector-format.md#writing-fast-detectors)', () => {
    // `action in ('A', 'B')` is pushed into the scan only as a zone-map hint, so DuckDB reads and
    // decompresses `raw` for every row of the window before filtering; `action in ['A', 'B']` is
    // pushed as a real scan filter. Same result, 10x slower over a month (bench:detect).
    const offenders: string[] = [];
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.sql') ? [join(dir, e.name)] : [],
      );
    for (const file of files(library.root)) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.replace(/--.*$/, '');
          if (/\bin\s*\(\s*'/i.test(code)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });

  it('loads (possibly empty)', () => {
    expect(Array.isArray(library.detectors)).toBe(true);
  });
});
