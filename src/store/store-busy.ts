import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditlakeError } from '../errors.js';
import { readOwner, type StoreOwner } from './store-owner.js';

/**
 * DuckDB lets one process write a store file and no other process open it meanwhile (and no
 * process write while others read). A command that meets a held store gets a StoreBusyError that
 * names the holder and since when, or waits for it with `--wait` (docs/reliability.md).
 */

/** Who holds the store, as far as can be told. */
export interface StoreHolder {
  /** The pid DuckDB names as the lock holder (null when its message names none). */
  pid: number | null;
  /** The auditlake command holding it for writing, from its owner file; null for a reader or another tool. */
  owner: StoreOwner | null;
}

export class StoreBusyError extends AuditlakeError {
  readonly path: string;
  readonly holder: StoreHolder;

  constructor(path: string, holder: StoreHolder, options: { now?: Date; waitedSeconds?: number } = {}) {
    const waited =
      options.waitedSeconds === undefined ? '' : ` (gave up after waiting ${options.waitedSeconds} s)`;
    super('store_locked', `the store ${path} is busy: ${describeHolder(holder, options.now)}${waited}`, {
      context: {
        path,
        pid: holder.pid ?? holder.owner?.pid,
        command: holder.owner?.command,
        since: holder.owner?.started_at,
        host: holder.owner?.host,
      },
      hint:
        'wait for it to finish and retry, or add `--wait [SECONDS]` to wait until the store is free ' +
        '(without SECONDS: as long as it takes); see docs/reliability.md',
    });
    this.name = 'StoreBusyError';
    this.path = path;
    this.holder = holder;
  }
}

function describeHolder(holder: StoreHolder, now: Date = new Date()): string {
  const { owner, pid } = holder;
  if (owner) {
    const host = owner.host === hostname() ? '' : ` on ${owner.host}`;
    const since = Date.parse(owner.started_at);
    const age = Number.isNaN(since) ? '' : ` (${formatDuration(now.getTime() - since)})`;
    return `\`${owner.command}\` (pid ${owner.pid}${host}) has had it open for writing since ${owner.started_at}${age}`;
  }
  const who = pid === null ? 'another process' : `another process (pid ${pid})`;
  return (
    `${who} has it open, and DuckDB lets no other process in while one writes ` +
    '(no auditlake writer is on record: a reader such as `auditlake query`, or another program such as the DuckDB CLI)'
  );
}

function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min ago`;
  return `${(minutes / 60).toFixed(1)} h ago`;
}

/** DuckDB's lock conflict: "Could not set lock on file ...: Conflicting lock is held in ... (PID n)". */
export function isLockConflict(message: string): boolean {
  return /Could not set lock|Conflicting lock/i.test(message);
}

/** The StoreBusyError for DuckDB's lock-conflict message, with the owner file when it is believable. */
export function storeBusyError(path: string, message: string, now: Date = new Date()): StoreBusyError {
  const pidText = /\(PID (\d+)\)/i.exec(message)?.[1];
  const pid = pidText === undefined ? null : Number(pidText);
  const owner = readOwner(path);
  return new StoreBusyError(path, { pid, owner: owner && believable(owner, pid) ? owner : null }, { now });
}

/** An owner file counts when DuckDB names its pid, or (no pid given) when its process still runs here. */
function believable(owner: StoreOwner, pid: number | null): boolean {
  if (pid !== null) return owner.pid === pid;
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface WaitOptions {
  /** How long to wait for a busy store: 0 not at all, Infinity as long as it takes. */
  waitSeconds: number;
  /** Called once, when the store is first found busy and waiting begins. */
  onWait?: ((error: StoreBusyError, waitSeconds: number) => void) | undefined;
}

/**
 * Runs `open` until it does not fail with StoreBusyError or the wait is over (then the last error,
 * saying how long it waited). Polls with a short backoff: a nightly run's commits end in seconds,
 * its whole run in minutes.
 */
export async function retryWhileBusy<T>(open: () => Promise<T>, options: WaitOptions): Promise<T> {
  const started = Date.now();
  const deadline = started + options.waitSeconds * 1000;
  let delay = 250;
  let told = false;
  for (;;) {
    try {
      return await open();
    } catch (error) {
      if (!(error instanceof StoreBusyError) || options.waitSeconds <= 0) throw error;
      const now = Date.now();
      if (now >= deadline) {
        throw new StoreBusyError(error.path, error.holder, {
          waitedSeconds: Math.round((now - started) / 1000),
        });
      }
      if (!told) {
        options.onWait?.(error, options.waitSeconds);
        told = true;
      }
      await sleep(Math.min(delay, Math.max(0, deadline - now)));
      delay = Math.min(delay * 2, 2000);
    }
  }
}

/**
 * What the command line decides once for every store a command opens: the command name written to
 * the owner file, how long to wait for a busy store, and how to tell the user it is waiting. Set by
 * src/cli/main.ts before each command runs (so `--wait` works for every command that opens the
 * store without each one passing it along); library callers get the defaults or pass StoreOptions.
 */
export interface StoreAccess {
  command: string;
  waitSeconds: number;
  onWait?: WaitOptions['onWait'];
}

const DEFAULT_ACCESS: StoreAccess = { command: 'auditlake', waitSeconds: 0 };
let access: StoreAccess = DEFAULT_ACCESS;

export function setStoreAccess(next: Partial<StoreAccess>): void {
  access = { ...DEFAULT_ACCESS, ...next };
}

export function storeAccess(): StoreAccess {
  return access;
}
