import type { DuckDBConnection } from '@duckdb/node-api';
import type { SourcesConfig } from '../config/sources-schema.js';
import { connectorsFor } from '../connectors/registry.js';
import type { ConnectorContext } from '../connectors/source-connector.js';
import { ingestFilesEntries } from '../ingest/ingest-file-sources.js';
import { ingestSources } from '../ingest/ingest-sources.js';
import type { CloudTrailPublicKey } from '../integrity/public-keys.js';
import { SOURCE_NAMES } from '../model/event.js';
import { redact } from '../util/redact.js';

/** One configured source (an API stream, or a files entry) as the run ingested it. */
export interface RunSourceResult {
  /** aws, gcp, azure or files. */
  source: string;
  /** The stream's scope (account and region, project, workspace) or the files entry's name. */
  name: string;
  status: 'ok' | 'failed';
  records: number;
  events_new: number;
  events_duplicate: number;
  /** Records that could not be read (rows in ingest_errors), plus the failure itself when it failed. */
  errors: number;
  /** One redacted line, when the source failed. */
  error: string | null;
}

export interface RunIngestResult {
  sources: RunSourceResult[];
  files_read: number;
  files_skipped: number;
}

/**
 * Ingests every configured source into the run: the files entries one after the other (each its
 * own result, so a missing folder fails that entry only), then every API stream concurrently
 * within its quota (ingest-sources.ts). Events carry the run's id.
 */
export async function ingestConfiguredSources(
  connection: DuckDBConnection,
  runId: number,
  sources: SourcesConfig,
  options: {
    configFile: string | null;
    exclude: readonly string[];
    context: ConnectorContext;
    signal?: AbortSignal;
    /** CloudTrail public keys from config (integrity.cloudtrail_public_keys), for digest signatures. */
    cloudtrailPublicKeys?: readonly CloudTrailPublicKey[];
    /** Other connections to the store, for the file ingest (FileIngestOptions.staging). */
    staging?: readonly DuckDBConnection[];
  },
): Promise<RunIngestResult> {
  const results: RunSourceResult[] = [];
  let filesRead = 0;
  let filesSkipped = 0;
  const entries = await ingestFilesEntries(connection, runId, sources.files, {
    configFile: options.configFile,
    exclude: options.exclude,
    cloudtrailPublicKeys: options.cloudtrailPublicKeys,
    ...(options.staging ? { staging: options.staging } : {}),
    log: (_event, fields) => options.context.log('run.ingest.files', fields),
  });
  for (const { name, summary, error } of entries) {
    filesRead += summary?.files_read ?? 0;
    filesSkipped += summary?.files_unchanged ?? 0;
    results.push({
      source: 'files',
      name,
      status: summary ? 'ok' : 'failed',
      records: summary?.records ?? 0,
      events_new: summary?.events_new ?? 0,
      events_duplicate: summary?.events_duplicate ?? 0,
      errors: summary ? summary.errors : 1,
      error,
    });
  }
  const connectors = await connectorsFor(sources, SOURCE_NAMES, options.context);
  if (connectors.length > 0) {
    options.context.log('run.ingest.api', { streams: connectors.length });
    const streams = await ingestSources(connection, runId, connectors, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.cloudtrailPublicKeys ? { cloudtrailPublicKeys: options.cloudtrailPublicKeys } : {}),
    });
    for (const s of streams) {
      results.push({
        source: s.source,
        name: s.scope,
        status: s.status,
        records: s.records,
        events_new: s.events_new,
        events_duplicate: s.events_duplicate,
        errors: s.errors,
        error: s.error === null ? null : redact(s.error),
      });
    }
  }
  return { sources: results, files_read: filesRead, files_skipped: filesSkipped };
}
