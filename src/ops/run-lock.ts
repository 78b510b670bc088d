import { randomBytes } from 'node:crypto';
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditlakeError } from '../errors.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../util/private-files.js';

/**
 * The lock of `auditlake run`: a file next to the store (`<store>.lock`) naming its holder. It keeps
 * two overlapping nightly runs apart for the whole run (DuckDB's own file lock covers only the
 * time the store is open, and says nothing about who holds it).
 *
 * - Created atomically and complete: the holder record is written to a private temporary file
 *   which is then hard-linked to the lock path; link fails if the lock exists (like O_EXCL), and no
 *   reader can see a half-written lock.
 * - The holder refreshes the file's mtime while it runs (heartbeat), so a lock is stale when its
 *   holder's pid is gone on this host, or when it has not been refreshed for `staleAfterMs` (a
 *   holder on another host sharing the volume, a reused pid).
 * - A stale lock is taken over under a short-lived guard file (`<lock>.takeover`, O_EXCL), after
 *   re-reading that the lock is still the stale one judged: two runs finding the same stale lock
 *   cannot both take it, and none removes a fresh lock created meanwhile.
 */

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO 8601, UTC. */
  started_at: string;
  command: string;
  /** Random; tells this holder's lock from a later one at the same path. */
  token: string;
}

export interface StaleLock {
  holder: LockHolder | null;
  /** Why it was judged stale, for the log. */
  reason: string;
  /** ISO 8601 of the lock file's last refresh. */
  refreshed_at: string;
}

export interface RunLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Milliseconds spent waiting for another holder. */
  readonly waitedMs: number;
  /** The stale lock this run took over, if any. */
  readonly tookOver: StaleLock | null;
  /** True when another process took the lock from under this run (it was judged stale). */
  lost(): boolean;
  /** Deletes the lock if it is still this run's. Idempotent. */
  release(): void;
}

export interface AcquireOptions {
  path: string;
  command: string;
  /** How long a lock may go without a heartbeat before it is stale. */
  staleAfterMs: number;
  /** How long to wait for a live holder: 0 fails at once, Infinity waits for ever. */
  waitMs: number;
  pollMs?: number;
  /** Called once when the lock is busy and this call will wait. */
  onWait?: (holder: LockHolder | null) => void;
  onTakeover?: (stale: StaleLock) => void;
  /** Stops waiting (SIGTERM while waiting for another run): rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** For tests: clock, host name, pid and liveness check. */
  now?: () => number;
  host?: string;
  pid?: number;
  isAlive?: (pid: number) => boolean;
}

/** The lock file of a store. */
export function lockPathFor(dbPath: string): string {
  return `${resolve(dbPath)}.lock`;
}

/** Another run holds the lock and this one did not (or no longer would) wait. */
export class LockBusyError extends AuditlakeError {
  readonly holder: LockHolder | null;

  constructor(
    path: string,
    holder: LockHolder | null,
    refreshedAt: Date,
    staleAfterMs: number,
    waitedMs: number,
  ) {
    const who = holder
      ? `pid ${holder.pid} on host ${holder.host}, \`${holder.command}\` running since ${holder.started_at}`
      : 'an unreadable lock file';
    super(
      'store_locked',
      `another auditlake run holds the lock ${path} (${who}; last refreshed ${refreshedAt.toISOString()})` +
        (waitedMs > 0 ? ` after waiting ${Math.round(waitedMs / 1000)} s` : ''),
      {
        context: { path, pid: holder?.pid ?? null, host: holder?.host ?? null },
        hint:
          'wait for it with `auditlake run --wait [seconds]`; a lock whose pid is gone on this host, or that is not ' +
          `refreshed for ${Math.round(staleAfterMs / 60_000)} min (run.lock_stale_after), is taken over automatically`,
      },
    );
    this.name = 'LockBusyError';
    this.holder = holder;
  }
}

/** Whether a pid exists on this host (EPERM: it does, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Pure: is a lock with this holder, last refreshed at `refreshedMs`, stale? */
export function judgeLock(
  holder: LockHolder | null,
  refreshedMs: number,
  context: { now: number; host: string; staleAfterMs: number; isAlive: (pid: number) => boolean },
): { stale: false } | { stale: true; reason: string } {
  if (holder && holder.host === context.host && !context.isAlive(holder.pid)) {
    return { stale: true, reason: `pid ${holder.pid} is gone on this host` };
  }
  const age = context.now - refreshedMs;
  if (age > context.staleAfterMs) {
    return {
      stale: true,
      reason: `not refreshed for ${Math.round(age / 1000)} s (stale after ${Math.round(context.staleAfterMs / 1000)} s)`,
    };
  }
  return { stale: false };
}

function parseHolder(text: string): LockHolder | null {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (
      typeof value.pid === 'number' &&
      typeof value.host === 'string' &&
      typeof value.started_at === 'string' &&
      typeof value.token === 'string'
    ) {
      return {
        pid: value.pid,
        host: value.host,
        started_at: value.started_at,
        command: typeof value.command === 'string' ? value.command : 'auditlake run',
        token: value.token,
      };
    }
  } catch {
    // A lock written by something else: judged by its age alone.
  }
  return null;
}

