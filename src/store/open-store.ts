import { dirname, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { AuditlakeError, describeError, StoreError } from '../errors.js';
import { ensurePrivateDir, restrictToOwner, tightenUmask } from '../util/private-files.js';
import { MIGRATIONS } from './migrations.js';
import { openAttachedDatabase, ROW_GROUP_SIZE, STORE_CATALOG } from './open-attached.js';
import { openEncryptedDatabase } from './open-encrypted.js';
import { isLockConflict, retryWhileBusy, storeAccess, storeBusyError } from './store-busy.js';
import { claimOwnership, releaseOwnership } from './store-owner.js';

export const DEFAULT_DB_PATH = 'data/auditlake.duckdb';

export interface StoreOptions {
  /** File path, or ':memory:'. */
  path: string;
  readOnly?: boolean;
  /** DuckDB memory_limit, e.g. '1GB'. */
  memoryLimit?: string;
  threads?: number;
  /** Opens (or creates) the store encrypted with this key; see storeOptionsFromEnvironment. */
  encryptionKey?: string | undefined;
  /** Lets DuckDB write encrypted files with its built-in crypto when OpenSSL is missing (docs/security.md). */
  allowUnsafeBuiltinCrypto?: boolean | undefined;
  /**
   * How long to wait while another process holds the store (0: fail at once with StoreBusyError,
   * Infinity: as long as it takes). Default: what the CLI set with `--wait` (storeAccess()), else 0.
   */
  waitSeconds?: number | undefined;
}

/** An open store: one DuckDB instance and one connection, closed together. */
export interface Store {
  readonly path: string;
  readonly connection: DuckDBConnection;
  /** Another connection to the same instance (for work that overlaps); closed with the store. */
  connect(): Promise<DuckDBConnection>;
  close(): void;
}

/** The store path from --db, then AUDITLAKE_DB, then the default. */
export function resolveDbPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.AUDITLAKE_DB ?? DEFAULT_DB_PATH;
}

