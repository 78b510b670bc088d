import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { CONFIG_FILE } from '../config/load-config.js';
import { type StoreConfig, storeSchema } from '../config/store-schema.js';
import { parseYamlSource, validateYamlSource } from '../config/yaml-source.js';
import { AuditlakeError } from '../errors.js';

/** The simple path: the key itself in this environment variable. */
export const KEY_ENV = 'AUDITLAKE_DB_KEY';
/** Opt-in to DuckDB's built-in (mbedtls) crypto for writing, when OpenSSL is not available. */
export const UNSAFE_CRYPTO_ENV = 'AUDITLAKE_DB_ALLOW_UNSAFE_CRYPTO';
/** DuckDB stretches any key with a KDF; a short one is still guessable offline from a stolen file. */
export const MIN_KEY_LENGTH = 16;

/** The encryption part of StoreOptions, as openStore takes it. */
export interface StoreKeyOptions {
  encryptionKey?: string;
  allowUnsafeBuiltinCrypto?: boolean;
}

export interface ResolvedKeySource {
  /** Where the key came from, for messages (never the key). */
  readonly from: string;
  /** The key file, when one is configured (doctor checks its mode). */
  readonly keyFile: string | null;
}

/**
 * The key and crypto choice from `store.encryption` in the config, else from AUDITLAKE_DB_KEY.
 * Returns {} when neither is set (an unencrypted store). Throws AuditlakeError('config') when a
 * configured source cannot give a usable key: the command must not silently write in plaintext.
 */
export function resolveStoreKey(
  store: StoreConfig,
  env: NodeJS.ProcessEnv = process.env,
  baseDir: string = process.cwd(),
): StoreKeyOptions & { source?: ResolvedKeySource } {
  const encryption = store.encryption;
  const envUnsafe = /^(1|true|yes)$/i.test(env[UNSAFE_CRYPTO_ENV] ?? '');
  if (!encryption) {
    const key = env[KEY_ENV];
    if (key === undefined || key === '') return {};
    return {
      encryptionKey: checkedKey(key, `$${KEY_ENV}`),
      allowUnsafeBuiltinCrypto: envUnsafe,
      source: { from: `$${KEY_ENV}`, keyFile: null },
    };
  }
  const allowUnsafeBuiltinCrypto = encryption.allow_unsafe_builtin_crypto || envUnsafe;
  if (encryption.key_env !== undefined) {
    const name = encryption.key_env;
    const key = env[name];
    if (key === undefined || key === '') {
      throw new AuditlakeError('config', `store.encryption.key_env names ${name}, which is not set`, {
        context: { variable: name },
        hint: `export ${name} with the store's key (see docs/security.md), or remove store.encryption`,
      });
    }
    return {
      encryptionKey: checkedKey(key, `$${name}`),
      allowUnsafeBuiltinCrypto,
      source: { from: `$${name}`, keyFile: null },
    };
  }
  const file = resolve(baseDir, encryption.key_file ?? '');
  return {
    encryptionKey: readKeyFile(file),
    allowUnsafeBuiltinCrypto,
    source: { from: file, keyFile: file },
  };
}

/** Reads the key file's first line; refuses a file other users can read. */
export function readKeyFile(file: string): string {
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    throw new AuditlakeError('config', `the store key file ${file} does not exist`, {
      context: { file },
      hint: 'create it (for example `umask 077; openssl rand -base64 32 > FILE`) or fix store.encryption.key_file',
    });
  }
  if (process.platform !== 'win32' && (mode & 0o004) !== 0) {
    throw new AuditlakeError(
      'config',
      `the store key file ${file} is readable by every user (mode ${mode.toString(8)})`,
      {
        context: { file },
        hint: `run \`chmod 600 ${file}\`, and rotate the key if others may have read it (docs/security.md)`,
      },
    );
  }
  const key = readFileSync(file, 'utf8').split(/\r?\n/, 1)[0]?.trim() ?? '';
  return checkedKey(key, file);
}

function checkedKey(key: string, from: string): string {
  if (key.length < MIN_KEY_LENGTH) {
    throw new AuditlakeError(
      'config',
      `the store key from ${from} is shorter than ${MIN_KEY_LENGTH} characters`,
      {
        hint: 'generate one with `openssl rand -base64 32`',
      },
    );
  }
  return key;
}

/** Only `store:` is read, so an unrelated broken section cannot stop a query from opening the store. */
const storeOnlySchema = z.object({ store: storeSchema.optional() });

/**
 * The `store:` section of auditlake.yaml (or `configPath`), validated; {} when there is no file.
 * `${ENV}` references are not expanded here: store settings name variables, they never embed them.
 */
export function readStoreConfig(
  configPath?: string,
  cwd: string = process.cwd(),
): { store: StoreConfig; file: string | null } {
  const file = resolve(cwd, configPath ?? CONFIG_FILE);
  if (!existsSync(file)) {
    if (configPath) {
      throw new AuditlakeError('config', `config file ${configPath} not found`, { context: { file } });
    }
    return { store: {}, file: null };
  }
  const source = parseYamlSource(readFileSync(file, 'utf8'), file, 'config');
  const value = validateYamlSource({ ...source, value: source.value ?? {} }, storeOnlySchema, 'config');
  return { store: value.store ?? {}, file };
}

/**
 * What every command passes to openStore: the key (and crypto choice) from auditlake.yaml's
 * `store.encryption`, else AUDITLAKE_DB_KEY; nothing when the store is not encrypted.
 * A relative key_file is resolved against the config file's directory.
 */
export function storeOptionsFromEnvironment(
  options: { configPath?: string | undefined; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): StoreKeyOptions {
  const cwd = options.cwd ?? process.cwd();
  const { store, file } = readStoreConfig(options.configPath, cwd);
  const baseDir = file ? resolve(file, '..') : cwd;
  const { source: _source, ...resolved } = resolveStoreKey(store, options.env ?? process.env, baseDir);
  return resolved;
}