/** The lock's holder and last refresh; null when there is no lock file. */
export function readLock(path: string): { holder: LockHolder | null; refreshedMs: number } | null {
  try {
    const refreshedMs = statSync(path).mtimeMs;
    return { holder: parseHolder(readFileSync(path, 'utf8')), refreshedMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function writeTemporary(path: string, text: string): void {
  const fd = openSync(path, 'wx', PRIVATE_FILE_MODE);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Hard-links the complete record to the lock path; false when a lock exists. */
function tryCreate(lockPath: string, record: string, token: string): boolean {
  const temporary = `${lockPath}.${token}.tmp`;
  writeTemporary(temporary, record);
  try {
    linkSync(temporary, lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** A guard left by a process killed mid-takeover is ignored after this long. */
const GUARD_STALE_MS = 30_000;

/**
 * Replaces the stale lock with ours, if it is still the one judged stale. Returns true when this
 * process now holds the lock.
 */
function takeOver(
  lockPath: string,
  judged: { holder: LockHolder | null; refreshedMs: number },
  record: string,
  token: string,
  now: number,
): boolean {
  const guard = `${lockPath}.takeover`;
  try {
    writeTemporary(guard, String(process.pid));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    try {
      if (now - statSync(guard).mtimeMs > GUARD_STALE_MS) rmSync(guard, { force: true });
    } catch {
      // Gone meanwhile: the next attempt will see.
    }
    return false;
  }
  try {
    const current = readLock(lockPath);
    const same =
      current !== null &&
      current.refreshedMs === judged.refreshedMs &&
      (current.holder?.token ?? null) === (judged.holder?.token ?? null);
    if (current !== null && !same) return false;
    if (current !== null) unlinkSync(lockPath);
    return tryCreate(lockPath, record, token);
  } finally {
    rmSync(guard, { force: true });
  }
}

export async function acquireRunLock(options: AcquireOptions): Promise<RunLock> {
  const now = options.now ?? Date.now;
  const host = options.host ?? osHostname();
  const isAlive = options.isAlive ?? pidAlive;
  const pollMs = options.pollMs ?? 500;
  const path = options.path;
  ensurePrivateDir(dirname(path));
  const holder: LockHolder = {
    pid: options.pid ?? process.pid,
    host,
    started_at: new Date(now()).toISOString(),
    command: options.command,
    token: randomBytes(12).toString('hex'),
  };
  const record = `${JSON.stringify(holder)}\n`;
  const started = now();
  let tookOver: StaleLock | null = null;
  let announced = false;
  for (;;) {
    options.signal?.throwIfAborted();
    if (tryCreate(path, record, holder.token)) break;
    const current = readLock(path);
    if (current === null) continue;
    const verdict = judgeLock(current.holder, current.refreshedMs, {
      now: now(),
      host,
      staleAfterMs: options.staleAfterMs,
      isAlive,
    });
    if (verdict.stale) {
      if (takeOver(path, current, record, holder.token, now())) {
        tookOver = {
          holder: current.holder,
          reason: verdict.reason,
          refreshed_at: new Date(current.refreshedMs).toISOString(),
        };
        options.onTakeover?.(tookOver);
        break;
      }
      await sleep(Math.min(pollMs, 100));
      continue;
    }
    const waited = now() - started;
    if (waited >= options.waitMs) {
      throw new LockBusyError(
        path,
        current.holder,
        new Date(current.refreshedMs),
        options.staleAfterMs,
        waited,
      );
    }
    if (!announced) {
      announced = true;
      options.onWait?.(current.holder);
    }
    await sleep(Math.min(pollMs, Math.max(1, options.waitMs - waited)), undefined, {
      ...(options.signal ? { signal: options.signal } : {}),
    }).catch(() => options.signal?.throwIfAborted());
  }
  return heldLock(path, holder, now() - started, tookOver, options.staleAfterMs);
}

function heldLock(
  path: string,
  holder: LockHolder,
  waitedMs: number,
  tookOver: StaleLock | null,
  staleAfterMs: number,
): RunLock {
  let lost = false;
  let released = false;
  const ours = (): boolean => readLock(path)?.holder?.token === holder.token;
  // Refresh well within the stale age; unref'd so a finished run never waits for the timer.
  const timer = setInterval(
    () => {
      try {
        if (!ours()) {
          lost = true;
          clearInterval(timer);
          return;
        }
        const t = new Date();
        utimesSync(path, t, t);
      } catch {
        // A missed heartbeat is retried next tick; the stale age leaves room for several.
      }
    },
    Math.max(1000, Math.min(60_000, Math.floor(staleAfterMs / 4))),
  );
  timer.unref();
  return {
    path,
    holder,
    waitedMs,
    tookOver,
    lost: () => lost || (!released && !ours()),
    release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      try {
        if (ours()) unlinkSync(path);
      } catch {
        // Already gone.
      }
    },
  };
}
