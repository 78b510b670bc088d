import { LogsQueryResultStatus } from '@azure/monitor-query-logs';
import type { AzureTable } from '../../config/sources/azure.js';
import { withRetry } from '../../util/retry.js';
import {
  type ConnectorContext,
  type JsonValue,
  type SourceConnector,
  SourceError,
  type SourceErrorKind,
  type SourceRecordBatch,
} from '../source-connector.js';
import { type AzureFailure, classifyAzureError, errorText, hintFor } from './errors.js';
import type { LogsQuerier, QueryAnswer } from './logs-querier.js';
import type { QueryGate } from './query-gate.js';
import { MalformedResultError, tableRecords } from './rows.js';
import {
  cursorJson,
  iso,
  MIN_SLICE_MS,
  nextWidth,
  parseCursor,
  resolveStart,
  type SliceTargets,
  type StreamCursor,
  sliceQuery,
} from './slices.js';

/** How a stream sizes and paces its queries. Defaults in index.ts; tests and the benchmark shrink them. */
export interface StreamTuning {
  /** Per-query result targets (the service stops at 500,000 rows / ~100 MB). */
  readonly targets: SliceTargets;
  /** Width of the first slice when no checkpoint has learned one. */
  readonly initialSliceMs: number;
  /**
   * Slices of one stream in flight or waiting to be yielded: bounds memory to about this many
   * results. A stream goes further ahead (up to `maxPrefetch`) only while the identity's
   * concurrent queries would otherwise sit idle, e.g. when it is the last stream still reading.
   */
  readonly prefetch: number;
  readonly maxPrefetch: number;
  /** Records per yielded batch: a big slice is committed in several transactions. */
  readonly batchRecords: number;
  /** The service-side query timeout (at most 600 s). */
  readonly serverTimeoutSeconds: number;
  readonly retry: { readonly attempts: number; readonly baseMs: number; readonly maxMs: number };
}

export interface WorkspaceStreamOptions {
  readonly workspaceId: string;
  /** The configured name, or the workspace id: what messages call the workspace. */
  readonly label: string;
  readonly table: AzureTable;
  readonly start: string | undefined;
  readonly overlapMs: number;
  readonly settleMs: number;
  /** The client of this workspace's endpoint (created on first use: a credential may fail to build). */
  readonly client: () => LogsQuerier;
  readonly gate: QueryGate;
  readonly tuning: StreamTuning;
  readonly context: ConnectorContext;
}

type SliceOutcome =
  | { kind: 'rows'; records: string[]; chars: number; requestId: string | undefined }
  | { kind: 'split'; reason: string; requestId: string | undefined };

interface Slot {
  readonly from: number;
  readonly to: number;
  readonly outcome: Promise<SliceOutcome>;
  /** Splits so far among the pieces of one planned slice, shared by them. */
  readonly family: { splits: number };
}

/**
 * Splits one planned slice may take. The SDK drops the inner error that says why a result is
 * partial, so every partial result is split; a failure that is not about size (it persists in
 * every piece) must still end, not fan out into thousands of queries. 32 splits make at least 33
 * pieces: 16 million rows at the service's 500,000, far beyond a slice sized to 50,000.
 */
const MAX_SPLITS = 32;

/** One failed attempt, classified; withRetry decides on another from `failure.retry`. */
class AttemptError extends Error {
  readonly failure: AzureFailure;
  constructor(failure: AzureFailure, cause?: unknown) {
    super(failure.message, cause === undefined ? undefined : { cause });
    this.name = 'AttemptError';
    this.failure = failure;
  }
}

/**
 * One table of one Log Analytics workspace as a resumable stream of time slices (see slices.ts).
 *
 * Each run reads from the checkpoint minus `overlap` (late rows: dedupe by record id drops what
 * was read before) up to now minus `settle`, in slices sized to stay well under the service's
 * result limits; a partial or too-large result splits its slice in half and asks again. Up to
 * `prefetch` slices are queried ahead while earlier ones are committed, and slices are yielded in
 * time order, each with the cursor that resumes after it, so a run killed anywhere resumes without a
 * gap. Every query passes the identity's shared QueryGate.
 */
