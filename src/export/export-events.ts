import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { checkSingleSelect, firstLine, wrapSelect } from '../detect/select-guard.js';
import { AuditlakeError, StoreError, UsageError } from '../errors.js';
import { sqlString } from '../normalize/normalize-sql.js';
import { openStore, type StoreOptions } from '../store/open-store.js';
import {
  ensurePrivateDir,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  tightenUmask,
  writePrivateFile,
} from '../util/private-files.js';

export const EXPORT_FORMATS = ['parquet', 'csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  readonly store: StoreOptions;
  readonly format: ExportFormat;
  /** A new (or empty) folder for parquet; a file for csv and ndjson. */
  readonly out: string;
  /** An analyst's SQL predicate over `events`, checked to be part of one SELECT. */
  readonly where?: string | undefined;
  /** event_time >= from. */
  readonly from?: Date | undefined;
  /** event_time < to. */
  readonly to?: Date | undefined;
  /** Replace an existing csv/ndjson file. */
  readonly force?: boolean | undefined;
  readonly now?: Date;
}

export interface ExportedFile {
  /** Relative to the export folder (parquet) or the file's own path (csv, ndjson). */
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface ExportSummary {
  readonly format: ExportFormat;
  readonly out: string;
  readonly rows: number;
  readonly where: string | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly exported_at: string;
  /** Rows per source and UTC day: the partitions of a parquet export. */
  readonly partitions: { source: string; date: string; rows: number }[];
  readonly files: ExportedFile[];
}

/** Name of the manifest a parquet export writes beside its partitions. */
export const MANIFEST_FILE = 'manifest.json';

const SELECTION = 'select * from events';

/**
 * The SELECT an export runs: the analyst's predicate in parentheses on its own lines (so a trailing
 * `--` comment cannot swallow the rest), the time bounds from variables.
 */
export function selectionSql(where: string | undefined): string {
  const clauses = ["event_time >= getvariable('export_from')", "event_time < getvariable('export_to')"];
  if (where !== undefined && where.trim() !== '') clauses.unshift(`(\n${where}\n)`);
  return `${SELECTION}\nwhere ${clauses.join('\n  and ')}`;
}

/**
 * Refuses a --where that would make the selection anything but one SELECT (a `; drop table events`,
 * a second statement, an unbalanced parenthesis reaching out of the predicate).
 */
export async function guardSelection(
  connection: DuckDBConnection,
  sql: string,
  where: string,
): Promise<void> {
  const verdict = await checkSingleSelect(connection, sql);
  const hint =
    "pass a predicate over events columns, e.g. --where \"source = 'aws' and actor like '%alice%'\"";
  if (verdict.kind === 'statements') {
    throw new UsageError(
      `refused --where: it makes ${verdict.count} SQL statements; it must be a predicate`,
      hint,
    );
  }
  if (verdict.kind === 'not_select') {
    throw new UsageError(`refused --where: it makes a ${verdict.what}, not a SELECT`, hint);
  }
  if (verdict.kind === 'error') {
    throw new UsageError(`refused --where ${JSON.stringify(where)}: ${firstLine(verdict.cause)}`, hint);
  }
}

function checkTarget(options: ExportOptions, target: string): void {
  if (options.format === 'parquet') {
    if (existsSync(target) && (!statSync(target).isDirectory() || readdirSync(target).length > 0)) {
      throw new UsageError(
        `${target} exists and is not an empty folder`,
        'a parquet export goes to a new folder',
      );
    }
  } else if (existsSync(target)) {
    if (statSync(target).isDirectory()) {
      throw new UsageError(
        `${target} is a folder`,
        `a ${options.format} export is one file: name it, e.g. --out evidence.${options.format === 'csv' ? 'csv' : 'ndjson'}`,
      );
    }
    if (!options.force)
      throw new UsageError(`${target} exists`, 'pass --force to replace it, or choose another name');
  }
}

/** Every file under dir, made owner-only (dirs 0700, files 0600), with size and sha256. */
function sealFiles(dir: string): ExportedFile[] {
  const files: ExportedFile[] = [];
  const walk = (d: string): void => {
    chmodSync(d, PRIVATE_DIR_MODE);
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        chmodSync(path, PRIVATE_FILE_MODE);
        const bytes = readFileSync(path);
        files.push({
          path: relative(dir, path).split(sep).join('/'),
          bytes: bytes.length,
          sha256: createHash('sha256').update(bytes).digest('hex'),
        });
      }
    }
  };
  walk(dir);
  return files;
}

/**
 * Locks the instance down for the export: the only files it may touch are in `staging` (the
 * output and DuckDB's spill files), no network, no extensions, then the configuration is locked so
 * nothing in the analyst's predicate can undo it.
 */
