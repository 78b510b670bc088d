import type { DuckDBConnection } from '@duckdb/node-api';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { type LoadedConfig, loadConfig } from '../../config/load-config.js';
import type { SourcesConfig } from '../../config/sources-schema.js';
import { connectorsFor, doctorFor } from '../../connectors/registry.js';
import type { ConnectorContext, DoctorCheck, SourceConnector } from '../../connectors/source-connector.js';
import { UsageError } from '../../errors.js';
import { filesEntryName, ingestFilesEntries, resolveFilePaths } from '../../ingest/ingest-file-sources.js';
import { ingestSources, type StreamProgress, type StreamSummary } from '../../ingest/ingest-sources.js';
import { configPublicKeys, digestSummaryLine } from '../../integrity/digest-config.js';
import type { DigestCheckSummary } from '../../integrity/verify-digests.js';
import { SOURCE_NAMES, type SourceName } from '../../model/event.js';
import { readCheckpoints } from '../../store/checkpoints.js';
import { ingestMemoryLimit } from '../../store/ingest-memory.js';
import { openStore, resolveDbPath } from '../../store/open-store.js';
import { finishRun, startRun } from '../../store/runs.js';
import { openStagingConnections } from '../../store/staging.js';
import { storeOptionsFromEnvironment } from '../../store/store-key.js';
import { storeFiles } from '../../store/store-owner.js';
import { localPermissionChecks, permissionRow } from '../../store/store-permissions.js';
import { redactJson } from '../../util/redact.js';
import type { CommandResult, GlobalOptions } from '../command.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { chooseFormat, type Row, renderDocument, renderRows } from '../output.js';
import { conflictsLine } from './ingest-files.js';

function context(quiet: boolean): ConnectorContext {
  return {
    now: () => new Date(),
    log: (event, fields) => {
      if (!quiet) process.stderr.write(`${redactJson({ level: 'info', event, ...fields })}\n`);
    },
  };
}

function requireSources(
  sources: SourcesConfig,
  clouds: readonly SourceName[],
  file: string | null,
  options: { withFiles?: boolean } = {},
): void {
  const configured = clouds.filter((c) => sources[c].length > 0);
  if (configured.length === 0 && !(options.withFiles && sources.files.length > 0)) {
    const which = clouds.length === 1 ? `${clouds[0]} sources` : 'sources';
    throw new UsageError(
      `no ${which} configured${file ? ` in ${file}` : ' (no auditlake.yaml here)'}`,
      sources.files.length > 0
        ? 'the `sources.files` entries are read by `auditlake ingest` (all sources) and `auditlake run`'
        : 'add a `sources:` section to auditlake.yaml (see docs/connectors/aws.md, gcp.md, azure.md), or ingest exports with `auditlake ingest files PATH`',
    );
  }
}

/** A line per stream on a terminal; structured progress lines otherwise. */
function streamProgress(quiet: boolean): { update(p: StreamProgress): void; stop(): void } {
  if (quiet) return { update() {}, stop() {} };
  if (!process.stderr.isTTY) {
    let last = 0;
    return {
      update(p) {
        if (Date.now() - last < 5000) return;
        last = Date.now();
        process.stderr.write(`ingest: ${p.scope} [${p.stream}] ${p.pages} pages, ${p.events} events\n`);
      },
      stop() {},
    };
  }
  const multi = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      format: '{stream} | {pages} pages | {events} events | {rate} events/s',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  return {
    update(p) {
      const rate = Math.round(p.events / Math.max(0.001, p.elapsedMs / 1000));
      const payload = { stream: p.stream, pages: p.pages, events: p.events, rate };
      const bar = bars.get(p.stream);
      if (bar) bar.update(0, payload);
      else bars.set(p.stream, multi.create(0, 0, payload));
    },
    stop() {
      multi.stop();
    },
  };
}

/** The `sources.files` entries as stream rows, read with the file ingest before the API sources. */
async function ingestFileSources(
  connection: DuckDBConnection,
  runId: number,
  loaded: LoadedConfig,
  options: { exclude: readonly string[]; staging: readonly DuckDBConnection[] },
): Promise<StreamSummary[]> {
  const entries = await ingestFilesEntries(connection, runId, loaded.config.sources.files, {
    configFile: loaded.file,
    exclude: options.exclude,
    staging: options.staging,
    cloudtrailPublicKeys: configPublicKeys(loaded),
  });
  return entries.map(({ name, summary, error, seconds }) => ({
    source: 'files',
    stream: `files/${name}`,
    scope: name,
    status: summary ? 'ok' : 'failed',
    pages: summary?.files_read ?? 0,
    records: summary?.records ?? 0,
    events_new: summary?.events_new ?? 0,
    events_duplicate: summary?.events_duplicate ?? 0,
    events_conflicting: summary?.events_conflicting ?? 0,
    errors: summary?.errors ?? 0,
    error,
    seconds,
  }));
}

export interface IngestSourcesResult {
  run_id: number;
  status: 'ok' | 'partial' | 'failed';
  streams: StreamSummary[];
  /** CloudTrail digest verification (S3 trail sources), when any digest was checked. */
  cloudtrail_digests?: DigestCheckSummary;
}

