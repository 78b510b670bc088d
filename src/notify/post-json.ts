import { describeError } from '../errors.js';
import { withRetry } from '../util/retry.js';

/**
 * One JSON POST with retries, for webhooks and Slack: exponential backoff with full jitter on
 * network errors, timeouts, 408, 429 and 5xx, honouring Retry-After; any other answer is final.
 * Never throws: the outcome says what happened, in words safe to log.
 */

export interface DeliveryOutcome {
  ok: boolean;
  /** Requests made (0 when nothing could be sent). */
  attempts: number;
  /** The last HTTP status (or SMTP reply code for email); null when no answer came. */
  status: number | null;
  error: string | null;
}

export interface JsonPost {
  url: string;
  /** The exact bytes sent on every attempt, so a signature and a receiver's dedupe see the same body. */
  body: string;
  /** Headers of one attempt, made when it starts (a signature covers that attempt's timestamp). */
  headers: (attemptStartedAt: Date) => Record<string, string>;
  timeoutMs: number;
  /** Attempts in all, the first included. */
  attempts: number;
}

export interface PostDeps {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  random?: (() => number) | undefined;
  /** Makes a text safe to log: masks credentials and the URL (see notify.ts). */
  scrub: (text: string) => string;
  onRetry?: ((attempt: number, delayMs: number, reason: string) => void) | undefined;
}

const BASE_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
/**
 * A Retry-After longer than this ends the delivery instead: a nightly job should not sit for an
 * hour on a receiver that asked it to, and the run's own exit code still tells the scheduler.
 */
export const MAX_RETRY_AFTER_MS = 120_000;
const RETRY_STATUSES = new Set([408, 429]);

class HttpStatusError extends Error {
  readonly status: number;
  readonly retryAfterMs: number | undefined;

  constructor(status: number, retryAfterMs: number | undefined, detail: string) {
    super(`HTTP ${status}${detail ? `: ${detail}` : ''}`);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

export async function postJson(request: JsonPost, deps: PostDeps): Promise<DeliveryOutcome> {
  let attempts = 0;
  let status: number | null = null;
  try {
    await withRetry(
      async () => {
        attempts++;
        const response = await deps.fetch(request.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...request.headers(deps.now()) },
          body: request.body,
          // A redirect would re-send the signed payload to wherever the answer points.
          redirect: 'manual',
          signal: AbortSignal.timeout(request.timeoutMs),
        });
        status = response.status;
        if (response.status >= 200 && response.status < 300) {
          await response.body?.cancel();
          return;
        }
        const detail = await responseExcerpt(response);
        throw new HttpStatusError(
          response.status,
          retryAfterMs(response.headers.get('retry-after'), deps.now()),
          detail,
        );
      },
      {
        attempts: request.attempts,
        baseMs: BASE_MS,
        maxMs: MAX_BACKOFF_MS,
        sleep: (ms) => deps.sleep(ms),
        ...(deps.random ? { random: deps.random } : {}),
        classify: (error) => {
          if (!(error instanceof HttpStatusError)) return { retry: true };
          const retryable = error.status >= 500 || RETRY_STATUSES.has(error.status);
          if (!retryable) return { retry: false };
          if (error.retryAfterMs !== undefined && error.retryAfterMs > MAX_RETRY_AFTER_MS)
            return { retry: false };
          return { retry: true, afterMs: error.retryAfterMs };
        },
        onRetry: (attempt, delayMs, error) =>
          deps.onRetry?.(attempt, delayMs, deps.scrub(describe(error, request))),
      },
    );
    return { ok: true, attempts, status, error: null };
  } catch (error) {
    let message = describe(error, request);
    if (
      error instanceof HttpStatusError &&
      error.retryAfterMs !== undefined &&
      error.retryAfterMs > MAX_RETRY_AFTER_MS
    ) {
      message += ` (asked to retry after ${Math.ceil(error.retryAfterMs / 1000)} s, longer than the ${MAX_RETRY_AFTER_MS / 1000} s limit)`;
    } else if (attempts >= request.attempts && attempts > 1) {
      message += ` (gave up after ${attempts} attempts)`;
    }
    return { ok: false, attempts, status, error: deps.scrub(message) };
  }
}

/** A failure in one line: the status and the start of the answer, or the network cause. */
function describe(error: unknown, request: JsonPost): string {
  if (error instanceof HttpStatusError) return error.message;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${request.timeoutMs / 1000} s`;
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const text = cause ? `${describeError(error)}: ${cause.message}` : describeError(error);
  return oneLine(text, 300);
}

async function responseExcerpt(response: Response): Promise<string> {
  try {
    return oneLine(await response.text(), 200);
  } catch {
    return '';
  }
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** Retry-After as seconds or an HTTP date (RFC 9110), in ms from `now`. */
export function retryAfterMs(value: string | null, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
