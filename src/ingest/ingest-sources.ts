import type { DuckDBConnection } from '@duckdb/node-api';
import { type JsonValue, type SourceConnector, SourceError } from '../connectors/source-connector.js';
import { describeError } from '../errors.js';
import { readCheckpoints } from '../store/checkpoints.js';
import { EventWriter } from '../store/event-writer.js';
import { mergeAsync } from '../util/merge-async.js';

export interface StreamSummary {
  source: string;
  stream: string;
  scope: string;
  status: 'ok' | 'failed';
  pages: number;
  records: number;
  events_new: number;
  events_duplicate: number;
  errors: number;
  /** One line naming source, scope, cause and request id, when the stream failed. */
  error: string | null;
  seconds: number;
}

export interface StreamProgress {
  stream: string;
  scope: string;
  pages: number;
  events: number;
  elapsedMs: number;
}

/**
 * Pulls every connector concurrently (each within its own API quota) and writes their batches one
 * at a time: each batch and its cursor commit together, so a killed run resumes after the last
 * committed batch of every stream. A failing stream is recorded and the others complete.
 */
export async function ingestSources(
  connection: DuckDBConnection,
  runId: number,
  connectors: readonly SourceConnector[],
  options: { signal?: AbortSignal; onProgress?: (p: StreamProgress) => void } = {},
): Promise<StreamSummary[]> {
  const started = performance.now();
  const summaries = new Map<string, StreamSummary>();
  const cursors = new Map<string, Map<string, unknown>>();
  for (const c of connectors) {
    if (!cursors.has(c.source)) cursors.set(c.source, await readCheckpoints(connection, c.source));
    summaries.set(c.stream, {
      source: c.source,
      stream: c.stream,
      scope: c.scope,
      status: 'ok',
      pages: 0,
      records: 0,
      events_new: 0,
      events_duplicate: 0,
      errors: 0,
      error: null,
      seconds: 0,
    });
  }
  const signal = options.signal ?? new AbortController().signal;
  const failures: { connector: SourceConnector; error: unknown }[] = [];
  const merged = mergeAsync(
    connectors.map((c) => ({
      key: c,
      iterable: c.pull(cursors.get(c.source)?.get(c.stream) as JsonValue | undefined, signal),
    })),
    (connector, error) => failures.push({ connector, error }),
  );
  const writers = new Map<string, EventWriter>();
  const writerFor = async (source: string) => {
    let writer = writers.get(source);
    if (!writer) {
      writer = new EventWriter(connection, runId, source);
      await writer.begin();
      writers.set(source, writer);
    }
    return writer;
  };
  for await (const { key: connector, value: batch } of merged) {
    const summary = summaries.get(connector.stream);
    if (!summary) continue;
    const writer = await writerFor(connector.source);
    // Positions count records within each origin (an object, a page stream), 1-based.
    const positions = new Map<string, number>();
    for (let i = 0; i < batch.records.length; i++) {
      const origin = batch.origins?.[i] ?? batch.origin;
      const position = (positions.get(origin) ?? 0) + 1;
      positions.set(origin, position);
      await writer.add(origin, position, 'record', batch.records[i] as string);
    }
    writer.setCheckpoint({ origin: connector.stream, cursor: batch.cursor });
    const outcome = await writer.commit();
    summary.pages += batch.pages;
    summary.records += outcome.records;
    summary.events_new += outcome.inserted;
    summary.events_duplicate += outcome.duplicates;
    summary.errors += outcome.errors;
    summary.seconds = (performance.now() - started) / 1000;
    options.onProgress?.({
      stream: connector.stream,
      scope: connector.scope,
      pages: summary.pages,
      events: summary.records,
      elapsedMs: performance.now() - started,
    });
  }
  // A failed stream keeps what it committed; the failure itself is an ingest error of the run.
  for (const { connector, error } of failures) {
    const summary = summaries.get(connector.stream);
    if (!summary) continue;
    const line =
      error instanceof SourceError
        ? error.describe()
        : `${connector.source} ${connector.scope}: ${describeError(error)}`;
    summary.status = 'failed';
    summary.error = line;
    summary.errors += 1;
    const writer = await writerFor(connector.source);
    writer.addError({ origin: connector.stream, position: null, reason: line, excerpt: null });
    await writer.commit();
  }
  for (const writer of writers.values()) writer.dispose();
  for (const s of summaries.values()) if (s.seconds === 0) s.seconds = (performance.now() - started) / 1000;
  return [...summaries.values()];
}
