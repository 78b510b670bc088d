import type { GcpSourceConfig } from '../../config/sources/gcp.js';
import {
  type ConnectorContext,
  type JsonValue,
  type SourceConnector,
  SourceError,
  type SourceRecordBatch,
} from '../source-connector.js';
import { entriesFilter, type GcpLogKind } from './audit-filter.js';
import { gcpCursor, parseCursor, resumeFrom } from './cursor.js';
import type { EntriesClient, ListEntriesPage, ListEntriesRequest } from './entries-client.js';
import { durationMs, startInstant, timestampMs } from './time.js';

export const DEFAULT_START = '7d';

/** Cloud Logging keeps Data Access logs 30 days in the _Default bucket (the others 400 in _Required). */
const DATA_ACCESS_RETENTION_MS = 30 * 86_400_000;

export interface LoggingStreamOptions {
  /** projects/X, folders/N or organizations/N. */
  resource: string;
  kinds: readonly GcpLogKind[];
  source: GcpSourceConfig;
  client: EntriesClient;
  context: ConnectorContext;
}

/** The checkpoint key of a resource's audit logs: 'cloud-logging/projects/acme/activity+policy'. */
export function streamId(resource: string, kinds: readonly GcpLogKind[]): string {
  return `cloud-logging/${resource}/${[...new Set(kinds)].sort().join('+')}`;
}

/**
 * One resource's audit logs, read with one filter for all its log kinds (one request serves them
 * all, which is what the per-project quota rewards).
 *
 * Each run reads one window, [resume point, now - settle), in timestamp order, every page; a
 * batch is one page and its cursor is the timestamp of its last entry, so a run stopped anywhere
 * resumes there. A last, empty batch moves the cursor to the window's end, so an idle project is
 * not rescanned from an ever older point. See cursor.ts for the overlap that catches late entries.
 *
 * The next page is requested while the driver commits the current one (one page of read-ahead),
 * so the network wait overlaps the store write; memory stays at two pages per stream.
 */
export class LoggingStream implements SourceConnector {
  readonly source = 'gcp' as const;
  readonly stream: string;
  readonly scope: string;
  private readonly options: LoggingStreamOptions;

  constructor(options: LoggingStreamOptions) {
    this.options = options;
    this.stream = streamId(options.resource, options.kinds);
    this.scope = options.resource;
  }

  async *pull(cursor: JsonValue | undefined, signal: AbortSignal): AsyncGenerator<SourceRecordBatch> {
    const { resource, kinds, source, client, context } = this.options;
    const readAt = context.now();
    const from = this.windowStart(cursor, readAt);
    const to = new Date(readAt.getTime() - durationMs(source.settle));
    if (from.getTime() >= to.getTime()) return;
    const origin = `cloud-logging:${resource}`;
    const request: ListEntriesRequest = {
      resourceNames: [resource],
      filter: entriesFilter(resource, kinds, from, to),
      orderBy: 'timestamp asc',
      pageSize: source.page_size,
    };
    context.log('gcp.window', { stream: this.stream, from: from.toISOString(), to: to.toISOString() });
    // Aborts the read-ahead when the consumer stops early or a page fails.
    const inner = new AbortController();
    const onAbort = () => inner.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const fetchPage = (pageToken?: string): Promise<ListEntriesPage> => {
      const page = client.list(pageToken === undefined ? request : { ...request, pageToken }, inner.signal);
      // Awaited later; until then a rejection must not count as unhandled.
      page.catch(() => {});
      return page;
    };
    let through = from.toISOString();
    let pagesSinceBatch = 0;
    let entries = 0;
    let pages = 0;
    try {
      let next: Promise<ListEntriesPage> | undefined = fetchPage();
      while (next) {
        const page: ListEntriesPage = await next;
        next = page.nextPageToken === undefined ? undefined : fetchPage(page.nextPageToken);
        pagesSinceBatch++;
        pages++;
        // Cloud Logging can answer a page with no entries but a token (it stopped scanning):
        // follow it without committing anything.
        if (page.entries.length === 0) continue;
        const records: string[] = [];
        for (const entry of page.entries) {
          records.push(JSON.stringify(entry));
          const ts = entry.timestamp;
          // An entry without a readable timestamp is still passed on (the store records it as an
          // ingest error) but cannot move the cursor.
          if (typeof ts === 'string' && timestampMs(ts) > timestampMs(through)) through = ts;
        }
        entries += records.length;
        yield { origin, records, cursor: gcpCursor(through, readAt), pages: pagesSinceBatch };
        pagesSinceBatch = 0;
      }
      yield { origin, records: [], cursor: gcpCursor(to.toISOString(), readAt), pages: pagesSinceBatch };
      context.log('gcp.done', { stream: this.stream, pages, entries });
    } finally {
      signal.removeEventListener('abort', onAbort);
      inner.abort(new Error('stream closed'));
    }
  }

  private windowStart(cursor: JsonValue | undefined, now: Date): Date {
    const { source, context, kinds } = this.options;
    if (cursor !== undefined && cursor !== null) {
      const parsed = parseCursor(cursor);
      if (!parsed) {
        throw new SourceError(
          'config',
          `the checkpoint ${JSON.stringify(cursor)} is not a Cloud Logging cursor`,
          { source: 'gcp', stream: this.stream, scope: this.scope },
          {
            hint: 'delete this stream’s checkpoint to start again from `start` (dedupe keeps the store exact)',
          },
        );
      }
      return resumeFrom(parsed, durationMs(source.overlap));
    }
    const start = startInstant(source.start ?? DEFAULT_START, now);
    if (kinds.includes('data_access') && now.getTime() - start.getTime() > DATA_ACCESS_RETENTION_MS) {
      context.log('gcp.start_beyond_retention', {
        stream: this.stream,
        start: start.toISOString(),
        note: 'Data Access logs are kept 30 days in the _Default bucket: older ones no longer exist',
      });
    }
    return start;
  }
}
