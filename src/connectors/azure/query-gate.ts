import { RateLimiter } from '../../util/rate-limiter.js';
import { sleep } from '../../util/retry.js';

/** The Log Analytics query API quota of one identity (the "user"). */
export interface QueryLimits {
  /** Queries per window: 200 per 30 s. */
  readonly queriesPerWindow: number;
  readonly windowMs: number;
  /** Queries running at once: 5. */
  readonly concurrency: number;
}

export const LOG_ANALYTICS_LIMITS: QueryLimits = { queriesPerWindow: 200, windowMs: 30_000, concurrency: 5 };

/**
 * Admits Log Analytics queries for every workspace stream of one identity: at most `concurrency`
 * in flight and at most `queriesPerWindow` started in any window, and nothing while the service
 * has asked us (Retry-After) to back off. Every attempt, retries included, passes here, so the
 * run stays at the quota instead of bouncing off it.
 *
 * Two limits, each for what it does well: the token bucket (RateLimiter) spreads queries evenly at
 * the quota's average rate, with a small burst to catch up after a pause of the event loop; the
 * log of recent start times enforces the quota itself, exactly, in any window (a token bucket
 * alone can only promise burst + rate x window, so it would have to run below the quota).
 */
export class QueryGate {
  private readonly limiter: RateLimiter;
  private readonly concurrency: number;
  private readonly perWindow: number;
  /** The window plus a margin for the time requests spend in transit, which varies. */
  private readonly windowMs: number;
  /** Start times of the last `perWindow` queries, oldest first. */
  private readonly starts: number[] = [];
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private pausedUntil = 0;
  private readonly now: () => number;

  constructor(limits: QueryLimits, now: () => number = () => performance.now()) {
    this.limiter = new RateLimiter(
      limits.queriesPerWindow / (limits.windowMs / 1000),
      2 * limits.concurrency,
      now,
    );
    this.concurrency = limits.concurrency;
    this.perWindow = limits.queriesPerWindow;
    // Requests reach the service a variable time after they leave: 2% of the window (0.6 s of
    // 30 s), at least 100 ms, keeps two starts a window apart there too.
    this.windowMs = limits.windowMs + Math.max(limits.windowMs * 0.02, 100);
    this.now = now;
  }

  /** Runs `query` when a slot and a rate token are free. */
  async run<T>(query: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.takeSlot(signal);
    try {
      // Slot first, then pause, token and window: a query starts right when it passes them, so
      // start times follow the limits exactly.
      for (let wait = this.pausedUntil - this.now(); wait > 0; wait = this.pausedUntil - this.now()) {
        await sleep(Math.ceil(wait), signal);
      }
      await this.limiter.acquire(signal);
      await this.windowTurn(signal);
      return await query();
    } finally {
      this.releaseSlot();
    }
  }

  /** Waits until fewer than `perWindow` queries started in the last window, and records this one. */
  private async windowTurn(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const t = this.now();
      while (this.starts.length > 0 && (this.starts[0] as number) <= t - this.windowMs) this.starts.shift();
      if (this.starts.length < this.perWindow) {
        this.starts.push(t);
        return;
      }
      await sleep(Math.max(1, Math.ceil((this.starts[0] as number) + this.windowMs - t)), signal);
    }
  }

  /** Queries that could start now without waiting for a slot: a stream may then query further ahead. */
  get spare(): number {
    return this.concurrency - this.running - this.waiting.length;
  }

  /** The service throttled us: no stream starts a query for `ms`. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  private takeSlot(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.running++;
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  private releaseSlot(): void {
    this.running--;
    const next = this.waiting.shift();
    if (next) next();
  }
}
