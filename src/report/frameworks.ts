import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseYamlSource, validateYamlSource } from '../config/yaml-source.js';
import { FRAMEWORK_KEYS, SOURCES } from '../detect/detector-header.js';
import { AuditlakeError, UsageError } from '../errors.js';
import { packageRoot } from '../util/package-root.js';

/**
 * Compliance frameworks are data (reports/frameworks/<key>.yaml): controls, their titles and the
 * evidence that is not a detector. Detectors attach themselves through their headers; a control's
 * `crosswalk` borrows the detectors mapped to equivalent controls of another framework, and a
 * whole file may be a crosswalk of another version (`crosswalk_of`, e.g. CIS AWS v6.0.0 → v4.0.0).
 */

/** Evidence checks computed from the store (src/report/compute-checks.ts). */
export const CHECKS = ['coverage', 'review', 'retention', 'integrity', 'dispositions'] as const;
export type CheckName = (typeof CHECKS)[number];

const text = z.string().trim().min(1);
const id = z.union([z.string(), z.number()]).transform(String);

const evidenceSchema = z.strictObject({
  checks: z.array(z.enum(CHECKS)).default([]),
  queries: z.array(text).default([]),
  /** framework key → control ids whose detectors also count here */
  crosswalk: z.partialRecord(z.enum(FRAMEWORK_KEYS), z.array(id)).default({}),
});

const controlSchema = z.strictObject({
  id,
  title: text,
  requirement: text.optional(),
  /** A log-review control: its section cites the daily review record. */
  review: z.boolean().default(false),
  /** Why this control cannot be assessed from audit logs; its status is then `not applicable`. */
  not_applicable: text.optional(),
  /** In a crosswalk file: the ids of the base version's controls this one corresponds to. */
  maps_to: z.array(id).optional(),
  evidence: evidenceSchema.optional(),
});

const frameworkFileSchema = z.strictObject({
  key: text,
  name: text,
  version: id,
  title: text,
  publisher: text.optional(),
  /** Sources the framework is about (CIS AWS: aws); default every source. */
  sources: z.array(z.enum(SOURCES)).optional(),
  /** Days of history the retention check expects. */
  retention_days: z.number().int().positive().optional(),
  crosswalk_of: text.optional(),
  controls: z.array(controlSchema).min(1),
});

const querySchema = z.strictObject({ id: text, title: text, sql: text });
const queriesFileSchema = z.strictObject({ queries: z.array(querySchema) });

export type FrameworkFile = z.infer<typeof frameworkFileSchema>;
export type EvidenceQuery = z.infer<typeof querySchema>;
type Source = (typeof SOURCES)[number];

/** A control with its evidence resolved (crosswalk files merged with their base). */
export interface FrameworkControl {
  id: string;
  title: string;
  requirement: string;
  review: boolean;
  notApplicable: string | null;
  /** Base-version ids for a crosswalk file's control; empty otherwise. */
  mapsTo: string[];
  checks: CheckName[];
  queries: string[];
  /** Framework key → control ids whose detectors are evidence here (always includes its own key/id). */
  detectorControls: Record<string, string[]>;
}

export interface Framework {
  key: string;
  name: string;
  version: string;
  title: string;
  publisher: string | null;
  sources: Source[];
  retentionDays: number;
  crosswalkOf: string | null;
  controls: FrameworkControl[];
}

const DEFAULT_RETENTION_DAYS = 365;

/** The package's reports/ folder, found by walking up to package.json (src/ or dist/src/). */
export function defaultReportsRoot(): string {
  return join(packageRoot(), 'reports');
}

