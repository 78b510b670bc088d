import {
  CloudTrailClient,
  LookupEventsCommand,
  type LookupEventsCommandOutput,
} from '@aws-sdk/client-cloudtrail';
import { RateLimiter } from '../../util/rate-limiter.js';
import { withRetry } from '../../util/retry.js';
import type { ConnectorContext, JsonValue, SourceConnector, SourceRecordBatch } from '../source-connector.js';
import { SourceError } from '../source-connector.js';
import { errorName, isRetryable, kindOf, retryAfterMs, toSourceError } from './aws-errors.js';
import type { CredentialProvider } from './credentials.js';
import { readAhead } from './read-ahead.js';

/** LookupEvents keeps 90 days; a window reaching further back is refused, so stay a minute inside. */
const MAX_LOOKBACK_MS = 90 * 86_400_000 - 60_000;
/** The API's page size ceiling: the most events per request, so the most per unit of quota. */
const PAGE_SIZE = 50;

/**
 * The checkpoint of one account-region. `through`: every event up to that time has been read (as
 * visible then). `window`: a read in progress, newest first (the API's order): events from
 * `down_to` to `to` are committed, `from`..`down_to` remain. Resuming re-reads from `down_to`
 * (inclusive, events of the same second may straddle pages) instead of trusting an expired
 * NextToken.
 */
export interface ApiCursor {
  through?: string;
  window?: { from: string; to: string; down_to: string };
}

export interface ApiStreamOptions {
  account: string;
  region: string;
  credentials: CredentialProvider | undefined;
  endpoint: string | undefined;
  start: Date;
  overlapMs: number;
  requestsPerSecond: number;
  retry: { attempts: number; base_ms: number; max_ms: number };
  /** True when the region came from `regions: all`: an opt-in region not enabled is skipped. */
  skipIfNotEnabled: boolean;
  context: ConnectorContext;
}

export function createCloudTrailClient(options: {
  region: string;
  endpoint: string | undefined;
  credentials: CredentialProvider | undefined;
}): CloudTrailClient {
  return new CloudTrailClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // Our retry loop goes through the rate limiter; the SDK's own would not.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 60_000 },
  });
}

function parseCursor(cursor: JsonValue | undefined): ApiCursor {
  if (typeof cursor !== 'object' || cursor === null || Array.isArray(cursor)) return {};
  const out: ApiCursor = {};
  if (typeof cursor.through === 'string' && !Number.isNaN(Date.parse(cursor.through)))
    out.through = cursor.through;
  const w = cursor.window;
  if (typeof w === 'object' && w !== null && !Array.isArray(w)) {
    const { from, to, down_to } = w;
    if (typeof from === 'string' && typeof to === 'string' && typeof down_to === 'string')
      out.window = { from, to, down_to };
  }
  return out;
}

/** One CloudTrail LookupEvents stream: an account in a region, within its own request quota. */
export class CloudTrailApiConnector implements SourceConnector {
  readonly source = 'aws' as const;
  readonly stream: string;
  readonly scope: string;
  private readonly options: ApiStreamOptions;
  /** Created per pull and destroyed after it: listing the sources opens no connections. */
  private client: CloudTrailClient | null = null;
  /** Each account-region has its own quota, so its own limiter; retries wait their turn too. */
  private readonly limiter: RateLimiter;

  constructor(options: ApiStreamOptions) {
    this.options = options;
    this.stream = `cloudtrail-api/${options.account}/${options.region}`;
    this.scope = `account ${options.account} ${options.region}`;
    this.limiter = new RateLimiter(options.requestsPerSecond, 1);
  }

  pull(raw: JsonValue | undefined, signal: AbortSignal): AsyncIterable<SourceRecordBatch> {
    // Up to 20 pages (1,000 events) wait while the store commits: bounded memory, no idle quota.
    return readAhead((local) => this.pages(raw, local), signal, 20);
  }

  /** Every page from the checkpoint to now, each with the cursor that resumes after it. */
  private async *pages(raw: JsonValue | undefined, signal: AbortSignal): AsyncGenerator<SourceRecordBatch> {
    const cursor = parseCursor(raw);
    const { context } = this.options;
    let through = cursor.through;
    let resume = cursor.window;
    this.client = createCloudTrailClient(this.options);
    try {
      for (;;) {
        const now = context.now().getTime();
        let window: { from: number; to: number; downTo: number };
        if (resume) {
          window = {
            from: Date.parse(resume.from),
            to: Date.parse(resume.to),
            downTo: Date.parse(resume.down_to),
          };
        } else {
          const from = through ? Date.parse(through) - this.options.overlapMs : this.options.start.getTime();
          window = { from, to: now, downTo: now };
        }
        window.from = Math.max(window.from, now - MAX_LOOKBACK_MS);
        const resumed = resume !== undefined;
        resume = undefined;
        context.log('aws.lookup_window', {
          stream: this.stream,
          from: new Date(window.from).toISOString(),
          to: new Date(window.to).toISOString(),
          resumed,
        });
        for await (const batch of this.readWindow(window, through, signal)) yield batch;
        through = new Date(window.to).toISOString();
        // A resumed window ended in the past: read on from it to now in a fresh one.
        if (!resumed) return;
      }
    } finally {
      this.client?.destroy();
      this.client = null;
    }
  }

