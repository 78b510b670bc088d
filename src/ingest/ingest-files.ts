import type { DuckDBConnection } from '@duckdb/node-api';
import { readLines, readWholeText } from '../connectors/files/read-file.js';
import type { FileLayout } from '../connectors/files/sniff.js';
import { splitJsonRecords } from '../connectors/files/split-json-records.js';
import { looksLikeContainer, unwrapContainers } from '../connectors/files/unwrap-containers.js';
import { type FoundFile, walkFiles } from '../connectors/files/walk-files.js';
import { describeError, StoreError } from '../errors.js';
import { isTrailLogPath } from '../integrity/cloudtrail-digest.js';
import { readDigestFile, verifyLocalDigests } from '../integrity/local-digests.js';
import type { CloudTrailPublicKey } from '../integrity/public-keys.js';
import type { DigestCheckSummary } from '../integrity/verify-digests.js';
import { sqlString } from '../normalize/normalize-sql.js';
import { readCheckpoints } from '../store/checkpoints.js';
import { type BatchOutcome, EventWriter } from '../store/event-writer.js';
import { DEFAULT_BATCH_MB } from '../store/ingest-memory.js';
import { ROW_GROUP_SIZE } from '../store/open-attached.js';
import { withOneThreadPerStatement } from '../store/staging.js';
import { Lookahead } from '../util/lookahead.js';
import { bulkBatchBytes } from './batch-rows.js';
import { type FileProbe, probeFile } from './file-probe.js';

/** What a file checkpoint remembers: enough to skip an unchanged file and resume a partly read one. */
export interface FileCursor {
  size: number;
  mtimeMs: number;
  sha256: string;
  /** True once every record of the file is committed. */
  complete: boolean;
  /** For line-delimited files read in several batches: the last committed line. */
  line?: number;
}

export interface FileIngestOptions {
  paths: readonly string[];
  /** Files never to read (the store itself and its WAL when it lives under an ingested folder). */
  exclude?: readonly string[];
  /** Records per committed batch on the Node path (default 50,000). */
  batchRecords?: number;
  /**
   * Decompressed bytes (declared by gzip trailers, else estimated) per DuckDB bulk statement and
   * commit (default 128 MiB: about 110,000 CloudTrail events, near a DuckDB row group; bench:ingest).
   */
  batchBytes?: number;
  /** Largest decompressed size of one file the Node reader accepts (default 1 GiB). */
  maxDecompressedBytes?: number;
  onProgress?: (progress: FileIngestProgress) => void;
  /** CloudTrail public keys for checking digest signatures offline (integrity.cloudtrail_public_keys). */
  cloudtrailPublicKeys?: readonly CloudTrailPublicKey[];
  /**
   * Other connections to the store (openStagingConnections): the next batch is read and sealed on
   * them while the previous one commits (EventWriterOptions.staging). Without them all take turns.
   */
  staging?: readonly DuckDBConnection[];
}

export interface FileIngestProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  eventsNew: number;
  errors: number;
}

export interface FileIngestSummary {
  files_seen: number;
  files_read: number;
  files_unchanged: number;
  files_not_events: { path: string; note: string }[];
  records: number;
  events_new: number;
  events_duplicate: number;
  /** Duplicates whose record differs from the stored copy (recorded in event_conflicts). */
  events_conflicting: number;
  errors: number;
  files_with_errors: number;
  /**
   * Files that DuckDB's bulk reader could not take and Node read instead (slower): malformed or
   * oversized files, or a reader error such as running out of memory, named in bulk_fallback.
   */
  files_read_in_node: number;
  bulk_fallback?: string;
  /** CloudTrail digest files read and the digests judged (docs/integrity.md); absent when there were none. */
  cloudtrail_digests?: DigestCheckSummary & { files: number };
}

const GZIP_RATIO_ESTIMATE = 10;
/** Files hashed and sniffed ahead of the one being read: more than a batch of ~1 MB CloudTrail files. */
const PROBE_AHEAD = 160;
/** Above this decompressed size a file is bulk-read only with other large files (16 MiB). */
const LARGE_FILE_BYTES = 16 * 1024 * 1024;

interface BulkFile {
  file: FoundFile;
  cursor: FileCursor;
}

interface BulkGroup {
  layout: FileLayout;
  gzip: boolean;
  files: BulkFile[];
  /** Decompressed bytes (declared, else estimated) of the group's files. */
  bytes: number;
  /** The largest file's decompressed size, declared by its gzip trailer or its size (null: unknown). */
  largest: number | null;
}

