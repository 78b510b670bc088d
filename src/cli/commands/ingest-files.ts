import { relative } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { type FileIngestSummary, ingestFiles } from '../../ingest/ingest-files.js';
import { configPublicKeys, digestSummaryLine } from '../../integrity/digest-config.js';
import { ingestMemoryLimit } from '../../store/ingest-memory.js';
import { type IngestErrorSummary, ingestErrorsOfRun } from '../../store/inventory.js';
import { openStore, resolveDbPath } from '../../store/open-store.js';
import { finishRun, type RunStatus, startRun } from '../../store/runs.js';
import { openStagingConnections } from '../../store/staging.js';
import { storeOptionsFromEnvironment } from '../../store/store-key.js';
import { storeFiles } from '../../store/store-owner.js';
import type { CommandResult, GlobalOptions } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { chooseFormat, renderDocument } from '../output.js';
import { fileProgressReporter } from '../progress.js';

export interface IngestFilesResult {
  run_id: number;
  status: RunStatus;
  store: string;
  summary: FileIngestSummary;
  errors_sample: IngestErrorSummary[];
  /** Wall time and this process's peak resident memory, for capacity planning. */
  resources: { elapsed_s: number; peak_rss_mb: number };
}

/** Ingests files into the store and records the run. The error sample names what failed and where. */
export async function runIngestFiles(
  dbPath: string,
  paths: readonly string[],
  options: {
    quiet: boolean;
    command?: string;
    batchRecords?: number;
    batchMb?: number;
    /** --config: for integrity.cloudtrail_public_keys (./auditlake.yaml when present otherwise). */
    configPath?: string | undefined;
  },
): Promise<IngestFilesResult> {
  const started = performance.now();
  const cloudtrailPublicKeys = configPublicKeys(loadConfig({ path: options.configPath }));
  // DuckDB would otherwise cache up to 80% of RAM; ingest streams batches and needs little.
  const store = await openStore({
    path: dbPath,
    memoryLimit: ingestMemoryLimit(process.env, options.batchMb),
    ...storeOptionsFromEnvironment(),
  });
  try {
    const runId = await startRun(store.connection, options.command ?? 'ingest files');
    const progress = fileProgressReporter(process.stderr, options.quiet);
    let summary: FileIngestSummary;
    try {
      summary = await ingestFiles(store.connection, runId, {
        paths,
        exclude: storeFiles(store.path),
        ...(options.batchRecords ? { batchRecords: options.batchRecords } : {}),
        ...(options.batchMb ? { batchBytes: options.batchMb * 1024 * 1024 } : {}),
        onProgress: (p) => progress.update(p),
        cloudtrailPublicKeys,
        staging: await openStagingConnections(store),
      });
    } catch (error) {
      progress.stop();
      await finishRun(store.connection, runId, 'failed', emptyCounts(), { error: String(error) });
      throw error;
    }
    progress.stop();
    const status: RunStatus = summary.errors > 0 ? 'partial' : 'ok';
    await finishRun(
      store.connection,
      runId,
      status,
      {
        events_read: summary.records,
        events_new: summary.events_new,
        events_duplicate: summary.events_duplicate,
        errors: summary.errors,
        files_read: summary.files_read,
        files_skipped: summary.files_unchanged,
      },
      {
        paths,
        files_not_events: summary.files_not_events.length,
        events_conflicting: summary.events_conflicting,
      },
    );
    const errorsSample = await ingestErrorsOfRun(store.connection, runId, 10);
    const resources = {
      elapsed_s: Math.round(performance.now() - started) / 1000,
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    return { run_id: runId, status, store: store.path, summary, errors_sample: errorsSample, resources };
  } finally {
    store.close();
  }
}

function emptyCounts() {
  return { events_read: 0, events_new: 0, events_duplicate: 0, errors: 0, files_read: 0, files_skipped: 0 };
}

/** Relative to the working directory when under it, absolute otherwise. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}

export function ingestSummaryText(result: IngestFilesResult): string {
  const s = result.summary;
  const lines = [
    `files: ${s.files_seen} seen, ${s.files_read} read, ${s.files_unchanged} unchanged since last run` +
      (s.files_not_events.length
        ? `, ${s.files_not_events.length} skipped (not events, e.g. CloudTrail digests)`
        : ''),
    `records: ${s.records} read, ${s.events_new} new events, ${s.events_duplicate} already in the store`,
    conflictsLine(s.events_conflicting, result.run_id),
  ];
  if (s.cloudtrail_digests) lines.push(digestSummaryLine(s.cloudtrail_digests));
  if (s.files_read_in_node > 0) {
    lines.push(
      `slow path: ${s.files_read_in_node} file(s) read in Node because DuckDB's reader failed (${s.bulk_fallback ?? 'unknown'})`,
    );
  }
  if (s.errors > 0) {
    lines.push(
      `errors: ${s.errors} in ${s.files_with_errors} file(s); every good record of those files was kept`,
    );
    for (const e of result.errors_sample) {
      lines.push(`  ${displayPath(e.origin)}${e.position ? ` @ ${e.position}` : ''}: ${e.reason}`);
    }
    if (s.errors > result.errors_sample.length) {
      lines.push(
        `  ... all of them: auditlake query "select * from ingest_errors where run_id = ${result.run_id}"`,
      );
    }
  } else lines.push('errors: none');
  lines.push(`store: ${result.store} (run ${result.run_id}, ${result.status})`);
  lines.push(`took ${result.resources.elapsed_s} s, peak memory ${result.resources.peak_rss_mb} MB`);
  return `${lines.join('\n')}\n`;
}

/** Duplicate ids with different content: the first copy is kept, each other one is on record. */
export function conflictsLine(conflicts: number, runId: number): string {
  if (conflicts === 0) return 'conflicts: none (no duplicate id with different content)';
  return (
    `conflicts: ${conflicts} duplicate event id(s) with different content; the first copy was kept, ` +
    `the others are recorded: auditlake query "select * from event_conflicts where run_id = ${runId}"`
  );
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

export function registerIngestFiles(
  ingest: Command,
  globals: () => GlobalOptions,
  done: (r: CommandResult) => void,
): void {
  ingest
    .command('files')
    .description(
      'ingest CloudTrail, Google Cloud audit and Azure / Entra ID exports from files and directories',
    )
    .argument('<paths...>', 'files or directories (walked recursively; .gz read by content)')
    .option('--format <format>', 'summary as table (text) or json')
    .option('-q, --quiet', 'no progress output')
    .option('--batch-records <n>', 'records per commit on the line-by-line path (default 50000)', positiveInt)
    .option('--batch-mb <n>', 'decompressed MB per bulk commit (default 128)', positiveInt)
    .option(
      '--config <path>',
      'config file, for integrity.cloudtrail_public_keys (default: ./auditlake.yaml)',
    )
    .addHelpText(
      'after',
      `
Examples:
  auditlake ingest files ./exports/AWSLogs
  auditlake ingest files ./trail-sync/AWSLogs --config auditlake.yaml   # verifies CloudTrail digests too
  auditlake ingest files ~/Downloads/signins.json ./gcp-sink --format json`,
    )
    .action(
      async (
        paths: string[],
        opts: {
          format?: string;
          quiet?: boolean;
          batchRecords?: number;
          batchMb?: number;
          config?: string;
        },
      ) => {
        const g = globals();
        const format = chooseFormat(opts.format, true);
        const result = await runIngestFiles(resolveDbPath(g.db), paths, {
          quiet: Boolean(opts.quiet) || format !== 'table',
          ...(opts.batchRecords ? { batchRecords: opts.batchRecords } : {}),
          ...(opts.batchMb ? { batchMb: opts.batchMb } : {}),
          configPath: opts.config,
        });
        done({
          output: renderDocument(result, format, () => ingestSummaryText(result)),
          exitCode: result.status === 'ok' ? EXIT.ok : EXIT.partial,
        });
      },
    );
}
