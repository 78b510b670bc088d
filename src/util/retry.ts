/**
 * Retries with exponential backoff and full jitter, honouring a server's Retry-After. Used by the
 * connectors for throttling and 5xx answers; the SDKs' own retries come first, this wraps them so a
 * long throttling spell slows a run down instead of failing it.
 */
export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
  /** Whether an error is worth another attempt, and how long the server asked us to wait (ms). */
  classify(error: unknown): { retry: boolean; afterMs?: number | undefined };
  signal?: AbortSignal | undefined;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  const wait = options.sleep ?? sleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const verdict = options.classify(error);
      if (!verdict.retry || attempt >= options.attempts) throw error;
      const backoff = Math.min(options.maxMs, options.baseMs * 2 ** (attempt - 1));
      const delay = Math.max(verdict.afterMs ?? 0, Math.floor(random() * backoff));
      options.onRetry?.(attempt, delay, error);
      await wait(delay, options.signal);
    }
  }
}
