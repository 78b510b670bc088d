import type { Report } from './report-model.js';

/**
 * Two CSV tables: control status and findings. Commands write them as two files (FILE and
 * FILE.findings.csv) or, on stdout, one after the other separated by a blank line.
 */

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = Array.isArray(value) ? value.join(' ') : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function table(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return `${[columns.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n')}\n`;
}

export const CONTROL_COLUMNS = [
  'framework',
  'control',
  'title',
  'status',
  'critical',
  'high',
  'medium',
  'low',
  'info',
  'suppressed',
  'detectors',
  'checks',
  'reason',
] as const;

export const FINDING_COLUMNS = [
  'id',
  'severity',
  'status',
  'detector',
  'detector_version',
  'title',
  'controls',
  'actor',
  'account',
  'region',
  'source_ip',
  'action',
  'resource',
  'first_seen',
  'last_seen',
  'count',
  'summary',
  'status_by',
  'status_reason',
  'status_at',
  'suppressed_until',
  'remediation',
] as const;

export function renderControlsCsv(report: Report): string {
  return table(
    CONTROL_COLUMNS,
    report.controls.map((c) => [
      report.framework.key,
      c.id,
      c.title,
      c.status,
      c.findings.critical,
      c.findings.high,
      c.findings.medium,
      c.findings.low,
      c.findings.info,
      c.suppressed,
      c.detectors.map((d) => d.id),
      c.checks.map((k) => `${k.name}:${k.status}`),
      c.reason,
    ]),
  );
}

export function renderFindingsCsv(findings: Report['findings']): string {
  return table(
    FINDING_COLUMNS,
    findings.map((f) => [
      f.id,
      f.severity,
      f.status,
      f.detector,
      f.detector_version,
      f.title,
      f.controls,
      f.actor,
      f.account,
      f.region,
      f.source_ip,
      f.action,
      f.resource,
      f.first_seen,
      f.last_seen,
      f.count,
      f.summary,
      f.status_by,
      f.status_reason,
      f.status_at,
      f.suppression?.until ?? null,
      f.remediation,
    ]),
  );
}

export function renderCsv(report: Report): { controls: string; findings: string } {
  return { controls: renderControlsCsv(report), findings: renderFindingsCsv(report.findings) };
}
