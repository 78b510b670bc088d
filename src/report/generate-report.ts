import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { openStore } from '../store/open-store.js';
import { computeReport, type ReportOptions } from './compute-report.js';
import { renderCsv } from './render-csv.js';
import { renderJson } from './render-json.js';
import { renderOscal } from './render-oscal.js';
import { type PdfResult, renderPdf } from './render-pdf.js';
import type { Report } from './report-model.js';

/** Wiring for commands: open the store read-only, compute once, render in the format asked. */

export const REPORT_FORMATS = ['pdf', 'json', 'csv', 'oscal'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export async function computeFromStore(dbPath: string, options: ReportOptions): Promise<Report> {
  const store = await openStore({ path: dbPath, readOnly: true });
  try {
    return await computeReport(store.connection, options);
  } finally {
    store.close();
  }
}

export interface WrittenReport {
  format: ReportFormat;
  files: string[];
  /** Set when nothing was written to a file (no --out for a text format). */
  text: string | null;
  pdf: Omit<PdfResult, 'pdf'> | null;
}

/** The default output file: reports/out/<framework>_<from>_<to>.<ext> (git-ignored). */
export function defaultOutPath(report: Report, format: ReportFormat): string {
  const ext = format === 'oscal' ? 'oscal.json' : format;
  const last = new Date(Date.parse(report.period.to) - 1).toISOString().slice(0, 10);
  return `reports/out/${report.framework.key}_${report.period.from.slice(0, 10)}_${last}.${ext}`;
}

function write(path: string, data: string | Buffer): string {
  const abs = resolve(path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, data);
  return abs;
}

export async function writeReport(
  report: Report,
  format: ReportFormat,
  out: string | undefined,
  pdfOptions: { maxFindingsPerDetector: number },
): Promise<WrittenReport> {
  if (format === 'pdf') {
    const { pdf, ...rest } = await renderPdf(report, pdfOptions);
    return { format, files: [write(out ?? defaultOutPath(report, 'pdf'), pdf)], text: null, pdf: rest };
  }
  if (format === 'csv') {
    const csv = renderCsv(report);
    if (!out) return { format, files: [], text: `${csv.controls}\n${csv.findings}`, pdf: null };
    const findingsPath = out.replace(/(\.csv)?$/, '.findings.csv');
    return {
      format,
      files: [write(out, csv.controls), write(findingsPath, csv.findings)],
      text: null,
      pdf: null,
    };
  }
  const text = format === 'json' ? renderJson(report) : renderOscal(report);
  if (!out) return { format, files: [], text, pdf: null };
  return { format, files: [write(out, text)], text: null, pdf: null };
}
