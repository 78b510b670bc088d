import { z } from 'zod';
import { sourcesSchema } from './sources-schema.js';
import { storeSchema } from './store-schema.js';

/**
 * The schema of auditlake.yaml. Each section is its own schema so a new one (sources, store,
 * report) is one more entry in `configSchema`. Objects are strict: a misspelt key is an error
 * that names its line, not a setting silently ignored.
 */

/** A detector parameter value: what a header default can be. */
export const paramValueSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.union([z.string(), z.number(), z.boolean()])),
]);
export type ParamValue = z.infer<typeof paramValueSchema>;

const DAY_MS = 86_400_000;

/**
 * When a rule stops applying. A bare date means "through that day (UTC)", so `expires: 2026-03-31`
 * still suppresses on the 31st; a date-time is the exact instant.
 */
const expirySchema = z
  .string()
  .refine(
    (s) => /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s)),
    'expected a date like 2026-03-31',
  )
  .transform((s) => new Date(Date.parse(s) + (/^\d{4}-\d{2}-\d{2}$/.test(s) ? DAY_MS : 0)));

const pattern = z.string().min(1);

export const suppressionSchema = z.strictObject({
  detector: pattern.describe('detector id or glob, e.g. aws/* '),
  actor: pattern.optional(),
  source_ip: pattern.optional(),
  account: pattern.optional(),
  reason: z.string().trim().min(1, 'a suppression needs a reason'),
  expires: expirySchema.optional(),
  by: z.string().min(1).optional(),
});
export type SuppressionRule = z.infer<typeof suppressionSchema>;

export const detectionSchema = z.strictObject({
  /** detector id -> param name -> value */
  params: z.record(z.string(), z.record(z.string(), paramValueSchema)).default({}),
  suppressions: z.array(suppressionSchema).default([]),
  /** Per-detector time limit; a detector running longer is interrupted and reported failed. */
  timeout_seconds: z.number().positive().default(300),
});

/** Compliance reports (`auditlake report`, docs/reports.md). */
export const reportSchema = z.strictObject({
  /** Printed on the cover and in the PDF metadata. */
  organization: z.string().trim().min(1).default('Example Organization'),
  /**
   * Findings per detector shown in full in the PDF; the rest go to the CSV attachment, so a noisy
   * month cannot produce a 5,000-page file.
   */
  max_findings_per_detector: z.number().int().min(1).default(10),
});

export const configSchema = z.strictObject({
  sources: sourcesSchema.default({ aws: [], gcp: [], azure: [] }),
  detection: detectionSchema.default({ params: {}, suppressions: [], timeout_seconds: 300 }),
  report: reportSchema.default({ organization: 'Example Organization', max_findings_per_detector: 10 }),
  store: storeSchema.default({}),
});

export type AuditlakeConfig = z.infer<typeof configSchema>;
export type DetectionConfig = AuditlakeConfig['detection'];
export type ReportConfig = AuditlakeConfig['report'];