export async function runIngestSources(
  dbPath: string,
  clouds: readonly SourceName[],
  options: { configPath?: string | undefined; quiet: boolean; withFiles?: boolean },
): Promise<IngestSourcesResult> {
  const loaded = loadConfig({ path: options.configPath });
  requireSources(loaded.config.sources, clouds, loaded.file, { withFiles: options.withFiles });
  const connectors = await connectorsFor(loaded.config.sources, clouds, context(options.quiet));
  const store = await openStore({
    path: dbPath,
    memoryLimit: ingestMemoryLimit(),
    ...storeOptionsFromEnvironment({ configPath: options.configPath }),
  });
  try {
    const runId = await startRun(store.connection, `ingest ${clouds.length === 1 ? clouds[0] : 'all'}`);
    const progress = streamProgress(options.quiet);
    const controller = new AbortController();
    const stop = () => controller.abort(new Error('interrupted'));
    process.once('SIGINT', stop);
    let streams: StreamSummary[] = [];
    let digests: DigestCheckSummary | undefined;
    try {
      if (options.withFiles) {
        streams = await ingestFileSources(store.connection, runId, loaded, {
          staging: await openStagingConnections(store),
          exclude: storeFiles(store.path),
        });
      }
      streams = [
        ...streams,
        ...(await ingestSources(store.connection, runId, connectors, {
          signal: controller.signal,
          onProgress: (p) => progress.update(p),
          cloudtrailPublicKeys: configPublicKeys(loaded),
          onDigests: (s) => {
            if (s.digests > 0 || s.problems.length > 0) digests = s;
          },
        })),
      ];
    } finally {
      process.off('SIGINT', stop);
      progress.stop();
    }
    const failed = streams.filter((s) => s.status === 'failed').length;
    const status = failed === 0 ? 'ok' : failed === streams.length ? 'failed' : 'partial';
    const sum = (k: 'records' | 'events_new' | 'events_duplicate' | 'errors') =>
      streams.reduce((n, s) => n + s[k], 0);
    await finishRun(
      store.connection,
      runId,
      status,
      {
        events_read: sum('records'),
        events_new: sum('events_new'),
        events_duplicate: sum('events_duplicate'),
        errors: sum('errors'),
        files_read: 0,
        files_skipped: 0,
      },
      { streams },
    );
    return { run_id: runId, status, streams, ...(digests ? { cloudtrail_digests: digests } : {}) };
  } finally {
    store.close();
  }
}

function exitFor(status: IngestSourcesResult['status']): ExitCode {
  return status === 'ok' ? EXIT.ok : status === 'partial' ? EXIT.partial : EXIT.failed;
}

function summaryText(result: IngestSourcesResult): string {
  const rows = result.streams.map((s) => ({
    stream: s.stream,
    status: s.status,
    pages: s.pages,
    records: s.records,
    new: s.events_new,
    duplicate: s.events_duplicate,
    conflicts: s.events_conflicting,
    errors: s.errors,
  }));
  const failures = result.streams.filter((s) => s.error).map((s) => `  ${s.error}`);
  const conflicts = result.streams.reduce((n, s) => n + s.events_conflicting, 0);
  return `${renderRows(rows, 'table')}${failures.length ? `failed:\n${failures.join('\n')}\n` : ''}${conflicts > 0 ? `${conflictsLine(conflicts, result.run_id)}\n` : ''}${result.cloudtrail_digests ? `${digestSummaryLine(result.cloudtrail_digests)}\n` : ''}run ${result.run_id}: ${result.status}\n`;
}

