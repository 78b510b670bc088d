import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { type DayCounts, eventsPerDay, eventsPerFormat, type FormatCounts } from '../../store/inventory.js';
import { openStore, resolveDbPath } from '../../store/open-store.js';
import type { CommandResult, GlobalOptions } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { chooseFormat, renderDocument, renderRows } from '../output.js';
import { type IngestFilesResult, ingestSummaryText, runIngestFiles } from './ingest-files.js';

/** samples/ of the installed package, whatever the working directory. */
export const SAMPLES_DIR = fileURLToPath(new URL('../../../../samples', import.meta.url));

export interface DemoResult {
  ingest: IngestFilesResult;
  per_format: FormatCounts[];
  per_day: DayCounts[];
}

/** The nightly pipeline on the bundled samples: what `npm start` runs. */
export async function runDemo(dbPath: string, samplesDir: string, quiet: boolean): Promise<DemoResult> {
  const ingest = await runIngestFiles(dbPath, [samplesDir], { quiet, command: 'demo' });
  const store = await openStore({ path: dbPath, readOnly: true });
  try {
    return {
      ingest,
      per_format: await eventsPerFormat(store.connection),
      per_day: await eventsPerDay(store.connection),
    };
  } finally {
    store.close();
  }
}

function demoText(result: DemoResult): string {
  return [
    'auditlake demo: the nightly pipeline on samples/',
    '',
    '== ingest ==',
    ingestSummaryText(result.ingest),
    '== events by source and format ==',
    renderRows(result.per_format as unknown as Record<string, unknown>[], 'table'),
    '== events per day ==',
    renderRows(result.per_day as unknown as Record<string, unknown>[], 'table'),
    'Try:',
    `  npx auditlake query "select actor, count(*) as events from events group by actor order by events desc limit 10"`,
    '',
  ].join('\n');
}

export function registerDemo(
  program: Command,
  globals: () => GlobalOptions,
  done: (r: CommandResult) => void,
): void {
  program
    .command('demo')
    .description('run the nightly pipeline on the bundled samples/ (what `npm start` does)')
    .option('--samples <dir>', 'sample directory', SAMPLES_DIR)
    .option('--format <format>', 'summary as table (text) or json')
    .action(async (opts: { samples: string; format?: string }) => {
      const format = chooseFormat(opts.format, true);
      const result = await runDemo(resolveDbPath(globals().db), opts.samples, format !== 'table');
      done({
        output: renderDocument(result, format, () => demoText(result)),
        exitCode: result.ingest.status === 'ok' ? EXIT.ok : EXIT.partial,
      });
    });
}
