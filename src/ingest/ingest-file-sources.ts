import { isAbsolute, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FilesSourceConfig } from '../config/sources/files.js';
import { describeError } from '../errors.js';
import type { CloudTrailPublicKey } from '../integrity/public-keys.js';
import { redact } from '../util/redact.js';
import { type FileIngestSummary, ingestFiles } from './ingest-files.js';

/** A `sources.files` entry as ingested: its summary, or the one-line reason it failed. */
export interface FilesEntryOutcome {
  readonly name: string;
  readonly summary: FileIngestSummary | null;
  /** Redacted, when the entry failed (a missing folder fails that entry only). */
  readonly error: string | null;
  readonly seconds: number;
}

/** A files entry's name in summaries and `sources`: its `name`, else its first path. */
export function filesEntryName(entry: FilesSourceConfig): string {
  return entry.name ?? entry.paths[0] ?? 'files';
}

/** A files entry's paths, relative ones against the config file's folder (else the working directory). */
export function resolveFilePaths(paths: readonly string[], configFile: string | null): string[] {
  const base = configFile ? resolve(configFile, '..') : process.cwd();
  return paths.map((p) => (isAbsolute(p) ? p : resolve(base, p)));
}

/**
 * Reads the `sources.files` entries of auditlake.yaml (folders of exports a sync job keeps filling)
 * one after the other with the file ingest; `auditlake ingest` and `auditlake run` both use it.
 */
export async function ingestFilesEntries(
  connection: DuckDBConnection,
  runId: number,
  entries: readonly FilesSourceConfig[],
  options: {
    configFile: string | null;
    exclude: readonly string[];
    cloudtrailPublicKeys?: readonly CloudTrailPublicKey[] | undefined;
    log?: (event: string, fields: Record<string, string>) => void;
    /** Other connections to the store (FileIngestOptions.staging). */
    staging?: readonly DuckDBConnection[];
  },
): Promise<FilesEntryOutcome[]> {
  const outcomes: FilesEntryOutcome[] = [];
  for (const entry of entries) {
    const name = filesEntryName(entry);
    const paths = resolveFilePaths(entry.paths, options.configFile);
    options.log?.('ingest.files_entry', { name, paths: paths.join(', ') });
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const summary = await ingestFiles(connection, runId, {
        paths,
        exclude: options.exclude,
        ...(options.staging ? { staging: options.staging } : {}),
        ...(options.cloudtrailPublicKeys ? { cloudtrailPublicKeys: options.cloudtrailPublicKeys } : {}),
      });
      outcomes.push({ name, summary, error: null, seconds: seconds() });
    } catch (error) {
      const reason = redact(`files ${name}: ${describeError(error).split('\n')[0]}`);
      outcomes.push({ name, summary: null, error: reason, seconds: seconds() });
    }
  }
  return outcomes;
}
