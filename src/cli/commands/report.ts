import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { retentionDays } from '../../config/ops-schema.js';
import { UsageError } from '../../errors.js';
import { plural } from '../../report/compute-controls.js';
import { listFrameworkKeys } from '../../report/frameworks.js';
import {
  computeFromStore,
  REPORT_FORMATS,
  type ReportFormat,
  type WrittenReport,
  writeReport,
} from '../../report/generate-report.js';
import { DAY_MS } from '../../report/query-rows.js';
import type { Report } from '../../report/report-model.js';
import { signingKeyFromConfig } from '../../report/signing-key.js';
import { resolveDbPath } from '../../store/open-store.js';
import type { CommandResult, GlobalOptions } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { parseTime } from './detect.js';

interface ReportCliOptions {
  framework: string;
  from: string;
  to: string;
  out?: string;
  format?: string;
  generatedAt?: string;
  config?: string;
  verify: boolean;
}

/** What `auditlake report` says about the signature: signed with which key, or why not. */
export function signingText(written: WrittenReport): string {
  if (written.signedWith) {
    const where = written.signatures.length
      ? `signatures: ${written.signatures.join(', ')}`
      : 'the signature is the JSON\'s "signature" member';
    return `signed with Ed25519 key ${written.signedWith.fingerprint} (from ${written.signedWith.from}); ${where}`;
  }
  if (written.text !== null && written.format !== 'json') {
    return `not signed: ${written.format} is signed only when written to a file (--out)`;
  }
  return 'not signed: no report signing key configured (report.signing in auditlake.yaml, or AUDITLAKE_REPORT_KEY; see docs/reports.md)';
}

function integrityText(report: Report): string {
  const v = report.store.verification;
  if (v.status === 'not verified') return 'integrity: hash chain not verified (--no-verify)';
  if (v.status === 'intact') {
    return `integrity: hash chain verified intact (${plural(v.checked.events, 'event')}, ${plural(v.checked.batches, 'chain link')})`;
  }
  return `integrity: HASH CHAIN BROKEN for the period (${plural(v.problems_total, 'problem')}, first: ${v.first_break?.detail ?? 'see auditlake verify'}); run auditlake verify`;
}

function summaryText(report: Report, written: WrittenReport): string {
  const files = written.files;
  const pages = written.pdf?.pages ?? null;
  const c = report.summary.controls;
  const f = report.summary.findings;
  return [
    `${report.framework.name} ${report.framework.version} report for ${report.organization}, ${report.period.from.slice(0, 10)} to ${new Date(Date.parse(report.period.to) - 1).toISOString().slice(0, 10)}`,
    `controls: ${c.satisfied} satisfied, ${c.findings} with findings, ${c['no evidence']} without evidence, ${c['not applicable']} not applicable`,
    `findings: ${f.critical} critical, ${f.high} high, ${f.medium} medium, ${f.low} low, ${f.info} info; ${report.summary.suppressed_findings} suppressed`,
    integrityText(report),
    ...files.map((p) => `wrote ${p}${pages !== null && p.endsWith('.pdf') ? ` (${pages} pages)` : ''}`),
    signingText(written),
    '',
  ].join('\n');
}

export function registerReport(
  program: Command,
  globals: () => GlobalOptions,
  done: (r: CommandResult) => void,
): void {
  program
    .command('report')
    .description('compliance report for a framework and period: PDF, JSON, CSV or OSCAL (docs/reports.md)')
    .requiredOption('--framework <key>', 'framework key, e.g. pci_dss_v4.0, cis_aws_v6.0.0')
    .requiredOption('--from <date>', 'first day of the period (UTC)')
    .requiredOption('--to <date>', 'end of the period, exclusive: a bare date means its midnight (UTC)')
    .option('--out <file>', 'output file (default for pdf: reports/out/<framework>_<from>_<to>.pdf)')
    .option('--format <format>', `${REPORT_FORMATS.join(', ')} (default pdf)`, 'pdf')
    .option('--generated-at <time>', 'the generation time to print (fixed for reproducible output)')
    .option(
      '--no-verify',
      'do not recompute the hash chain for the period (faster on a large store; the integrity check then has no evidence)',
    )
    .option(
      '--config <path>',
      'auditlake.yaml (report.organization, report.max_findings_per_detector, report.signing)',
    )
    .addHelpText('after', `\nFrameworks: ${listFrameworkKeys().join(', ')}`)
    .action(async (opts: ReportCliOptions) => {
      if (!(REPORT_FORMATS as readonly string[]).includes(opts.format ?? 'pdf')) {
        throw new UsageError(
          `unknown report format "${opts.format}"`,
          `use one of: ${REPORT_FORMATS.join(', ')}`,
        );
      }
      const format = (opts.format ?? 'pdf') as ReportFormat;
      const from = parseTime('--from', opts.from) as Date;
      const to = parseTime('--to', opts.to) as Date;
      if (to <= from)
        throw new UsageError(
          '--to must be after --from',
          '--to is exclusive: --from 2026-11-01 --to 2026-12-01 is November',
        );
      if (to.getTime() - from.getTime() > 400 * DAY_MS)
        throw new UsageError('the period is longer than 400 days');
      const generatedAt = opts.generatedAt
        ? (parseTime('--generated-at', opts.generatedAt) as Date)
        : new Date();
      const loaded = loadConfig({ path: opts.config });
      const config = loaded.config.report;
      // Before the computation: a configured key that cannot be read stops the run, never an unsigned report.
      const signingKey = signingKeyFromConfig(loaded);
      const report = await computeFromStore(
        resolveDbPath(globals().db),
        {
          framework: opts.framework,
          from,
          to,
          generatedAt,
          organization: config.organization,
          retentionDays: retentionDays(loaded.config.retention),
          verifyChain: opts.verify,
        },
        { configPath: opts.config },
      );
      const written = await writeReport(report, format, opts.out, {
        maxFindingsPerDetector: config.max_findings_per_detector,
        signingKey,
      });
      // The document owns stdout when it goes there; the signing status then goes to stderr.
      if (written.text !== null) process.stderr.write(`auditlake: ${signingText(written)}\n`);
      const broken = report.store.verification.status === 'broken';
      if (broken && written.text !== null) process.stderr.write(`auditlake: ${integrityText(report)}\n`);
      // Something to look at, as for new high findings: the evidence itself changed after it was chained.
      done({
        output: written.text ?? summaryText(report, written),
        exitCode: broken ? EXIT.highFindings : EXIT.ok,
      });
    });
}
