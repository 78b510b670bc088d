import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ReportConfig } from '../config/config-schema.js';
import type { LoadedConfig } from '../config/load-config.js';
import { type RetentionConfig, retentionDays, type ScheduledReport } from '../config/ops-schema.js';
import { YamlError } from '../config/yaml-source.js';
import { describeError } from '../errors.js';
import { computeReport } from '../report/compute-report.js';
import { listFrameworkKeys } from '../report/frameworks.js';
import { writeReport } from '../report/generate-report.js';
import type { ReportSigningKey } from '../report/signing-key.js';
import { redact } from '../util/redact.js';
import { lastDay, reportPeriod } from './report-periods.js';

export interface RunReportResult {
  framework: string;
  period: string;
  /** First day and last day of the period (YYYY-MM-DD, UTC, inclusive). */
  from: string;
  to: string;
  files: string[];
  /** Detached signatures written beside the files (a JSON report carries its own). */
  signatures: string[];
  /** Fingerprint of the key the files are signed with; null when unsigned. */
  signed_with: string | null;
  /** The hash chain recomputed for the period while the report was made. */
  integrity: 'intact' | 'broken' | 'not verified';
  error: string | null;
}

/**
 * Checks each `reports[].framework` exists before anything runs, so a typo is a config error with
 * its line at the start of the night, not a failed report at the end of it.
 */
export function checkScheduledReports(
  loaded: LoadedConfig,
  known: readonly string[] = listFrameworkKeys(),
): void {
  const file = loaded.file ?? 'auditlake.yaml';
  const issues = loaded.config.reports.flatMap((r, i) =>
    known.includes(r.framework)
      ? []
      : [
          {
            file,
            line: loaded.lineOf(['reports', i, 'framework']),
            key: `reports[${i}].framework`,
            message: `no framework ${r.framework} (known: ${known.join(', ')})`,
          },
        ],
  );
  if (issues.length > 0) throw new YamlError('config', issues);
}

/** The file a scheduled report goes to: the run id makes every run's report a new file. */
export function scheduledReportPath(
  outDir: string,
  framework: string,
  from: string,
  to: string,
  runId: number,
  format: string,
): string {
  const ext = format === 'oscal' ? 'oscal.json' : format;
  return join(outDir, `${framework}_${from}_${to}_run${runId}.${ext}`);
}

/**
 * Writes every configured report for its period relative to `runDay`. Each report is isolated: one
 * that fails is returned with its error, and the others are still written.
 */
export async function writeScheduledReports(
  connection: DuckDBConnection,
  reports: readonly ScheduledReport[],
  options: {
    runId: number;
    runDay: Date;
    generatedAt: Date;
    report: ReportConfig;
    retention: RetentionConfig;
    signingKey: ReportSigningKey | null;
  },
): Promise<RunReportResult[]> {
  const results: RunReportResult[] = [];
  for (const scheduled of reports) {
    const period = reportPeriod(scheduled.period, options.runDay);
    const from = period.from.toISOString().slice(0, 10);
    const to = lastDay(period);
    const result: RunReportResult = {
      framework: scheduled.framework,
      period: scheduled.period,
      from,
      to,
      files: [],
      signatures: [],
      signed_with: null,
      integrity: 'not verified',
      error: null,
    };
    try {
      const report = await computeReport(connection, {
        framework: scheduled.framework,
        from: period.from,
        to: period.to,
        generatedAt: options.generatedAt,
        organization: options.report.organization,
        retentionDays: retentionDays(options.retention),
      });
      result.integrity = report.store.verification.status;
      for (const format of scheduled.formats) {
        const out = scheduledReportPath(
          scheduled.out_dir,
          scheduled.framework,
          from,
          to,
          options.runId,
          format,
        );
        const written = await writeReport(report, format, out, {
          maxFindingsPerDetector: options.report.max_findings_per_detector,
          signingKey: options.signingKey,
          signedAt: options.generatedAt,
        });
        result.files.push(...written.files);
        result.signatures.push(...written.signatures);
        result.signed_with = written.signedWith?.fingerprint ?? result.signed_with;
      }
    } catch (error) {
      result.error = redact(describeError(error).split('\n')[0] ?? 'report failed');
    }
    results.push(result);
  }
  return results;
}
