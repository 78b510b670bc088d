import { sleep } from './retry.js';

/**
 * A token bucket: at most `ratePerSecond` acquisitions per second on average, bursts of `burst`.
 * One per API quota scope (a CloudTrail account-region, a GCP project, a Log Analytics user), so a
 * run stays at the documented ceiling instead of bouncing off it.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();
  private readonly ratePerSecond: number;
  private readonly burst: number;
  private readonly now: () => number;

  constructor(ratePerSecond: number, burst = 1, now: () => number = () => performance.now()) {
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.now = now;
    this.tokens = burst;
    this.last = now();
  }

  /** Resolves when a request may be sent. Calls are served in order. */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const t = this.now();
        this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
        this.last = t;
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return;
        }
        await sleep(Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000), signal);
      }
    });
    this.queue = turn.catch(() => {});
    return turn;
  }
}
