import { rmSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { openStore } from '../store/open-store.js';
import { storeOptionsFromEnvironment } from '../store/store-key.js';
import { writePrivateFile } from '../util/private-files.js';
import { computeReport, type ReportOptions } from './compute-report.js';
import { renderCsv } from './render-csv.js';
import { renderJson } from './render-json.js';
import { renderOscal } from './render-oscal.js';
import type { PdfResult } from './render-pdf.js';
import type { Report } from './report-model.js';
import { SIGNATURE_SUFFIX, signatureFileText, signFile, signJsonDocument } from './report-signature.js';
import type { ReportSigningKey } from './signing-key.js';

/**
 * Wiring for commands: open the store read-only, compute once, render in the format asked, write
 * owner-only files and sign them (docs/reports.md).
 */

export const REPORT_FORMATS = ['pdf', 'json', 'csv', 'oscal'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Opens the store read-only with its key (an encrypted store must open for reports too). */
export async function computeFromStore(
  dbPath: string,
  options: ReportOptions,
  store: { configPath?: string | undefined } = {},
): Promise<Report> {
  const opened = await openStore({
    path: dbPath,
    readOnly: true,
    ...storeOptionsFromEnvironment({ configPath: store.configPath }),
  });
  try {
    return await computeReport(opened.connection, options);
  } finally {
    opened.close();
  }
}

export interface WrittenReport {
  format: ReportFormat;
  files: string[];
  /** The detached signature files written (`FILE.sig`); a JSON report carries its own. */
  signatures: string[];
  /** The key the output is signed with; null when unsigned (no key configured, or csv/oscal to stdout). */
  signedWith: { fingerprint: string; from: string } | null;
  /** Set when nothing was written to a file (no --out for a text format). */
  text: string | null;
  pdf: Omit<PdfResult, 'pdf'> | null;
}

export interface WriteOptions {
  maxFindingsPerDetector: number;
  /** Signs every output with this key; null or absent: written unsigned, and the appendix says so. */
  signingKey?: ReportSigningKey | null;
  /** The signature's time (default now). */
  signedAt?: Date;
}

/** The default output file: reports/out/<framework>_<from>_<to>.<ext> (git-ignored). */
export function defaultOutPath(report: Report, format: ReportFormat): string {
  const ext = format === 'oscal' ? 'oscal.json' : format;
  const last = new Date(Date.parse(report.period.to) - 1).toISOString().slice(0, 10);
  return `reports/out/${report.framework.key}_${report.period.from.slice(0, 10)}_${last}.${ext}`;
}

/** The report with its appendix naming the signing key (or null: unsigned). */
export function withSigningKey(report: Report, key: ReportSigningKey | null): Report {
  return {
    ...report,
    appendix: {
      ...report.appendix,
      signing: key
        ? { algorithm: 'ed25519', key_fingerprint: key.fingerprint, public_key: key.publicKeyPem }
        : null,
    },
  };
}

export async function writeReport(
  computed: Report,
  format: ReportFormat,
  out: string | undefined,
  options: WriteOptions,
): Promise<WrittenReport> {
  const key = options.signingKey ?? null;
  const signedAt = options.signedAt ?? new Date();
  const report = withSigningKey(computed, key);
  const files: string[] = [];
  const signatures: string[] = [];
  /** Writes the file owner-only, then its detached signature (or removes a stale one). */
  const write = (path: string, data: string | Buffer, detached: boolean): void => {
    const abs = resolve(path);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    writePrivateFile(abs, bytes);
    files.push(abs);
    const sigPath = `${abs}${SIGNATURE_SUFFIX}`;
    if (key && detached) {
      writePrivateFile(sigPath, signatureFileText(signFile(bytes, basename(abs), key, signedAt)));
      signatures.push(sigPath);
    } else {
      // A signature left by an earlier run would describe other bytes: verify-report must not find it.
      rmSync(sigPath, { force: true });
    }
  };
  const done = (text: string | null, pdf: WrittenReport['pdf'], signed: boolean): WrittenReport => ({
    format,
    files,
    signatures,
    signedWith: key && signed ? { fingerprint: key.fingerprint, from: key.from } : null,
    text,
    pdf,
  });

  if (format === 'pdf') {
    // pdfkit and the chart libraries load only for a PDF (about 0.3 s at start-up otherwise).
    const { renderPdf } = await import('./render-pdf.js');
    const { pdf, ...rest } = await renderPdf(report, options);
    write(out ?? defaultOutPath(report, 'pdf'), pdf, true);
    return done(null, rest, true);
  }
  if (format === 'csv') {
    const csv = renderCsv(report);
    if (!out) return done(`${csv.controls}\n${csv.findings}`, null, false);
    write(out, csv.controls, true);
    write(out.replace(/(\.csv)?$/, '.findings.csv'), csv.findings, true);
    return done(null, null, true);
  }
  if (format === 'json') {
    // The JSON carries its signature as its last member, so it verifies as one file, even on stdout.
    const text = key
      ? `${JSON.stringify(signJsonDocument(report, key, signedAt), null, 2)}\n`
      : renderJson(report);
    if (!out) return done(text, null, true);
    write(out, text, false);
    return done(null, null, true);
  }
  const text = renderOscal(report);
  if (!out) return done(text, null, false);
  write(out, text, true);
  return done(null, null, true);
}
