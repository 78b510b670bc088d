import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { paramValueSchema } from '../config/config-schema.js';
import { packageRoot } from '../util/package-root.js';

/** A test of the mapped rule, named as in labeled.jsonl, with why it is set apart. */
const testNoteSchema = z.strictObject({
  test: z.string().min(1),
  reason: z.string().trim().min(1),
});

const ruleMappingSchema = z.strictObject({
  /** Our detector ids; the rule "fires" when any of them returns a row. */
  detectors: z.array(z.string().min(1)).min(1),
  /** What the two have in common and where they differ. */
  note: z.string().trim().min(1),
  /** Param overrides per detector id, e.g. a threshold of 1 for a rule Panther fires on one event. */
  params: z.record(z.string(), z.record(z.string(), paramValueSchema)).default({}),
  /**
   * Tests not evaluated: the event cannot decide them for us (a mock decides, a fragment that is
   * no audit record, a field every real record has is missing). Never used for a plain disagreement.
   */
  exclude: z.array(testNoteSchema).default([]),
  /** Tests where we disagree and know why (scope, design); still counted against agreement. */
  known_disagreements: z.array(testNoteSchema).default([]),
});
export type RuleMapping = z.infer<typeof ruleMappingSchema>;

export const pantherMapSchema = z.strictObject({
  /** Panther rule id → our detector(s). */
  rules: z.record(z.string().min(1), ruleMappingSchema),
});
export type PantherMap = z.infer<typeof pantherMapSchema>;

/** src/conformance/panther-map.yaml, found from this module whether run from src/ or dist/src/. */
export function defaultPantherMapPath(): string {
  return dataFilePath('panther-map.yaml');
}

/** A data file of src/conformance/, found by walking up to the package root (dist/ has no copy). */
export function dataFilePath(name: string): string {
  return join(packageRoot(), 'src', 'conformance', name);
}

/** Parses and validates the map; throws with every problem's path on a bad file. */
export function loadPantherMap(path: string = defaultPantherMapPath()): PantherMap {
  const parsed = pantherMapSchema.safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new Error(
      `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/**
 * Problems of the map against the library and the corpus: unknown detector ids, param overrides
 * of detectors not mapped or params they do not declare, rules the corpus has no test for, and
 * excluded or known-disagreeing tests that the rule does not have. Empty when the map is sound.
 */
export function checkPantherMap(
  map: PantherMap,
  detectors: ReadonlyMap<string, { readonly params: Readonly<Record<string, unknown>> }>,
  testsByRule: ReadonlyMap<string, readonly string[]>,
): string[] {
  const problems: string[] = [];
  for (const [rule, m] of Object.entries(map.rules)) {
    for (const id of m.detectors) {
      if (!detectors.has(id)) problems.push(`${rule}: no detector ${id}`);
    }
    for (const [id, params] of Object.entries(m.params)) {
      if (!m.detectors.includes(id))
        problems.push(`${rule}: params for ${id}, which the rule does not map to`);
      const declared = detectors.get(id)?.params ?? {};
      for (const name of Object.keys(params)) {
        if (!Object.hasOwn(declared, name)) problems.push(`${rule}: ${id} has no param ${name}`);
      }
    }
    const names = testsByRule.get(rule);
    if (!names) {
      problems.push(`${rule}: no test of this rule in the Panther corpus`);
      continue;
    }
    for (const t of [...m.exclude, ...m.known_disagreements]) {
      if (!names.includes(t.test)) problems.push(`${rule}: no test named "${t.test}"`);
    }
  }
  return problems;
}