export class WorkspaceStream implements SourceConnector {
  readonly source = 'azure' as const;
  readonly stream: string;
  readonly scope: string;
  private readonly origin: string;
  private readonly options: WorkspaceStreamOptions;

  constructor(options: WorkspaceStreamOptions) {
    this.options = options;
    this.stream = `log-analytics/${options.workspaceId}/${options.table}`;
    this.scope = `workspace ${options.label}`;
    this.origin = `log-analytics:${options.workspaceId}/${options.table}`;
  }

  async *pull(cursor: JsonValue | undefined, signal: AbortSignal): AsyncIterable<SourceRecordBatch> {
    const { tuning, context } = this.options;
    const now = context.now().getTime();
    const windowEnd = now - this.options.settleMs;
    let resumed: StreamCursor;
    if (cursor === undefined) {
      resumed = { end: this.firstStart(now), sliceMs: tuning.initialSliceMs };
    } else {
      const parsed = parseCursor(cursor);
      if (parsed instanceof Error) throw this.error('config', parsed.message);
      resumed = parsed;
    }
    const from = cursor === undefined ? resumed.end : resumed.end - this.options.overlapMs;
    context.log('azure.stream.start', {
      stream: this.stream,
      from: iso(from),
      to: iso(Math.max(from, windowEnd)),
      resumed: cursor !== undefined,
    });
    if (from >= windowEnd) return;

    // Aborted when the run is interrupted or the consumer stops early (return()), and when this
    // stream fails: queries in flight for later slices are then abandoned.
    const inner = new AbortController();
    const onOuterAbort = () => inner.abort(signal.reason);
    if (signal.aborted) inner.abort(signal.reason);
    else signal.addEventListener('abort', onOuterAbort, { once: true });

    let width = resumed.sliceMs;
    // The cursor only moves forward: re-reading the overlap must not move it behind what was read.
    let highWater = resumed.end;
    let committed: JsonValue = cursorJson(resumed);
    let frontier = from;
    let pages = 0;
    let emptyCursor: JsonValue | null = null;
    const queue: Slot[] = [];
    const launch = (a: number, b: number, family = { splits: 0 }): Slot => {
      const outcome = this.fetchSlice(a, b, inner.signal);
      // Awaited in order later; until then a failure must not count as unhandled.
      outcome.catch(() => {});
      return { from: a, to: b, outcome, family };
    };
    try {
      for (;;) {
        while (
          frontier < windowEnd &&
          (queue.length < tuning.prefetch ||
            (queue.length < tuning.maxPrefetch && this.options.gate.spare > 0))
        ) {
          const to = Math.min(windowEnd, frontier + width);
          queue.push(launch(frontier, to));
          frontier = to;
        }
        const head = queue[0];
        if (!head) break;
        const outcome = await head.outcome;
        pages++;
        if (outcome.kind === 'split') {
          const span = head.to - head.from;
          if (span < 2 * MIN_SLICE_MS || head.family.splits >= MAX_SPLITS) {
            throw this.error(
              'server',
              `${this.options.table} [${iso(head.from)}, ${iso(head.to)}): the result is still partial after ${head.family.splits} splits: ${outcome.reason}`,
              outcome.requestId,
            );
          }
          head.family.splits++;
          const mid = head.from + Math.floor(span / 2);
          queue.splice(0, 1, launch(head.from, mid, head.family), launch(mid, head.to, head.family));
          width = Math.min(width, Math.max(MIN_SLICE_MS, mid - head.from));
          context.log('azure.slice.split', {
            stream: this.stream,
            from: iso(head.from),
            to: iso(head.to),
            reason: outcome.reason.slice(0, 200),
          });
          continue;
        }
        queue.shift();
        width = nextWidth(width, head.to - head.from, outcome.records.length, outcome.chars, tuning.targets);
        highWater = Math.max(highWater, head.to);
        const next = cursorJson({ end: highWater, sliceMs: width });
        if (outcome.records.length === 0) {
          // Empty slices need no transaction of their own: the next batch's cursor covers them.
          emptyCursor = next;
          continue;
        }
        emptyCursor = null;
        const { records } = outcome;
        for (let i = 0; i < records.length; i += tuning.batchRecords) {
          const last = i + tuning.batchRecords >= records.length;
          // Only the slice's last batch moves the cursor: a run killed between them re-reads the
          // slice, and dedupe drops the part already committed.
          yield {
            origin: this.origin,
            records: records.slice(i, i + tuning.batchRecords),
            cursor: last ? next : committed,
            pages,
          };
          pages = 0;
        }
        committed = next;
      }
      if (emptyCursor !== null) yield { origin: this.origin, records: [], cursor: emptyCursor, pages };
    } finally {
      signal.removeEventListener('abort', onOuterAbort);
      inner.abort(new Error('stream finished'));
    }
  }

