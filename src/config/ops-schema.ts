import { z } from 'zod';

/**
 * The sections of auditlake.yaml that drive the nightly job (`auditlake run`, docs/operations.md):
 * which reports it writes, how long events are kept, and how its lock behaves.
 */

/**
 * Report periods, all in whole UTC days relative to the run's day (`--report-date`, default today):
 * previous-day: yesterday. previous-week: Monday to Sunday of last week (ISO weeks).
 * month-to-date: from the first of yesterday's month through yesterday (complete days only, so a
 * run on the 1st reports the whole previous month). previous-month: the last calendar month.
 */
export const REPORT_PERIODS = ['previous-day', 'previous-week', 'month-to-date', 'previous-month'] as const;
export type ReportPeriodName = (typeof REPORT_PERIODS)[number];

/**
 * The report formats (src/report/generate-report.ts REPORT_FORMATS; kept apart so loading a config
 * does not load the PDF renderer; a test checks both lists agree).
 */
export const CONFIG_REPORT_FORMATS = ['pdf', 'json', 'csv', 'oscal'] as const;

export const scheduledReportSchema = z.strictObject({
  /** A framework key of reports/frameworks/, e.g. pci_dss_v4.0 (`auditlake report --help` lists them). */
  framework: z.string().min(1),
  period: z.enum(REPORT_PERIODS).default('previous-day'),
  formats: z.array(z.enum(CONFIG_REPORT_FORMATS)).min(1).default(['pdf']),
  /**
   * Folder the files go to: <framework>_<first day>_<last day>_run<run id>.<ext>. Each run writes
   * new files, so the report a run produced stays as it was (relative paths: the working directory).
   */
  out_dir: z.string().min(1).default('reports/out'),
});
export type ScheduledReport = z.infer<typeof scheduledReportSchema>;

/** "400d", or "forever" (the default: nothing is pruned). */
const keepSchema = z.union([
  z.literal('forever'),
  z
    .string()
    .regex(/^[1-9]\d*d$/, 'expected a number of days like 400d, or forever')
    .refine((s) => Number.parseInt(s, 10) <= 36_500, 'at most 36500d (100 years)'),
]);

/**
 * `retention:`. Only events are ever pruned, whole UTC days older than the period, through the
 * pruning that keeps the hash chain verifiable (docs/integrity.md). Findings, their evidence ids,
 * detection runs and reports are never pruned.
 */
export const retentionSchema = z.strictObject({
  events: keepSchema.default('forever'),
});
export type RetentionConfig = z.infer<typeof retentionSchema>;

/** Days of `retention.events`, or null for forever. */
export function retentionDays(retention: RetentionConfig): number | null {
  return retention.events === 'forever' ? null : Number.parseInt(retention.events, 10);
}

/** "90s", "30m", "6h", "1d". */
const ageSchema = z.string().regex(/^[1-9]\d*[smhd]$/, 'expected a duration like 30m, 6h or 1d');

export function durationMs(value: string): number {
  const n = Number.parseInt(value, 10);
  const unit = value.at(-1);
  const ms = unit === 's' ? 1000 : unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000;
  return n * ms;
}

/** `run:` settings of the nightly job. */
export const runSchema = z.strictObject({
  /**
   * A run refreshes its lock file every minute. A lock not refreshed for this long is stale (its
   * holder died on another host, or its pid was reused here) and the next run takes it over.
   * A holder on this host whose pid is gone is stale at once.
   */
  lock_stale_after: ageSchema.default('30m'),
});
export type RunConfig = z.infer<typeof runSchema>;