/**
 * Opens the store (creating and migrating it when writable). A store another process holds fails
 * with StoreBusyError naming the holder, or is waited for (options.waitSeconds, `--wait`).
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  const access = storeAccess();
  return retryWhileBusy(() => openOnce(options, access.command), {
    waitSeconds: options.waitSeconds ?? access.waitSeconds,
    onWait: access.onWait,
  });
}

async function openOnce(options: StoreOptions, command: string): Promise<Store> {
  const path = options.path === ':memory:' ? ':memory:' : resolve(options.path);
  const config: Record<string, string> = {
    // zstd compression of the raw JSON column needs the newest storage format (3-4x smaller store).
    storage_compatibility_version: 'latest',
    // Nothing here relies on a table's physical row order (every read orders explicitly), and
    // without it DuckDB's bulk inserts use less memory and run more in parallel.
    preserve_insertion_order: 'false',
  };
  if (options.readOnly) config.access_mode = 'READ_ONLY';
  if (options.memoryLimit) config.memory_limit = options.memoryLimit;
  if (options.threads) config.threads = String(options.threads);
  const onDisk = path !== ':memory:';
  if (onDisk && !options.readOnly) {
    // Evidence is for the owner only: the WAL and spill files DuckDB creates later inherit this.
    tightenUmask();
    ensurePrivateDir(dirname(path));
  }
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  const attached = onDisk && (options.encryptionKey !== undefined || !options.readOnly);
  try {
    const appendOptions = options.readOnly ? [] : [`row_group_size ${ROW_GROUP_SIZE}`];
    if (onDisk && options.encryptionKey !== undefined) {
      ({ instance, connection } = await openEncryptedDatabase(path, config, {
        key: options.encryptionKey,
        readOnly: Boolean(options.readOnly),
        allowUnsafeBuiltinCrypto: Boolean(options.allowUnsafeBuiltinCrypto),
        attachOptions: appendOptions,
      }));
    } else if (onDisk && !options.readOnly) {
      // Attached rather than opened by path: only ATTACH takes the row group size (open-attached.ts).
      ({ instance, connection } = await openAttachedDatabase(path, config, appendOptions));
    } else {
      instance = await DuckDBInstance.create(path, config);
      connection = await instance.connect();
    }
  } catch (error) {
    throw error instanceof AuditlakeError ? error : translateOpenError(error, path);
  }
  // Stores created before permissions were tightened (or by another tool) are fixed on write.
  if (onDisk && !options.readOnly) for (const file of [path, `${path}.wal`]) restrictToOwner(file);
  // Holding DuckDB's write lock now: say who, for anyone who finds the store busy meanwhile.
  const owner = onDisk && !options.readOnly ? claimOwnership(path, command) : null;
  const extra: DuckDBConnection[] = [];
  const store: Store = {
    path,
    connection,
    async connect() {
      const more = await instance.connect();
      extra.push(more);
      // A new connection starts in the instance's default catalog, the in-memory one when the
      // store is attached: point it at the store, as the first connection was.
      if (attached) await more.run(`use ${STORE_CATALOG}`);
      return more;
    },
    close() {
      for (const more of extra) more.closeSync();
      connection.closeSync();
      instance.closeSync();
      // After the lock is released: a writer that comes next replaces the file, and is left alone.
      releaseOwnership(path, owner);
    },
  };
  try {
    if (!options.readOnly) await migrate(connection);
    else await assertMigrated(connection, path);
  } catch (error) {
    store.close();
    throw error;
  }
  return store;
}

function translateOpenError(error: unknown, path: string): AuditlakeError {
  const message = describeError(error);
  if (/Cannot open encrypted database/i.test(message)) {
    return new StoreError(`the store ${path} is encrypted and no key is configured`, {
      context: { path },
      hint: 'set AUDITLAKE_DB_KEY, or store.encryption.key_env / key_file in auditlake.yaml (docs/security.md)',
      cause: error,
    });
  }
  if (isLockConflict(message)) return storeBusyError(path, message);
  if (/No such file|does not exist|Cannot open database/i.test(message)) {
    return new StoreError(`cannot open the store ${path}: ${message.split('\n')[0]}`, {
      context: { path },
      hint: 'run `auditlake ingest files PATH` (or `npm start`) first to create it, or pass --db',
      cause: error,
    });
  }
  return new StoreError(`cannot open the store ${path}: ${message.split('\n')[0]}`, {
    context: { path },
    cause: error,
  });
}

async function currentVersion(connection: DuckDBConnection): Promise<number> {
  const exists = await connection.runAndReadAll(
    `select count(*)::int as n from information_schema.tables where table_name = 'schema_migrations' and table_schema = 'main'`,
  );
  if (Number(exists.getRows()[0]?.[0] ?? 0) === 0) return 0;
  const reader = await connection.runAndReadAll(
    'select coalesce(max(version), 0)::int from schema_migrations',
  );
  return Number(reader.getRows()[0]?.[0] ?? 0);
}

async function migrate(connection: DuckDBConnection): Promise<void> {
  await connection.run(
    'create table if not exists schema_migrations (version integer primary key, name varchar, applied_at timestamptz)',
  );
  const version = await currentVersion(connection);
  for (const migration of MIGRATIONS) {
    if (migration.version <= version) continue;
    await connection.run('begin transaction');
    try {
      await connection.run(migration.sql);
      await connection.run('insert into schema_migrations values ($1, $2, now())', [
        migration.version,
        migration.name,
      ]);
      await connection.run('commit');
    } catch (error) {
      await connection.run('rollback');
      throw new StoreError(
        `migration ${migration.version} (${migration.name}) failed: ${describeError(error)}`,
        {
          cause: error,
        },
      );
    }
  }
}

async function assertMigrated(connection: DuckDBConnection, path: string): Promise<void> {
  const version = await currentVersion(connection);
  const latest = MIGRATIONS.at(-1)?.version ?? 0;
  if (version === 0) {
    throw new StoreError(`${path} is not an auditlake store (no schema)`, {
      hint: 'run `auditlake ingest files PATH` to create one, or pass --db',
    });
  }
  if (version < latest) {
    throw new StoreError(`the store ${path} has schema version ${version}, this auditlake needs ${latest}`, {
      hint: 'run any writing command (for example `auditlake ingest files`) once to migrate it',
    });
  }
}