async function restrictToStaging(connection: DuckDBConnection, staging: string): Promise<void> {
  await connection.run(`set temp_directory = ${sqlString(join(staging, 'spill'))}`);
  await connection.run(`set allowed_directories = [${sqlString(staging)}]`);
  await connection.run('set autoinstall_known_extensions = false');
  await connection.run('set autoload_known_extensions = false');
  await connection.run('set enable_external_access = false');
  await connection.run('set lock_configuration = true');
}

function copyOptions(format: ExportFormat): string {
  switch (format) {
    case 'parquet':
      return '(format parquet, compression zstd, partition_by (source, date))';
    case 'csv':
      return '(format csv, header true)';
    case 'ndjson':
      return '(format json)';
  }
}

/**
 * Exports the events the predicate and time bounds select, for sharing evidence: Parquet in a
 * hive layout by source and UTC day (`source=aws/date=2026-11-01/data_0.parquet`) with a
 * manifest, or one CSV or NDJSON file. The store is opened read-only; files are written to a
 * private staging folder beside the target, made owner-only, then renamed into place, so a reader
 * never sees a half-written export.
 */
export async function exportEvents(options: ExportOptions): Promise<ExportSummary> {
  const target = resolve(options.out);
  checkTarget(options, target);
  if (options.store.path !== ':memory:' && !existsSync(options.store.path)) {
    throw new StoreError(`no store at ${options.store.path}`, { hint: 'ingest first, or pass --db' });
  }
  tightenUmask();
  ensurePrivateDir(dirname(target));
  const staging = mkdtempSync(join(dirname(target), `.${basename(target)}.export-`));
  const store = await openStore({ ...options.store, readOnly: true });
  try {
    const c = store.connection;
    const from = options.from ?? new Date(0);
    const to = options.to ?? new Date(Date.UTC(9999, 0, 1));
    await c.run('set variable export_from = $1::timestamptz', [from.toISOString()]);
    await c.run('set variable export_to = $1::timestamptz', [to.toISOString()]);
    const selection = selectionSql(options.where);
    // Locked down first: checking the predicate binds it, and binding a table function may read.
    await restrictToStaging(c, staging);
    if (options.where !== undefined) await guardSelection(c, selection, options.where);
    const rowsSql = `select *, strftime(event_time at time zone 'UTC', '%Y-%m-%d') as date\nfrom (\n${wrapSelect(selection)}\n)`;
    const partitionsReader = await c.runAndReadAll(
      `select source, date, count(*)::bigint as n from (${rowsSql}) group by all order by source, date`,
    );
    const partitions = partitionsReader.getRows().map(([source, date, n]) => ({
      source: String(source),
      date: String(date),
      rows: Number(n),
    }));
    const staged = join(staging, options.format === 'parquet' ? 'out' : `out.${options.format}`);
    // Only parquet keeps the day as a partition; the other formats carry event_time itself.
    const copied = options.format === 'parquet' ? rowsSql : wrapSelect(selection);
    await c.run(`copy (\n${copied}\n) to ${sqlString(staged)} ${copyOptions(options.format)}`);
    const rows = partitions.reduce((sum, p) => sum + p.rows, 0);
    const exportedAt = (options.now ?? new Date()).toISOString();
    let files: ExportedFile[];
    if (options.format === 'parquet') {
      if (!existsSync(staged)) ensurePrivateDir(staged);
      files = sealFiles(staged);
    } else {
      chmodSync(staged, PRIVATE_FILE_MODE);
      const bytes = readFileSync(staged);
      files = [
        {
          path: basename(target),
          bytes: bytes.length,
          sha256: createHash('sha256').update(bytes).digest('hex'),
        },
      ];
    }
    const summary: ExportSummary = {
      format: options.format,
      out: target,
      rows,
      where: options.where ?? null,
      from: options.from?.toISOString() ?? null,
      to: options.to?.toISOString() ?? null,
      exported_at: exportedAt,
      partitions,
      files,
    };
    if (options.format === 'parquet') {
      writePrivateFile(
        join(staged, MANIFEST_FILE),
        `${JSON.stringify({ ...summary, out: undefined }, null, 2)}\n`,
      );
      if (existsSync(target)) rmSync(target, { recursive: true });
    }
    renameSync(staged, target);
    return summary;
  } catch (error) {
    if (error instanceof AuditlakeError) throw error;
    throw new AuditlakeError('internal', `export failed: ${firstLine(error)}`, { cause: error });
  } finally {
    store.close();
    rmSync(staging, { recursive: true, force: true });
  }
}
