import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { EXPORT_FORMATS, type ExportFormat, exportEvents } from '../../export/export-events.js';
import { resolveDbPath } from '../../store/open-store.js';
import { storeOptionsFromEnvironment } from '../../store/store-key.js';
import type { CommandResult, GlobalOptions } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { renderDocument } from '../output.js';
import { parseTime } from './detect.js';

interface ExportCliOptions {
  format?: string;
  out?: string;
  where?: string;
  from?: string;
  to?: string;
  force?: boolean;
  json?: boolean;
}

export function registerExport(
  program: Command,
  globals: () => GlobalOptions,
  done: (r: CommandResult) => void,
): void {
  program
    .command('export')
    .description(
      'export events as Parquet (partitioned by source and day), CSV or NDJSON, for sharing evidence',
    )
    .requiredOption('--out <path>', 'a new folder (parquet) or a file (csv, ndjson)')
    .option('--format <format>', 'parquet, csv or ndjson', 'parquet')
    .option('--where <predicate>', 'SQL predicate over events columns, e.g. "actor like \'%alice%\'"')
    .option('--from <time>', 'events at or after this time (ISO date or date-time, UTC)')
    .option('--to <time>', 'events before this time')
    .option('--force', 'replace an existing csv/ndjson file')
    .option('--json', 'print the summary as JSON (default when piped)')
    .addHelpText(
      'after',
      `
Examples:
  auditlake export --out evidence/ --from 2026-11-01 --to 2026-11-08
  auditlake export --format csv --out alice.csv --where "actor like '%alice%'"
  auditlake export --format ndjson --out ip.ndjson --where "source_ip = '203.0.113.50'"`,
    )
    .action(async (opts: ExportCliOptions) => {
      const format = opts.format ?? 'parquet';
      if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
        throw new UsageError(`unknown export format "${format}"`, `use one of: ${EXPORT_FORMATS.join(', ')}`);
      }
      const from = parseTime('--from', opts.from);
      const to = parseTime('--to', opts.to);
      if (from && to && from >= to) throw new UsageError('--from must be before --to');
      if (opts.where !== undefined && opts.where.trim() === '') throw new UsageError('--where is empty');
      const summary = await exportEvents({
        store: { path: resolveDbPath(globals().db), ...storeOptionsFromEnvironment() },
        format: format as ExportFormat,
        out: opts.out ?? '',
        where: opts.where,
        from,
        to,
        force: opts.force,
      });
      const json = opts.json || !process.stdout.isTTY;
      const output = renderDocument(summary, json ? 'json' : 'table', () => {
        const where =
          summary.format === 'parquet'
            ? `${summary.out}/ (${summary.files.length} file(s), manifest.json)`
            : summary.out;
        const days = summary.partitions.length;
        return `exported ${summary.rows} event(s) from ${days} source-day(s) as ${summary.format} to ${where}\n`;
      });
      done({ output, exitCode: EXIT.ok });
    });
}