  private firstStart(now: number): number {
    try {
      return resolveStart(this.options.start, now);
    } catch (error) {
      throw this.error('config', (error as Error).message);
    }
  }

  /** One slice, with retries on throttling, 5xx, transport failures and partial results of other causes. */
  private fetchSlice(from: number, to: number, signal: AbortSignal): Promise<SliceOutcome> {
    const { table, workspaceId, gate, tuning, context } = this.options;
    const query = sliceQuery(table, from, to);
    // The API filters on TimeGenerated by `timespan` as well; a second wider on each side leaves
    // the query's own half-open bounds in charge.
    const timespan = { startTime: new Date(from - 1000), endTime: new Date(to + 1000) };
    const attempt = async (): Promise<SliceOutcome> => {
      let answer: QueryAnswer;
      try {
        const client = this.options.client();
        answer = await gate.run(
          () =>
            client.query(workspaceId, query, timespan, {
              serverTimeoutSeconds: tuning.serverTimeoutSeconds,
              // A little over the server's own timeout.
              timeoutMs: (tuning.serverTimeoutSeconds + 60) * 1000,
              signal,
            }),
          signal,
        );
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        const failure = classifyAzureError(error);
        if (failure.tooLarge) return { kind: 'split', reason: failure.message, requestId: failure.requestId };
        throw new AttemptError(failure, error);
      }
      const { result, requestId } = answer;
      if (result.status === LogsQueryResultStatus.PartialFailure) {
        // Rows past the service's limits were cut off (or part of the query failed): the slice
        // is not complete, so it is asked again in halves.
        return { kind: 'split', reason: errorText(result.partialError) || 'partial result', requestId };
      }
      try {
        return { kind: 'rows', ...tableRecords(result.tables, table), requestId };
      } catch (error) {
        if (!(error instanceof MalformedResultError)) throw error;
        throw new AttemptError(
          failureOf('malformed', false, `malformed result: ${error.message}`, requestId),
        );
      }
    };
    return withRetry(attempt, {
      ...tuning.retry,
      signal,
      classify: (error) =>
        error instanceof AttemptError && !signal.aborted
          ? { retry: error.failure.retry, afterMs: error.failure.afterMs }
          : { retry: false },
      onRetry: (n, delayMs, error) => {
        const failure = (error as AttemptError).failure;
        // The quota is the identity's: when the service says wait, every stream waits.
        if (failure.kind === 'throttled') gate.pause(delayMs);
        context.log('azure.query.retry', {
          stream: this.stream,
          attempt: n,
          delay_ms: delayMs,
          kind: failure.kind,
          status: failure.status ?? null,
          request_id: failure.requestId ?? null,
        });
      },
    }).catch((error: unknown) => {
      if (signal.aborted || !(error instanceof AttemptError)) throw error;
      const f = error.failure;
      const where = ['auth', 'permission', 'not_found'].includes(f.kind)
        ? `${table}: `
        : `${table} [${iso(from)}, ${iso(to)}): `;
      throw this.error(f.kind, `${where}${f.message}`, f.requestId, error.cause);
    });
  }

  private error(kind: SourceErrorKind, message: string, requestId?: string, cause?: unknown): SourceError {
    return new SourceError(
      kind,
      message,
      { source: 'azure', stream: this.stream, scope: this.scope, requestId },
      { hint: hintFor(kind, this.options.label), cause },
    );
  }
}

function failureOf(
  kind: SourceErrorKind,
  retry: boolean,
  message: string,
  requestId: string | undefined,
): AzureFailure {
  return {
    kind,
    retry,
    message,
    requestId,
    afterMs: undefined,
    tooLarge: false,
    status: undefined,
    code: undefined,
  };
}
