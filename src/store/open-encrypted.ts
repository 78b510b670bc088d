import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { describeError, StoreError } from '../errors.js';
import { sqlString } from '../normalize/normalize-sql.js';
import { openAttachedDatabase } from './open-attached.js';

export interface EncryptedOpenOptions {
  readonly key: string;
  readonly readOnly: boolean;
  /** Write with DuckDB's built-in mbedtls crypto when OpenSSL (httpfs) is not available. */
  readonly allowUnsafeBuiltinCrypto: boolean;
  /** ATTACH options besides the key (ROW_GROUP_SIZE for a writer). */
  readonly attachOptions?: readonly string[];
}

/** Which AES implementation DuckDB writes with; readers need no choice (both decrypt). */
export type CryptoModule = 'openssl' | 'builtin-unsafe' | 'read-only';

export interface EncryptedDatabase {
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
  readonly crypto: CryptoModule;
}

/**
 * Opens an encrypted store the only way DuckDB allows: an in-memory instance that ATTACHes the
 * file with ENCRYPTION_KEY, then USEs it, so every unqualified name (and the appender) resolves
 * to the store exactly as when the file is opened directly. Spill files are encrypted too.
 *
 * Errors come back as StoreError for the encryption cases (wrong key, plaintext store, no
 * writable crypto); anything else is rethrown with the key scrubbed, for the caller to translate
 * (lock conflicts, missing files).
 */
export async function openEncryptedDatabase(
  path: string,
  config: Readonly<Record<string, string>>,
  options: EncryptedOpenOptions,
): Promise<EncryptedDatabase> {
  let crypto: CryptoModule = 'read-only';
  try {
    const opened = await openAttachedDatabase(
      path,
      // Spilled pages of an encrypted store are as sensitive as the store. An OpenSSL module is
      // used only if httpfs is already installed (openAttachedDatabase never downloads).
      { ...config, temp_file_encryption: 'true' },
      [
        `encryption_key ${sqlString(options.key)}`,
        ...(options.readOnly ? ['read_only'] : []),
        ...(options.attachOptions ?? []),
      ],
      async (connection) => {
        if (!options.readOnly) crypto = await chooseWriteCrypto(connection, options);
      },
    );
    return { ...opened, crypto };
  } catch (error) {
    throw translateEncryptionError(error, path, options.key);
  }
}

/**
 * DuckDB writes encrypted files only with OpenSSL (from the httpfs extension) unless told to use
 * its built-in mbedtls module, which DuckDB marks unsafe: its nonces come from a non-cryptographic
 * random generator. Prefer OpenSSL when it is installed; otherwise only on explicit opt-in.
 */
async function chooseWriteCrypto(
  connection: DuckDBConnection,
  options: EncryptedOpenOptions,
): Promise<CryptoModule> {
  try {
    await connection.run('load httpfs');
    return 'openssl';
  } catch {
    // Not installed here (no downloads at run time): fall through to the built-in module.
  }
  // Without the opt-in the ATTACH below fails with DuckDB's "read-only crypto module" error,
  // which translateEncryptionError turns into advice.
  if (!options.allowUnsafeBuiltinCrypto) return 'read-only';
  await connection.run(`set force_mbedtls_unsafe = true`);
  return 'builtin-unsafe';
}

function translateEncryptionError(error: unknown, path: string, key: string): unknown {
  if (error instanceof StoreError) return error;
  // DuckDB may echo the ATTACH statement; the key must not travel further in any message.
  const message = describeError(error).split(key).join('[REDACTED]');
  const context = { path };
  if (/Wrong encryption key/i.test(message)) {
    return new StoreError(`the encryption key does not open the store ${path}`, {
      context,
      hint: 'check AUDITLAKE_DB_KEY or store.encryption in auditlake.yaml; after a key rotation, use the new key',
    });
  }
  if (/is not encrypted/i.test(message)) {
    return new StoreError(`the store ${path} is not encrypted, but an encryption key is configured`, {
      context,
      hint: 'encrypt it first (docs/security.md, "Encrypting an existing store"), or unset the key',
    });
  }
  if (/read-only crypto module/i.test(message)) {
    return new StoreError(
      `cannot write the encrypted store ${path}: this DuckDB can only read encrypted files`,
      {
        context,
        hint:
          'writing needs OpenSSL from the httpfs extension (install it once where downloads are allowed: `duckdb -c "INSTALL httpfs"`), ' +
          "or accept DuckDB's built-in crypto, which DuckDB calls unsafe, with store.encryption.allow_unsafe_builtin_crypto: true " +
          'or AUDITLAKE_DB_ALLOW_UNSAFE_CRYPTO=1 (docs/security.md)',
      },
    );
  }
  return new Error(message);
}