export function registerIngestSources(
  ingest: Command,
  program: Command,
  globals: () => GlobalOptions,
  done: (r: CommandResult) => void,
): void {
  const action =
    (clouds: readonly SourceName[]) =>
    async (opts: { config?: string; format?: string; quiet?: boolean }) => {
      const format = chooseFormat(opts.format, true);
      const result = await runIngestSources(resolveDbPath(globals().db), clouds, {
        configPath: opts.config,
        quiet: Boolean(opts.quiet) || format !== 'table',
        // `ingest` (all) reads the configured export folders too; `ingest aws` etc. only their API.
        withFiles: clouds.length === SOURCE_NAMES.length,
      });
      done({
        output: renderDocument(result, format, () => summaryText(result)),
        exitCode: exitFor(result.status),
      });
    };
  const names: Record<SourceName, string> = {
    aws: 'AWS CloudTrail (LookupEvents API or the trail S3 bucket)',
    gcp: 'Google Cloud audit logs (Cloud Logging)',
    azure: 'Azure Activity and Entra ID logs (Log Analytics)',
  };
  for (const cloud of SOURCE_NAMES) {
    ingest
      .command(cloud)
      .description(`pull everything new from the configured ${names[cloud]} sources`)
      .option('--config <path>', 'config file (default: ./auditlake.yaml)')
      .option('--format <format>', 'summary as table (text) or json')
      .option('-q, --quiet', 'no progress output')
      .action(action([cloud]));
  }
  ingest
    .command('all', { isDefault: true })
    .description(
      'pull everything new from every source configured in auditlake.yaml, sources.files folders included (the default)',
    )
    .option('--config <path>', 'config file (default: ./auditlake.yaml)')
    .option('--format <format>', 'summary as table (text) or json')
    .option('-q, --quiet', 'no progress output')
    .action(action(SOURCE_NAMES));

  program
    .command('sources')
    .description('list the configured sources with their checkpoint and last result')
    .option('--config <path>', 'config file (default: ./auditlake.yaml)')
    .option('--format <format>', 'table, json, csv or ndjson')
    .action(async (opts: { config?: string; format?: string }) => {
      const format = chooseFormat(opts.format, Boolean(process.stdout.isTTY));
      const loaded = loadConfig({ path: opts.config });
      requireSources(loaded.config.sources, SOURCE_NAMES, loaded.file, { withFiles: true });
      const connectors = await connectorsFor(loaded.config.sources, SOURCE_NAMES, context(true));
      const files = loaded.config.sources.files.map((entry) => ({
        name: filesEntryName(entry),
        paths: resolveFilePaths(entry.paths, loaded.file),
      }));
      const rows = await sourceRows(resolveDbPath(globals().db), connectors, files);
      done({ output: renderRows(rows, format), exitCode: EXIT.ok });
    });

  program
    .command('doctor')
    .description(
      'check file permissions, and credentials and permissions of every configured source, without ingesting',
    )
    .option('--config <path>', 'config file (default: ./auditlake.yaml)')
    .option('--format <format>', 'table, json, csv or ndjson')
    .action(async (opts: { config?: string; format?: string }) => {
      const format = chooseFormat(opts.format, Boolean(process.stdout.isTTY));
      const loaded = loadConfig({ path: opts.config });
      // File permissions first: they matter even before any source is configured.
      const local = localPermissionChecks({
        configFile: loaded.file,
        dbPath: resolveDbPath(globals().db),
        store: loaded.config.store,
        reportSigningKeyFile: loaded.config.report.signing?.key_file,
      });
      const hasSources = SOURCE_NAMES.some((c) => loaded.config.sources[c].length > 0);
      if (!hasSources && local.length === 0) requireSources(loaded.config.sources, SOURCE_NAMES, loaded.file);
      const checks: DoctorCheck[] = hasSources
        ? await doctorFor(loaded.config.sources, SOURCE_NAMES, context(true))
        : [];
      const rows = [
        ...local.map(permissionRow),
        ...checks.map((c) => ({ ...c, ok: c.ok ? 'ok' : 'FAILED' })),
      ];
      const ok = checks.every((c) => c.ok) && local.every((c) => c.status !== 'failed');
      done({ output: renderRows(rows, format), exitCode: ok ? EXIT.ok : EXIT.failed });
    });
}

async function sourceRows(
  dbPath: string,
  connectors: readonly SourceConnector[],
  files: readonly { name: string; paths: string[] }[] = [],
): Promise<Row[]> {
  let checkpoints = new Map<string, Map<string, unknown>>();
  const last = new Map<string, StreamSummary & { at: string }>();
  try {
    const store = await openStore({ path: dbPath, readOnly: true, ...storeOptionsFromEnvironment() });
    try {
      const sources = new Set<string>(connectors.map((c) => c.source));
      if (files.length > 0) sources.add('files');
      for (const source of sources) checkpoints.set(source, await readCheckpoints(store.connection, source));
      const reader = await store.connection.runAndReadAll(
        // Parenthesized: DuckDB binds `->>` looser than AND.
        `select strftime(started_at, '%Y-%m-%dT%H:%M:%SZ') as at, (details->>'$.streams') as streams
from runs
where command like 'ingest %' and (details->>'$.streams') is not null
order by started_at`,
      );
      for (const [at, streams] of reader.getRows()) {
        for (const s of JSON.parse(String(streams)) as StreamSummary[])
          last.set(s.stream, { ...s, at: String(at) });
      }
    } finally {
      store.close();
    }
  } catch {
    checkpoints = new Map();
  }
  const row = (source: string, stream: string, scope: string, checkpoint: unknown): Row => {
    const result = last.get(stream);
    return {
      source,
      stream,
      scope,
      checkpoint,
      last_run: result?.at ?? null,
      last_status: result?.status ?? 'never run',
      last_new_events: result?.events_new ?? null,
      last_error: result?.error ?? null,
    };
  };
  const fileOrigins = [...(checkpoints.get('files')?.keys() ?? [])];
  return [
    ...files.map((f) =>
      // A files entry's checkpoint is one per file read: say how many under its folders.
      row('files', `files/${f.name}`, f.paths.join(', '), {
        files: fileOrigins.filter((o) => f.paths.some((p) => o === p || o.startsWith(`${p}/`))).length,
      }),
    ),
    ...connectors.map((c) =>
      row(c.source, c.stream, c.scope, checkpoints.get(c.source)?.get(c.stream) ?? null),
    ),
  ];
}
