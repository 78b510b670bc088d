import { readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { writePrivateFile } from '../util/private-files.js';

/**
 * Who has the store open for writing, in a small JSON file next to it (`<store>.owner`). DuckDB's
 * lock only names a pid; this says which auditlake command that is and since when, so a second
 * process can tell its user "`auditlake ingest aws` has been writing since 01:00" instead of
 * showing a raw lock error (docs/reliability.md, "Store busy").
 *
 * Written after the writer got DuckDB's lock and removed when it closes the store. A file left by
 * a killed process is harmless: it is believed only while DuckDB names the same pid as the holder.
 */
export interface StoreOwner {
  pid: number;
  /** The command holding the store, e.g. `auditlake ingest aws`. */
  command: string;
  /** ISO 8601 UTC. */
  started_at: string;
  host: string;
}

export function ownerFilePath(storePath: string): string {
  return `${storePath}.owner`;
}

/**
 * The store and the files that live next to it (DuckDB's WAL, the run lock, the owner file): an
 * ingest of a folder that holds the store must never read them as input.
 */
export function storeFiles(storePath: string): string[] {
  return [storePath, `${storePath}.wal`, `${storePath}.lock`, ownerFilePath(storePath)];
}

/** Records this process as the store's writer; null when the file cannot be written (no harm done). */
export function claimOwnership(
  storePath: string,
  command: string,
  now: Date = new Date(),
): StoreOwner | null {
  const owner: StoreOwner = { pid: process.pid, command, started_at: now.toISOString(), host: hostname() };
  try {
    writePrivateFile(ownerFilePath(storePath), `${JSON.stringify(owner)}\n`);
    return owner;
  } catch {
    // A read-only directory or a full disk must not stop the command: the owner file is a courtesy.
    return null;
  }
}

/** Removes the owner file if it is still this writer's (a later writer may have replaced it). */
export function releaseOwnership(storePath: string, owner: StoreOwner | null): void {
  if (!owner) return;
  const current = readOwner(storePath);
  if (current && current.pid === owner.pid && current.started_at === owner.started_at) {
    rmSync(ownerFilePath(storePath), { force: true });
  }
}

/** The owner file's content, or null when it is missing or not an owner record. */
export function readOwner(storePath: string): StoreOwner | null {
  let text: string;
  try {
    text = readFileSync(ownerFilePath(storePath), 'utf8');
  } catch {
    return null;
  }
  try {
    const value = JSON.parse(text) as Partial<StoreOwner>;
    if (
      typeof value.pid === 'number' &&
      typeof value.command === 'string' &&
      typeof value.started_at === 'string' &&
      typeof value.host === 'string'
    ) {
      return { pid: value.pid, command: value.command, started_at: value.started_at, host: value.host };
    }
  } catch {
    // Half-written or foreign: ignored like a missing file.
  }
  return null;
}
