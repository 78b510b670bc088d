import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { dataFilePath } from './panther-map.js';

export const STRATUS_DIR = join('other', 'stratus-red-team');

/** Why the library does not detect a technique. */
export const UNDETECTED_REASONS = [
  /** The activity is visible only in CloudTrail data events (S3 object, Lambda invoke, ...), which most trails do not record. */
  'needs data events',
  /** Caught by a baseline or new-value detector given weeks of history; a detonation alone has none. */
  'needs history',
  /** Not something we aim to detect from audit logs (benign on its own, or another tool's job). */
  'out of scope',
  /** We should detect it and do not yet. */
  'not yet covered',
] as const;

const undetectedSchema = z.strictObject({
  techniques: z.record(
    z
      .string()
      .regex(
        /^aws\.[a-z-]+\.[a-z0-9-]+$/,
        'expected a Stratus technique id like aws.persistence.iam-backdoor-user',
      ),
    z.strictObject({
      reason: z.enum(UNDETECTED_REASONS),
      why: z.string().trim().min(1),
    }),
  ),
});
export type UndetectedList = z.infer<typeof undetectedSchema>;

export function defaultUndetectedPath(): string {
  return dataFilePath('stratus-undetected.yaml');
}

export function loadUndetected(path: string = defaultUndetectedPath()): UndetectedList {
  const parsed = undetectedSchema.safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new Error(
      `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

const techniqueSchema = z.object({
  id: z.string(),
  // One entry of the extracted file has neither (a technique doc without front matter).
  title: z.string().nullable(),
  platform: z.string().nullable(),
  detonation_events: z.array(z.string()).default([]),
});
export type StratusTechnique = z.infer<typeof techniqueSchema>;

/** techniques.json: every technique with its title and the events its detonation makes. */
export function readTechniques(corporaDir: string): StratusTechnique[] {
  const text = readFileSync(join(corporaDir, STRATUS_DIR, 'techniques.json'), 'utf8');
  return z.array(techniqueSchema).parse(JSON.parse(text));
}

/** `.../detonation-logs/aws.persistence.iam-backdoor-user.json` → `aws.persistence.iam-backdoor-user`. */
export function techniqueOfLog(path: string): string {
  return basename(path).replace(/\.json$/, '');
}

export interface ListVerdict {
  /** Detected by a detector but listed as undetected: the list is stale. */
  readonly listedButDetected: string[];
  /** Neither detected nor listed: a regression, or a new technique to classify. */
  readonly unlisted: string[];
  /** Listed techniques that have no detonation log: a typo or a removed technique. */
  readonly unknown: string[];
}

/** Holds the undetected list against what the replay found, so the list stays true. */
export function checkUndetected(
  list: UndetectedList,
  evaluated: readonly string[],
  detected: ReadonlySet<string>,
): ListVerdict {
  const listed = new Set(Object.keys(list.techniques));
  return {
    listedButDetected: evaluated.filter((t) => listed.has(t) && detected.has(t)),
    unlisted: evaluated.filter((t) => !listed.has(t) && !detected.has(t)),
    unknown: [...listed].filter((t) => !evaluated.includes(t)),
  };
}