  /** Pages of one window, newest first; the last batch's cursor closes the window. */
  private async *readWindow(
    window: { from: number; to: number; downTo: number },
    through: string | undefined,
    signal: AbortSignal,
  ): AsyncGenerator<SourceRecordBatch> {
    const windowCursor = (downTo: number): JsonValue => ({
      ...(through ? { through } : {}),
      window: {
        from: new Date(window.from).toISOString(),
        to: new Date(window.to).toISOString(),
        down_to: new Date(downTo).toISOString(),
      },
    });
    let downTo = window.downTo;
    let token: string | undefined;
    // EndTime one second past the resume point: events of that second may sit on either page.
    let end = Math.min(window.to, downTo + 1000);
    if (window.from >= end) {
      yield {
        origin: this.origin,
        records: [],
        cursor: { through: new Date(window.to).toISOString() },
        pages: 0,
      };
      return;
    }
    for (let first = true; ; first = false) {
      let page: LookupEventsCommandOutput;
      try {
        page = await this.lookup(window.from, end, token, signal);
      } catch (error) {
        if (errorName(error) === 'InvalidNextTokenException' && token) {
          // Tokens expire; restart below the last committed page, the overlap is deduplicated.
          token = undefined;
          end = Math.min(window.to, downTo + 1000);
          continue;
        }
        if (first && this.options.skipIfNotEnabled && kindOf(error) === 'auth' && !signal.aborted) {
          this.options.context.log('aws.region_skipped', {
            stream: this.stream,
            reason: `${errorName(error)}: region not enabled for this account (or credentials invalid here)`,
          });
          return;
        }
        throw error;
      }
      const events = page.Events;
      if (events !== undefined && !Array.isArray(events)) throw this.malformed('Events is not a list', page);
      const records: string[] = [];
      for (const event of events ?? []) {
        if (typeof event.CloudTrailEvent !== 'string') {
          throw this.malformed(`event ${event.EventId ?? '?'} has no CloudTrailEvent`, page);
        }
        records.push(event.CloudTrailEvent);
        const time = event.EventTime instanceof Date ? event.EventTime.getTime() : Number.NaN;
        if (!Number.isNaN(time) && time < downTo) downTo = time;
      }
      token = page.NextToken || undefined;
      const cursor = token ? windowCursor(downTo) : { through: new Date(window.to).toISOString() };
      yield { origin: this.origin, records, cursor, pages: 1 };
      if (!token) return;
    }
  }

  private get origin(): string {
    return `cloudtrail-api:${this.options.account}/${this.options.region}`;
  }

  private malformed(what: string, page: LookupEventsCommandOutput): SourceError {
    return new SourceError(
      'malformed',
      `LookupEvents answered a malformed page: ${what}`,
      { source: 'aws', stream: this.stream, scope: this.scope, requestId: page.$metadata.requestId },
      { hint: 'run again; report the request id to AWS support if it persists' },
    );
  }

  /** One LookupEvents call within the quota, retried with backoff on throttling, 5xx and network errors. */
  private async lookup(
    from: number,
    to: number,
    token: string | undefined,
    signal: AbortSignal,
  ): Promise<LookupEventsCommandOutput> {
    const { retry, context } = this.options;
    try {
      return await withRetry(
        async () => {
          await this.limiter.acquire(signal);
          if (!this.client) throw new Error('LookupEvents outside pull()');
          return this.client.send(
            new LookupEventsCommand({
              StartTime: new Date(from),
              EndTime: new Date(to),
              MaxResults: PAGE_SIZE,
              ...(token ? { NextToken: token } : {}),
            }),
            { abortSignal: signal },
          );
        },
        {
          attempts: retry.attempts,
          baseMs: retry.base_ms,
          maxMs: retry.max_ms,
          signal,
          classify: (error) => ({
            retry: !signal.aborted && isRetryable(error),
            afterMs: retryAfterMs(error),
          }),
          onRetry: (attempt, delayMs, error) =>
            context.log('aws.retry', {
              stream: this.stream,
              operation: 'LookupEvents',
              attempt,
              delay_ms: delayMs,
              error: errorName(error),
            }),
        },
      );
    } catch (error) {
      if (signal.aborted || errorName(error) === 'InvalidNextTokenException') throw error;
      throw toSourceError(error, 'LookupEvents', { stream: this.stream, scope: this.scope });
    }
  }
}