/** Ingests every file under `paths`, skipping unchanged files, committing in batches. */
export async function ingestFiles(
  connection: DuckDBConnection,
  runId: number,
  options: FileIngestOptions,
): Promise<FileIngestSummary> {
  if (options.staging && options.staging.length > 0) {
    return withOneThreadPerStatement(connection, () => ingestAll(connection, runId, options));
  }
  return ingestAll(connection, runId, options);
}

async function ingestAll(
  connection: DuckDBConnection,
  runId: number,
  options: FileIngestOptions,
): Promise<FileIngestSummary> {
  const batchRecords = options.batchRecords ?? 50_000;
  const batchBytes = options.batchBytes ?? DEFAULT_BATCH_MB * 1024 * 1024;
  const checkpoints = await readCheckpoints(connection, 'files');
  const files: FoundFile[] = [];
  const exclude = new Set(options.exclude ?? []);
  for await (const file of walkFiles(options.paths)) if (!exclude.has(file.path)) files.push(file);

  const writer = new EventWriter(connection, runId, 'files', { staging: options.staging });
  await writer.begin();
  const summary: FileIngestSummary = {
    files_seen: files.length,
    files_read: 0,
    files_unchanged: 0,
    files_not_events: [],
    records: 0,
    events_new: 0,
    events_duplicate: 0,
    events_conflicting: 0,
    errors: 0,
    files_with_errors: 0,
    files_read_in_node: 0,
  };
  const progress: FileIngestProgress = {
    filesDone: 0,
    filesTotal: files.length,
    bytesDone: 0,
    bytesTotal: files.reduce((sum, f) => sum + f.size, 0),
    eventsNew: 0,
    errors: 0,
  };
  const filesWithErrors = new Set<string>();
  let digestFiles = 0;
  // CloudTrail log files read this run: a digest may already record their hashes.
  const trailLogsRead: string[] = [];
  const report = () => options.onProgress?.({ ...progress });
  const fail = (origin: string, position: string | null, reason: string, excerpt: string | null = null) => {
    writer.addError({ origin, position, reason, excerpt });
    filesWithErrors.add(origin);
  };

  const counted = (outcome: BatchOutcome) => {
    summary.records += outcome.records;
    summary.events_new += outcome.inserted;
    summary.events_duplicate += outcome.duplicates;
    summary.events_conflicting += outcome.conflicts;
    summary.errors += outcome.errors;
    progress.eventsNew = summary.events_new;
    progress.errors = summary.errors;
  };
  const commit = () => writer.commitInBackground(counted);

  // Files DuckDB reads itself, grouped by layout and compression (one statement per group).
  const bulk = new Map<string, BulkGroup>();
  // Rows per decompressed byte of each layout, from its batches read so far (batch-rows.ts).
  const rowsPerByte = new Map<string, number>();

  const flushBulk = async (key: string) => {
    const group = bulk.get(key);
    if (!group || group.files.length === 0) return;
    bulk.delete(key);
    let pending = group.files;
    while (pending.length > 0) {
      try {
        const rows = await writer.addFromQuery(
          bulkSelect(
            group.layout,
            group.gzip,
            pending.map((f) => f.file.path),
            objectLimit(group.largest),
          ),
        );
        if (pending === group.files && rows > 0 && group.bytes > 0) rowsPerByte.set(key, rows / group.bytes);
        break;
      } catch (error) {
        // DuckDB names the file it could not read; salvage that one in Node, retry the rest.
        const bad = /(?:in|reading) file "([^"]+)"/.exec(describeError(error))?.[1];
        const index = pending.findIndex((f) => f.file.path === bad);
        const salvage = index >= 0 ? [pending[index] as BulkFile] : pending;
        pending = index >= 0 ? pending.filter((_, i) => i !== index) : [];
        summary.files_read_in_node += salvage.length;
        summary.bulk_fallback ??= describeError(error).split('\n')[0];
        for (const f of salvage) await salvageContainer(f, group.layout, group.gzip);
      }
    }
    for (const f of group.files) writer.setCheckpoint({ origin: f.file.path, cursor: f.cursor });
    await commit();
  };

  const salvageContainer = async (f: BulkFile, layout: FileLayout, gzip: boolean) => {
    const origin = f.file.path;
    const { text, damage } = await readWholeText(origin, gzip, options.maxDecompressedBytes);
    const key = layout.kind === 'keyed-array' ? layout.key : null;
    const split = splitJsonRecords(text, key);
    for (const record of split.records) await writer.add(origin, record.index, 'record', record.text);
    if (split.defect) {
      const where = `byte ${split.defect.offset} (line ${split.defect.line})`;
      const reason = damage
        ? `${damage.reason}; records after ${split.records.length} lost`
        : split.defect.reason;
      fail(origin, where, reason, text.slice(split.defect.offset, split.defect.offset + 200));
    } else if (damage) {
      fail(origin, `byte ${damage.offset}`, damage.reason);
    }
  };

  const readLineFile = async (file: FoundFile, cursor: FileCursor, gzip: boolean, resumeAfter: number) => {
    const origin = file.path;
    for await (const item of readLines(origin, gzip, options.maxDecompressedBytes)) {
      if ('damage' in item) {
        fail(origin, `line ${item.line} (byte ${item.damage.offset})`, item.damage.reason);
        break;
      }
      if (item.line <= resumeAfter || item.text.trim().length === 0) continue;
      if (looksLikeContainer(item.text)) await addContainerLine(origin, item.line, item.text);
      else await writer.add(origin, item.line, 'line', item.text);
      if (writer.pendingRecords >= batchRecords) {
        writer.setCheckpoint({ origin, cursor: { ...cursor, complete: false, line: item.line } });
        await commit();
      }
    }
  };

  const addContainerLine = async (origin: string, line: number, text: string) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      fail(origin, `line ${line}`, `malformed JSON: ${describeError(error)}`, text.slice(0, 512));
      return;
    }
    const unwrapped = unwrapContainers(value);
    const lineOrigin = `${origin}#line=${line}`;
    for (const record of unwrapped.records) await writer.add(lineOrigin, record.index, 'record', record.text);
    for (const p of unwrapped.problems) fail(lineOrigin, `record ${p.index}`, p.reason, p.excerpt);
  };

  const readDocument = async (file: FoundFile, gzip: boolean) => {
    const origin = file.path;
    const { text, damage } = await readWholeText(origin, gzip, options.maxDecompressedBytes);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      fail(
        origin,
        damage ? `byte ${damage.offset}` : null,
        damage?.reason ?? `malformed JSON: ${describeError(error)}`,
        text.slice(0, 200),
      );
      return;
    }
    const unwrapped = unwrapContainers(value);
    if (unwrapped.skipped) summary.files_not_events.push({ path: origin, note: unwrapped.skipped });
    for (const record of unwrapped.records) await writer.add(origin, record.index, 'record', record.text);
    for (const p of unwrapped.problems) fail(origin, `record ${p.index}`, p.reason, p.excerpt);
  };

  const cursorOf = (file: FoundFile) => checkpoints.get(file.path) as FileCursor | undefined;
  const unchanged = (file: FoundFile) => {
    const previous = cursorOf(file);
    return previous?.complete === true && previous.size === file.size && previous.mtimeMs === file.mtimeMs;
  };
  // The next files are hashed and sniffed while DuckDB reads and seals the batch before them.
  const probes = new Lookahead<FoundFile, FileProbe>(
    files,
    {
      skip: unchanged,
      start: (file) => {
        const previous = cursorOf(file);
        return probeFile(file, previous?.complete ? previous.sha256 : null);
      },
    },
    PROBE_AHEAD,
  );

  try {
    for (const [index, file] of files.entries()) {
      const previous = cursorOf(file);
      const probing = probes.take(index);
      if (probing === null) {
        summary.files_unchanged++;
        progress.filesDone++;
        progress.bytesDone += file.size;
        report();
        continue;
      }
      try {
        const probe = await probing;
        const sha256 = probe.sha256;
        const cursor: FileCursor = { size: file.size, mtimeMs: file.mtimeMs, sha256, complete: true };
        if (probe.kind === 'stored') {
          // Same content under a new mtime: remember the mtime so the next run skips without hashing.
          summary.files_unchanged++;
          writer.setCheckpoint({ origin: file.path, cursor });
        } else {
          summary.files_read++;
          const resumeAfter =
            previous && !previous.complete && previous.sha256 === sha256 ? (previous.line ?? 0) : 0;
          if (probe.kind === 'digest') {
            // CloudTrail's signed hourly digest: recorded with its checkpoint, judged after the loop.
            const delivery = await readDigestFile(file.path, probe.gzip, options.maxDecompressedBytes);
            writer.addSideWrite((c) => delivery.record(c, runId));
            writer.setCheckpoint({ origin: file.path, cursor });
            digestFiles++;
            progress.filesDone++;
            progress.bytesDone += file.size;
            report();
            continue;
          }
          if (isTrailLogPath(file.path)) trailLogsRead.push(file.path);
          const { gzip, head, layout, decompressed } = probe;
          if (layout === null) {
            fail(file.path, 'byte 0', head.damage ?? 'unreadable');
            writer.setCheckpoint({ origin: file.path, cursor });
          } else if (layout.kind === 'keyed-array' || layout.kind === 'array') {
            // Large files are read apart: their reader buffers may not fit the memory limit, and a
            // refused read would send the small files of the same statement to the slow path too.
            const size = decompressed === null || decompressed > LARGE_FILE_BYTES ? 'large' : 'small';
            const key = `${layout.kind}:${layout.kind === 'keyed-array' ? layout.key : ''}:${gzip}:${size}`;
            const group = bulk.get(key) ?? { layout, gzip, files: [], bytes: 0, largest: 0 };
            group.files.push({ file, cursor });
            group.bytes += decompressed ?? file.size * GZIP_RATIO_ESTIMATE;
            group.largest =
              decompressed === null || group.largest === null ? null : Math.max(group.largest, decompressed);
            bulk.set(key, group);
            const flushAt = bulkBatchBytes(batchBytes, rowsPerByte.get(key), ROW_GROUP_SIZE);
            if (group.bytes >= flushAt || group.files.length >= 2000) await flushBulk(key);
          } else {
            if (layout.kind === 'ndjson') await readLineFile(file, cursor, gzip, resumeAfter);
            else if (layout.kind === 'document') await readDocument(file, gzip);
            else if (layout.kind === 'cloudtrail-digest') {
              summary.files_not_events.push({
                path: file.path,
                note: 'CloudTrail digest file, not named as CloudTrail delivers it (not verified)',
              });
            } else if (layout.kind === 'empty') fail(file.path, null, 'empty file');
            else fail(file.path, 'byte 0', layout.reason, head.head.slice(0, 80));
            writer.setCheckpoint({ origin: file.path, cursor });
          }
        }
      } catch (error) {
        // A failed commit is the store's problem, not this file's: stop the run.
        if (error instanceof StoreError) throw error;
        fail(file.path, null, `could not read: ${describeError(error)}`);
      }
      progress.filesDone++;
      progress.bytesDone += file.size;
      if (writer.pendingRecords >= batchRecords) await commit();
      report();
    }
    for (const key of [...bulk.keys()]) await flushBulk(key);
    await commit();
  } catch (error) {
    // Let a batch committing in the background finish (or fail) before the store closes.
    await writer.close().catch(() => undefined);
    throw error;
  }
  await writer.close();
  const digests = await verifyLocalDigests(connection, runId, {
    files,
    trailLogsRead,
    publicKeys: options.cloudtrailPublicKeys ?? [],
    maxDecompressedBytes: options.maxDecompressedBytes,
  });
  if (digestFiles > 0 || digests.digests > 0) summary.cloudtrail_digests = { files: digestFiles, ...digests };
  summary.files_with_errors = filesWithErrors.size;
  report();
  return summary;
}

