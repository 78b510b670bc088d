import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/util/rate-limiter.js';
import { withRetry } from '../../src/util/retry.js';

describe('RateLimiter', () => {
  it('spaces acquisitions at the configured rate after the burst', async () => {
    let clock = 0;
    const limiter = new RateLimiter(2, 1, () => clock);
    const times: number[] = [];
    const realSetTimeout = globalThis.setTimeout;
    // Advance the fake clock by exactly what the limiter sleeps.
    globalThis.setTimeout = ((fn: () => void, ms: number) => {
      clock += ms;
      return realSetTimeout(fn, 0);
    }) as typeof setTimeout;
    try {
      for (let i = 0; i < 5; i++) {
        await limiter.acquire();
        times.push(clock);
      }
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
    expect(times).toEqual([0, 500, 1000, 1500, 2000]);
  });
});

describe('withRetry', () => {
  it('retries retryable errors with backoff, honouring Retry-After, then gives up', async () => {
    const waits: number[] = [];
    let calls = 0;
    const attempt = () => {
      calls++;
      return Promise.reject(new Error(calls === 1 ? 'throttled' : 'server'));
    };
    await expect(
      withRetry(attempt, {
        attempts: 3,
        baseMs: 100,
        maxMs: 1000,
        classify: (e) => ({ retry: true, afterMs: (e as Error).message === 'throttled' ? 700 : undefined }),
        sleep: async (ms) => {
          waits.push(ms);
        },
        random: () => 0.5,
      }),
    ).rejects.toThrow('server');
    expect(calls).toBe(3);
    expect(waits).toEqual([700, 100]);
  });

  it('does not retry what the classifier calls final', async () => {
    let calls = 0;
    await expect(
      withRetry(
        () => {
          calls++;
          return Promise.reject(new Error('AccessDenied'));
        },
        { attempts: 5, baseMs: 1, maxMs: 1, classify: () => ({ retry: false }) },
      ),
    ).rejects.toThrow('AccessDenied');
    expect(calls).toBe(1);
  });
});
