import { existsSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { describeError, StoreError } from '../errors.js';
import { restrictToOwner, tightenUmask } from '../util/private-files.js';
import { openStore } from './open-store.js';
import { isLockConflict, storeBusyError } from './store-busy.js';

export interface RekeyOptions {
  /** The store's current key; undefined for a plaintext store (encrypting it). */
  readonly from: string | undefined;
  /** The new key; undefined to decrypt (for example before handing a copy to a tool without keys). */
  readonly to: string | undefined;
  /** Same meaning as in StoreOptions: write with DuckDB's built-in crypto when OpenSSL is missing. */
  readonly allowUnsafeBuiltinCrypto?: boolean;
}

export interface RekeyResult {
  readonly path: string;
  /** Rows per table, equal in the old and the new file (checked before the swap). */
  readonly tables: Readonly<Record<string, number>>;
}

/**
 * Rotates the store's key (or encrypts / decrypts it) by copying every table, view, sequence and
 * macro into a new file with DuckDB's COPY FROM DATABASE, checking row counts, then renaming the
 * new file over the old. DuckDB cannot re-encrypt a file in place; a copy also leaves nothing
 * readable with the old key behind (the old file is replaced, not kept).
 *
 * Needs exclusive access (no other auditlake run) and free disk space for a second copy.
 */
export async function rekeyStore(path: string, options: RekeyOptions): Promise<RekeyResult> {
  const source = resolve(path);
  if (!existsSync(source))
    throw new StoreError(`the store ${source} does not exist`, { context: { path: source } });
  if (options.from === options.to) {
    throw new StoreError('the new key is the same as the current one', {
      hint: 'generate one with `openssl rand -base64 32`',
    });
  }
  tightenUmask();
  // Open once for writing: migrations run and the WAL is checkpointed into the file, so the copy
  // reads a self-contained file and no stale .wal can pair with the new one after the rename.
  const current = await openStore({
    path: source,
    encryptionKey: options.from,
    allowUnsafeBuiltinCrypto: options.allowUnsafeBuiltinCrypto,
  });
  try {
    await current.connection.run('checkpoint');
  } finally {
    current.close();
  }

  const target = `${source}.rekey-${process.pid}`;
  for (const leftover of [target, `${target}.wal`]) rmSync(leftover, { force: true });
  const instance = await DuckDBInstance.create(':memory:', {
    storage_compatibility_version: 'latest',
    autoinstall_known_extensions: 'false',
  });
  let tables: Record<string, number>;
  try {
    const connection = await instance.connect();
    try {
      if (options.to !== undefined)
        await enableWriteCrypto(connection, Boolean(options.allowUnsafeBuiltinCrypto));
      await connection.run(`attach ${literal(source)} as old_store ${attachOptions(options.from, true)}`);
      await connection.run(`attach ${literal(target)} as new_store ${attachOptions(options.to, false)}`);
      await connection.run('copy from database old_store to new_store');
      tables = await rowCounts(connection, 'old_store');
      const copied = await rowCounts(connection, 'new_store');
      for (const [table, n] of Object.entries(tables)) {
        if (copied[table] !== n) {
          throw new StoreError(
            `rekey copy of ${table} has ${copied[table] ?? 0} rows, expected ${n}; the store is unchanged`,
          );
        }
      }
      await connection.run('checkpoint new_store');
      await connection.run('detach new_store');
      await connection.run('detach old_store');
    } finally {
      connection.closeSync();
    }
  } catch (error) {
    instance.closeSync();
    rmSync(target, { force: true });
    rmSync(`${target}.wal`, { force: true });
    if (error instanceof StoreError) throw error;
    const keys = [options.from, options.to].filter((k): k is string => k !== undefined);
    const message = keys.reduce((m, k) => m.split(k).join('[REDACTED]'), describeError(error));
    // Another process opened the store between the checkpoint above and the copy.
    if (isLockConflict(message)) throw storeBusyError(source, message);
    if (/read-only crypto module/i.test(message)) {
      throw new StoreError(
        `cannot write the re-keyed copy of ${source}: this DuckDB can only read encrypted files`,
        {
          context: { path: source },
          hint: 'install httpfs (OpenSSL) or allow the built-in crypto, see docs/security.md; the store is unchanged',
        },
      );
    }
    throw new StoreError(`rekey of ${source} failed, the store is unchanged: ${message.split('\n')[0]}`, {
      context: { path: source },
      hint: 'check the current key and free disk space; see docs/security.md',
    });
  }
  instance.closeSync();
  rmSync(`${target}.wal`, { force: true });
  restrictToOwner(target);
  // Atomic on one filesystem: a crash leaves either the old store or the new one at `path`.
  renameSync(target, source);
  rmSync(`${source}.wal`, { force: true });
  return { path: source, tables };
}

function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function attachOptions(key: string | undefined, readOnly: boolean): string {
  const parts = [
    ...(key === undefined ? [] : [`encryption_key ${literal(key)}`]),
    ...(readOnly ? ['read_only'] : []),
  ];
  return parts.length === 0 ? '' : `(${parts.join(', ')})`;
}

async function enableWriteCrypto(connection: DuckDBConnection, allowUnsafe: boolean): Promise<void> {
  try {
    await connection.run('load httpfs');
    return;
  } catch {
    // Not installed: the built-in module, on opt-in only (see open-encrypted.ts).
  }
  if (allowUnsafe) await connection.run('set force_mbedtls_unsafe = true');
}

async function rowCounts(connection: DuckDBConnection, catalog: string): Promise<Record<string, number>> {
  const reader = await connection.runAndReadAll(
    `select schema_name, table_name from duckdb_tables() where database_name = ${literal(catalog)} order by 1, 2`,
  );
  const counts: Record<string, number> = {};
  for (const [schema, table] of reader.getRows()) {
    const n = await connection.runAndReadAll(
      `select count(*) from ${catalog}.${ident(String(schema))}.${ident(String(table))}`,
    );
    counts[`${String(schema)}.${String(table)}`] = Number(n.getRows()[0]?.[0] ?? 0);
  }
  return counts;
}