// CloudTrail files reach ~50 MB. DuckDB allocates read buffers of twice maximum_object_size per
// thread, whatever the files' sizes: at 128 MiB the bulk read ran out of the ingest's memory limit
// (src/store/ingest-memory.ts) on every batch and, unnoticed, every file went through the Node path
// after a failed attempt. A larger file fails the bulk read and is read by the Node path instead.
export const MAX_OBJECT_BYTES = 64 * 1024 * 1024;
const MIN_OBJECT_BYTES = 1024 * 1024;

/**
 * maximum_object_size for a group whose largest file decompresses to `largest` bytes: the next power
 * of two above it, so the reader's buffers fit the files actually read (1 MB CloudTrail files get
 * 2 MiB, not 64 MiB: 250 MB less memory with two threads). Unknown sizes get the maximum; a trailer
 * that under-declares makes DuckDB reject that file, which the Node path then reads.
 */
export function objectLimit(largest: number | null): number {
  if (largest === null) return MAX_OBJECT_BYTES;
  let limit = MIN_OBJECT_BYTES;
  while (limit <= largest && limit < MAX_OBJECT_BYTES) limit *= 2;
  return limit;
}

/** The DuckDB statement that reads a group of same-layout files straight into staging. */
export function bulkSelect(
  layout: FileLayout,
  gzip: boolean,
  paths: readonly string[],
  objectBytes: number = MAX_OBJECT_BYTES,
): string {
  const list = `[${paths.map(sqlString).join(', ')}]`;
  const common = `filename = true, compression = '${gzip ? 'gzip' : 'none'}', maximum_object_size = ${objectBytes}`;
  if (layout.kind === 'keyed-array') {
    return `select filename as origin, ord as position, 'record' as unit, r
from read_json(${list}, columns = {${layout.key}: 'JSON[]'}, ${common}),
  unnest(${layout.key}) with ordinality as u(r, ord)`;
  }
  return `select filename as origin, ord as position, 'record' as unit, r
from read_json_objects(${list}, format = 'unstructured', ${common}),
  unnest(json_extract(json, '$[*]')) with ordinality as u(r, ord)`;
}
