import type { Command } from 'commander';
import { type ReportFileVerification, verifyReportFile } from '../../report/verify-report-file.js';
import type { CommandResult } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { chooseFormat, renderDocument } from '../output.js';

interface VerifyReportCliOptions {
  sig?: string;
  publicKey?: string;
  format?: string;
}

export function verifyReportText(r: ReportFileVerification): string {
  const lines = [
    r.status === 'valid'
      ? `VALID: ${r.file} is the report auditlake signed${r.signed_at ? ` at ${r.signed_at}` : ''}`
      : `INVALID: ${r.file}: ${r.reason}`,
  ];
  const width = Math.max(...r.checks.map((c) => c.check.length));
  for (const c of r.checks)
    lines.push(`  ${c.ok ? 'ok    ' : 'FAILED'}  ${c.check.padEnd(width)}  ${c.detail}`);
  if (r.status === 'valid' && r.expected_fingerprint === null) {
    lines.push(
      `warning: the key is self-asserted (the signature carries its own public key, ${r.key_fingerprint}): ` +
        'anyone can sign a file with a key of their own. Check that fingerprint against the one the ' +
        'organisation published, or pin the key with --public-key KEY.pub.pem.',
    );
  }
  return `${lines.join('\n')}\n`;
}

export function registerVerifyReport(program: Command, done: (r: CommandResult) => void): void {
  program
    .command('verify-report')
    .description('check that a PDF or JSON report (or CSV/OSCAL file) is the one auditlake wrote and signed')
    .argument('<file>', 'the report file')
    .option('--sig <file>', 'the detached signature (default: FILE.sig; a JSON report may carry its own)')
    .option('--public-key <pem>', 'the public key the report must be signed with (pins the key)')
    .option('--format <format>', 'table (text) or json (default: table on a terminal, json when piped)')
    .addHelpText(
      'after',
      `
Exit code 0 when the signature is valid, 1 when the file was modified, was signed with another key
than --public-key, or is not signed. See docs/reports.md.

Examples:
  auditlake verify-report reports/out/pci_dss_v4.0_2026-11-01_2026-11-30.pdf --public-key keys/report-signing.pub.pem
  auditlake verify-report report.json`,
    )
    .action((file: string, opts: VerifyReportCliOptions) => {
      const format = chooseFormat(opts.format, Boolean(process.stdout.isTTY));
      const result = verifyReportFile(file, { sig: opts.sig, publicKey: opts.publicKey });
      done({
        output: renderDocument(result, format, () => verifyReportText(result)),
        exitCode: result.status === 'valid' ? EXIT.ok : EXIT.failed,
      });
    });
}
