import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  acquireRunLock,
  judgeLock,
  LockBusyError,
  type LockHolder,
  lockPathFor,
  readLock,
} from '../../src/ops/run-lock.js';

const MINUTE = 60_000;
let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-lock-'));
  path = lockPathFor(join(dir, 'store.duckdb'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function plant(holder: Partial<LockHolder>, ageMs = 0): void {
  writeFileSync(
    path,
    JSON.stringify({
      pid: 999_999,
      host: hostname(),
      started_at: '2026-11-01T02:00:00.000Z',
      command: 'auditlake run',
      token: 'planted',
      ...holder,
    }),
  );
  const t = new Date(Date.now() - ageMs);
  utimesSync(path, t, t);
}

const base = { command: 'auditlake run', staleAfterMs: 30 * MINUTE, pollMs: 10 };

describe('the run lock', () => {
  it('is created next to the store with its holder, and released only by that holder', async () => {
    expect(path).toBe(join(dir, 'store.duckdb.lock'));
    const lock = await acquireRunLock({ ...base, path, waitMs: 0 });
    expect(readLock(path)?.holder).toMatchObject({
      pid: process.pid,
      host: hostname(),
      command: 'auditlake run',
    });
    expect(lock.tookOver).toBeNull();
    expect(lock.lost()).toBe(false);
    // Nothing but the lock itself is left behind (no temporary files).
    expect(readdirSync(dir)).toEqual(['store.duckdb.lock']);
    lock.release();
    expect(existsSync(path)).toBe(false);
    lock.release();
  });

  it('a second run fails at once naming the holder (pid, host, since when) when it does not wait', async () => {
    const first = await acquireRunLock({ ...base, path, waitMs: 0 });
    try {
      const second = acquireRunLock({ ...base, path, waitMs: 0 });
      await expect(second).rejects.toBeInstanceOf(LockBusyError);
      await expect(acquireRunLock({ ...base, path, waitMs: 0 })).rejects.toThrow(
        new RegExp(
          `pid ${process.pid} on host ${hostname()}, \`auditlake run\` running since ${first.holder.started_at}`,
        ),
      );
      // The failed attempt did not disturb the holder's lock.
      expect(readLock(path)?.holder?.token).toBe(first.holder.token);
    } finally {
      first.release();
    }
  });

  it('a waiting run gets the lock once the holder releases it', async () => {
    const first = await acquireRunLock({ ...base, path, waitMs: 0 });
    const waits: (LockHolder | null)[] = [];
    const second = acquireRunLock({ ...base, path, waitMs: 60_000, onWait: (h) => waits.push(h) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    first.release();
    const lock = await second;
    expect(waits).toHaveLength(1);
    expect(waits[0]?.token).toBe(first.holder.token);
    expect(readLock(path)?.holder?.token).toBe(lock.holder.token);
    lock.release();
  });

  it('stops waiting when its signal is aborted (SIGTERM while waiting)', async () => {
    const first = await acquireRunLock({ ...base, path, waitMs: 0 });
    try {
      const controller = new AbortController();
      const second = acquireRunLock({
        ...base,
        path,
        waitMs: Number.POSITIVE_INFINITY,
        signal: controller.signal,
        onWait: () => controller.abort(new Error('interrupted by SIGTERM')),
      });
      await expect(second).rejects.toThrow('interrupted by SIGTERM');
      expect(readLock(path)?.holder?.token).toBe(first.holder.token);
    } finally {
      first.release();
    }
  });

  it('takes over a lock whose pid is gone on this host, and says whose it was', async () => {
    plant({ pid: 999_999 });
    const taken: string[] = [];
    const lock = await acquireRunLock({
      ...base,
      path,
      waitMs: 0,
      isAlive: (pid) => pid !== 999_999,
      onTakeover: (s) => taken.push(`${s.holder?.pid} ${s.reason}`),
    });
    expect(taken).toEqual(['999999 pid 999999 is gone on this host']);
    expect(lock.tookOver?.holder?.started_at).toBe('2026-11-01T02:00:00.000Z');
    expect(readLock(path)?.holder?.token).toBe(lock.holder.token);
    lock.release();
  });

  it('judges a lock of another host by its age only', async () => {
    plant({ host: 'other-node', pid: 1 }, 5 * MINUTE);
    await expect(acquireRunLock({ ...base, path, waitMs: 0, isAlive: () => false })).rejects.toThrow(
      /pid 1 on host other-node/,
    );
    plant({ host: 'other-node', pid: 1 }, 31 * MINUTE);
    const lock = await acquireRunLock({ ...base, path, waitMs: 0, isAlive: () => true });
    expect(lock.tookOver?.reason).toMatch(/not refreshed for \d+ s/);
    lock.release();
  });

  it('takes over an unreadable lock file once it is old, never while it is fresh', async () => {
    writeFileSync(path, 'garbage');
    await expect(acquireRunLock({ ...base, path, waitMs: 0 })).rejects.toThrow(/an unreadable lock file/);
    const old = new Date(Date.now() - 31 * MINUTE);
    utimesSync(path, old, old);
    const lock = await acquireRunLock({ ...base, path, waitMs: 0 });
    expect(lock.tookOver?.holder).toBeNull();
    lock.release();
  });

  it('lets exactly one of many runs that find the same stale lock take it over', async () => {
    plant({ pid: 999_999 });
    const attempts = Array.from({ length: 8 }, () =>
      acquireRunLock({ ...base, path, waitMs: 0, isAlive: (pid) => pid !== 999_999 }).then(
        (lock) => lock,
        (error: unknown) => error,
      ),
    );
    const outcomes = await Promise.all(attempts);
    const held = outcomes.filter((o) => !(o instanceof Error));
    expect(held).toHaveLength(1);
    expect(outcomes.filter((o) => o instanceof LockBusyError)).toHaveLength(7);
    const [lock] = held as Awaited<ReturnType<typeof acquireRunLock>>[];
    expect(readLock(path)?.holder?.token).toBe(lock?.holder.token);
    lock?.release();
  });

  it('knows when its lock was taken from it, and then leaves the new holder’s lock alone', async () => {
    const lock = await acquireRunLock({ ...base, path, waitMs: 0 });
    plant({ token: 'someone-else' });
    expect(lock.lost()).toBe(true);
    lock.release();
    expect(readLock(path)?.holder?.token).toBe('someone-else');
  });

  it('judgeLock: a live pid here with a recent refresh holds; a dead one or an old refresh does not', () => {
    const holder: LockHolder = {
      pid: 42,
      host: 'h',
      started_at: '2026-11-01T00:00:00Z',
      command: 'auditlake run',
      token: 't',
    };
    const context = { now: 100 * MINUTE, host: 'h', staleAfterMs: 30 * MINUTE };
    expect(judgeLock(holder, 90 * MINUTE, { ...context, isAlive: () => true })).toEqual({ stale: false });
    expect(judgeLock(holder, 90 * MINUTE, { ...context, isAlive: () => false }).stale).toBe(true);
    expect(judgeLock(holder, 60 * MINUTE, { ...context, isAlive: () => true }).stale).toBe(true);
  });
});
