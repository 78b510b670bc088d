import { z } from 'zod';
import { notificationsConfigSchema } from '../notify/notifications-config.js';
import { integritySchema } from './integrity-schema.js';
import { retentionSchema, runSchema, scheduledReportSchema } from './ops-schema.js';
import { paramValueSchema } from './param-value-schema.js';
import { reportSigningSchema } from './report-signing-schema.js';
import { sourcesSchema } from './sources-schema.js';
import { storeSchema } from './store-schema.js';

/**
 * The schema of auditlake.yaml. Each section is its own schema so a new one (sources, store,
 * report) is one more entry in `configSchema`. Objects are strict: a misspelt key is an error
 * that names its line, not a setting silently ignored.
 */

export { type ParamValue, paramValueSchema } from './param-value-schema.js';

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
  /**
   * Detectors run side by side on this many connections to the store. Most detector queries are
   * too small to keep every core busy alone; more than the cores rarely helps.
   */
  parallel: z.number().int().min(1).max(16).default(2),
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
  /** The Ed25519 key reports are signed with; unsigned reports without it (docs/reports.md). */
  signing: reportSigningSchema.optional(),
});

export const configSchema = z.strictObject({
  sources: sourcesSchema.default({ aws: [], gcp: [], azure: [], files: [] }),
  detection: detectionSchema.default({ params: {}, suppressions: [], timeout_seconds: 300, parallel: 2 }),
  report: reportSchema.default({ organization: 'Example Organization', max_findings_per_detector: 10 }),
  store: storeSchema.default({}),
  /** Evidence checks: CloudTrail digest public keys for offline verification (docs/integrity.md). */
  integrity: integritySchema.default({}),
  /** The reports `auditlake run` writes each time (docs/operations.md); none by default. */
  reports: z.array(scheduledReportSchema).default([]),
  retention: retentionSchema.default({ events: 'forever' }),
  run: runSchema.default({ lock_stale_after: '30m' }),
  /** Where `auditlake run` reports each run (docs/notifications.md); nothing by default. */
  notifications: notificationsConfigSchema,
});

export type AuditlakeConfig = z.infer<typeof configSchema>;
export type DetectionConfig = AuditlakeConfig['detection'];
export type ReportConfig = AuditlakeConfig['report'];
export type ScheduledReportsConfig = AuditlakeConfig['reports'];