export function listFrameworkKeys(root: string = defaultReportsRoot()): string[] {
  const dir = join(root, 'frameworks');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

export function readFrameworkFile(key: string, root: string = defaultReportsRoot()): FrameworkFile {
  const file = join(root, 'frameworks', `${key}.yaml`);
  if (!existsSync(file)) {
    throw new UsageError(`no framework "${key}"`, `use one of: ${listFrameworkKeys(root).join(', ')}`);
  }
  const source = parseYamlSource(readFileSync(file, 'utf8'), file, 'report');
  const parsed = validateYamlSource(source, frameworkFileSchema, 'report');
  if (parsed.key !== key) {
    throw new AuditlakeError('report', `${file}: key "${parsed.key}" does not match the file name`);
  }
  return parsed;
}

export function readEvidenceQueries(root: string = defaultReportsRoot()): EvidenceQuery[] {
  const file = join(root, 'queries.yaml');
  if (!existsSync(file)) return [];
  const source = parseYamlSource(readFileSync(file, 'utf8'), file, 'report');
  return validateYamlSource(source, queriesFileSchema, 'report').queries;
}

function ownControl(file: FrameworkFile, c: FrameworkFile['controls'][number]): FrameworkControl {
  const crosswalk: Record<string, string[]> = { [file.key]: [c.id] };
  for (const [key, ids] of Object.entries(c.evidence?.crosswalk ?? {})) {
    crosswalk[key] = [...new Set([...(crosswalk[key] ?? []), ...ids])];
  }
  return {
    id: c.id,
    title: c.title,
    requirement: c.requirement ?? c.title,
    review: c.review,
    notApplicable: c.not_applicable ?? null,
    mapsTo: [],
    checks: c.evidence?.checks ?? [],
    queries: c.evidence?.queries ?? [],
    detectorControls: crosswalk,
  };
}

const union = <T>(lists: readonly (readonly T[])[]): T[] => [...new Set(lists.flat())];

/** Loads a framework, merging a crosswalk file's controls with the evidence of its base. */
export function loadFramework(key: string, root: string = defaultReportsRoot()): Framework {
  const file = readFrameworkFile(key, root);
  let controls: FrameworkControl[];
  let base: Framework | null = null;
  if (file.crosswalk_of) {
    base = loadFramework(file.crosswalk_of, root);
    const byId = new Map(base.controls.map((c) => [c.id, c]));
    controls = file.controls.map((c) => {
      const mapped = (c.maps_to ?? []).map((m) => {
        const found = byId.get(m);
        if (!found)
          throw new AuditlakeError(
            'report',
            `${key}: ${c.id} maps to unknown ${file.crosswalk_of} control ${m}`,
          );
        return found;
      });
      const own = ownControl(file, c);
      const detectorControls: Record<string, string[]> = {};
      for (const m of mapped) {
        for (const [k, ids] of Object.entries(m.detectorControls)) {
          detectorControls[k] = union([detectorControls[k] ?? [], ids]);
        }
      }
      const allNa = mapped.length > 0 && mapped.every((m) => m.notApplicable);
      return {
        ...own,
        requirement: c.requirement ?? mapped[0]?.requirement ?? c.title,
        notApplicable: own.notApplicable ?? (allNa ? (mapped[0]?.notApplicable ?? null) : null),
        mapsTo: mapped.map((m) => m.id),
        checks: union([own.checks, ...mapped.map((m) => m.checks)]),
        queries: union([own.queries, ...mapped.map((m) => m.queries)]),
        review: own.review || mapped.some((m) => m.review),
        detectorControls,
      };
    });
  } else controls = file.controls.map((c) => ownControl(file, c));
  return {
    key: file.key,
    name: file.name,
    version: file.version,
    title: file.title,
    publisher: file.publisher ?? base?.publisher ?? null,
    sources: file.sources ?? base?.sources ?? [...SOURCES],
    retentionDays: file.retention_days ?? base?.retentionDays ?? DEFAULT_RETENTION_DAYS,
    crosswalkOf: file.crosswalk_of ?? null,
    controls,
  };
}

/** True when a detector's header `controls` map it to the control (directly or by crosswalk). */
export function detectorServes(
  headerControls: Readonly<Record<string, readonly string[] | undefined>>,
  control: FrameworkControl,
): boolean {
  return Object.entries(control.detectorControls).some(([key, ids]) =>
    (headerControls[key] ?? []).some((id) => ids.includes(id)),
  );
}
