import type { DuckDBConnection } from '@duckdb/node-api';
import {
  type DigestIntegrityHooks,
  type JsonValue,
  type SourceConnector,
  SourceError,
} from '../connectors/source-connector.js';
import { describeError } from '../errors.js';
import { recordDigest, recordLogHashes } from '../integrity/digest-store.js';
import type { CloudTrailPublicKey } from '../integrity/public-keys.js';
import { type DigestCheckSummary, type DigestResolvers, verifyDigests } from '../integrity/verify-digests.js';
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
  /** Duplicates whose record differs from the stored copy (recorded in event_conflicts). */
  events_conflicting: number;
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
  options: {
    signal?: AbortSignal;
    onProgress?: (p: StreamProgress) => void;
    /** CloudTrail public keys from config, beside those ListPublicKeys returns. */
    cloudtrailPublicKeys?: readonly CloudTrailPublicKey[];
    /** Receives the outcome of CloudTrail digest verification when a connector read digests. */
    onDigests?: (summary: DigestCheckSummary) => void;
  } = {},
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
      events_conflicting: 0,
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
    // Digest facts commit with the batch whose cursor moves past them.
    const { digests, logHashes } = batch;
    if (digests?.length) {
      writer.addSideWrite(async (c) => {
        for (const d of digests) {
          await recordDigest(
            c,
            { location: d.key, origin: d.origin, content: d.content, metaSignature: d.metaSignature },
            runId,
          );
        }
      });
    }
    if (logHashes?.length) {
      writer.addSideWrite((c) =>
        recordLogHashes(
          c,
          logHashes.map((h) => ({ location: h.key, origin: h.origin, sha256: h.sha256 })),
          runId,
        ),
      );
    }
    writer.setCheckpoint({ origin: connector.stream, cursor: batch.cursor });
    const outcome = await writer.commit();
    summary.pages += batch.pages;
    summary.records += outcome.records;
    summary.events_new += outcome.inserted;
    summary.events_duplicate += outcome.duplicates;
    summary.events_conflicting += outcome.conflicts;
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
  const hooks = connectors.flatMap((c) => (c.digestIntegrity ? [c.digestIntegrity] : []));
  if (hooks.length > 0 || options.cloudtrailPublicKeys?.length) {
    const digestSummary = await verifyDigests(connection, runId, {
      configKeys: options.cloudtrailPublicKeys ?? [],
      resolvers: hooks.length === 0 ? {} : digestResolvers(hooks),
    });
    options.onDigests?.(digestSummary);
  }
  for (const s of summaries.values()) if (s.seconds === 0) s.seconds = (performance.now() - started) / 1000;
  return [...summaries.values()];
}

/** Fetches what digest verification lacks through the connectors that read the digests. */
function digestResolvers(hooks: readonly DigestIntegrityHooks[]): DigestResolvers {
  return {
    logFile: async ({ logKey, bucket, object }) => {
      const hook = hooks.find((h) => h.bucket === bucket) ?? (hooks[0] as DigestIntegrityHooks);
      const sha256 = await hook.hashObject(bucket ?? hook.bucket, object ?? logKey);
      return sha256 === null ? { kind: 'absent' } : { kind: 'hashed', sha256 };
    },
    publicKeys: async (region, from, to) => {
      let failure: unknown = null;
      for (const hook of hooks) {
        try {
          const keys = await hook.publicKeys(region, from, to);
          return keys.map((k) => ({ ...k, source: 'ListPublicKeys' as const }));
        } catch (error) {
          failure = error;
        }
      }
      throw failure;
    },
  };
}
