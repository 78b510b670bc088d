import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AuditlakeError, UsageError } from '../../errors.js';
import { resolveDbPath } from '../../store/open-store.js';
import { rekeyStore } from '../../store/rekey-store.js';
import {
  MIN_KEY_LENGTH,
  readKeyFile,
  readStoreConfig,
  resolveStoreKey,
  type StoreKeyOptions,
  UNSAFE_CRYPTO_ENV,
} from '../../store/store-key.js';
import type { CommandResult, GlobalOptions } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { chooseFormat, renderDocument } from '../output.js';

/** What `store rekey`, `store encrypt` and `store decrypt` do to the store's encryption. */
export type KeyChange = 'rekey' | 'encrypt' | 'decrypt';

export interface NewKeyOptions {
  newKeyEnv?: string;
  newKeyFile?: string;
}

export interface KeyChangeResult {
  action: KeyChange;
  store: string;
  /** Where the new key came from (never the key); null when decrypting. */
  new_key_from: string | null;
  /** Rows per table, the same in the old and the new file (checked before the swap). */
  tables: number;
  events: number;
  /** What the user must change so the next commands open the store. */
  next: string;
}

/** The new key from --new-key-env or --new-key-file: exactly one, at least MIN_KEY_LENGTH long. */
export function newKeyFrom(
  options: NewKeyOptions,
  env: NodeJS.ProcessEnv = process.env,
): { key: string; from: string } {
  const { newKeyEnv, newKeyFile } = options;
  if ((newKeyEnv === undefined) === (newKeyFile === undefined)) {
    throw new UsageError(
      'give the new key with exactly one of --new-key-env VAR or --new-key-file PATH',
      'generate one with `umask 077; openssl rand -base64 32 > new.key` (docs/security.md)',
    );
  }
  if (newKeyFile !== undefined) {
    const file = resolve(newKeyFile);
    return { key: readKeyFile(file), from: file };
  }
  const name = newKeyEnv as string;
  const key = env[name];
  if (key === undefined || key === '') {
    throw new AuditlakeError('config', `--new-key-env names ${name}, which is not set`, {
      context: { variable: name },
      hint: `export ${name} with the new key (for example \`export ${name}="$(openssl rand -base64 32)"\`)`,
    });
  }
  if (key.length < MIN_KEY_LENGTH) {
    throw new AuditlakeError(
      'config',
      `the new key from $${name} is shorter than ${MIN_KEY_LENGTH} characters`,
      { hint: 'generate one with `openssl rand -base64 32`' },
    );
  }
  return { key, from: `$${name}` };
}

/**
 * Rotates, adds or removes the store's encryption with rekeyStore (copy into a new file, count the
 * rows of every table, atomic rename over the old file). The current key is the one every command
 * uses (store.encryption in auditlake.yaml, else AUDITLAKE_DB_KEY); `encrypt` ignores it, since the
 * configuration may already name the key the store is about to get.
 */
export async function changeStoreKey(
  dbPath: string,
  action: KeyChange,
  options: NewKeyOptions & { configPath?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): Promise<KeyChangeResult> {
  const next = action === 'decrypt' ? null : newKeyFrom(options, env);
  const { store: storeConfig, file } = readStoreConfig(options.configPath);
  const baseDir = file ? resolve(file, '..') : process.cwd();
  const current: StoreKeyOptions = action === 'encrypt' ? {} : resolveStoreKey(storeConfig, env, baseDir);
  const allowUnsafeBuiltinCrypto =
    current.allowUnsafeBuiltinCrypto ??
    (Boolean(storeConfig.encryption?.allow_unsafe_builtin_crypto) ||
      /^(1|true|yes)$/i.test(env[UNSAFE_CRYPTO_ENV] ?? ''));
  if (action !== 'encrypt' && current.encryptionKey === undefined) {
    throw new UsageError(
      `no current key is configured, so the store cannot be ${action === 'rekey' ? 're-keyed' : 'decrypted'}`,
      'set AUDITLAKE_DB_KEY (or store.encryption in auditlake.yaml) to the key the store has now; ' +
        'a plaintext store is encrypted with `auditlake store encrypt --new-key-env VAR`',
    );
  }
  let result: Awaited<ReturnType<typeof rekeyStore>>;
  try {
    result = await rekeyStore(dbPath, {
      from: current.encryptionKey,
      to: next?.key,
      allowUnsafeBuiltinCrypto,
    });
  } catch (error) {
    throw explain(error, action);
  }
  const tables = Object.keys(result.tables).length;
  const events = Object.entries(result.tables)
    .filter(([name]) => name.endsWith('.events'))
    .reduce((n, [, rows]) => n + rows, 0);
  return {
    action,
    store: result.path,
    new_key_from: next?.from ?? null,
    tables,
    events,
    next:
      action === 'decrypt'
        ? 'the store is plaintext now: remove AUDITLAKE_DB_KEY and store.encryption, or commands will refuse it'
        : `point AUDITLAKE_DB_KEY or store.encryption (key_env / key_file) at the new key from ${next?.from}; ` +
          (action === 'rekey' ? 'the old key no longer opens the store' : 'every command now needs it'),
  };
}

/** The store-level errors rekeyStore passes on, with the advice that fits this command. */
function explain(error: unknown, action: KeyChange): unknown {
  if (!(error instanceof AuditlakeError) || error.code !== 'store') return error;
  if (action === 'encrypt' && /is encrypted and no key/.test(error.message)) {
    return new UsageError(
      `${error.message.replace(' and no key is configured', '')} already`,
      'to change its key use `auditlake store rekey --new-key-env VAR` with the current key in AUDITLAKE_DB_KEY',
    );
  }
  if (/is not encrypted, but an encryption key is configured/.test(error.message)) {
    return new UsageError(
      error.message,
      'encrypt it with `auditlake store encrypt --new-key-env VAR` (the configured key is then not needed to read it)',
    );
  }
  return error;
}

function text(r: KeyChangeResult): string {
  const done = r.action === 'rekey' ? 're-encrypted' : r.action === 'encrypt' ? 'encrypted' : 'decrypted';
  const key = r.new_key_from ? ` with the key from ${r.new_key_from}` : '';
  return (
    `${done} ${r.store}${key}: ${r.tables} tables, ${r.events.toLocaleString('en-US')} events copied and counted; ` +
    'the old file was replaced atomically\n' +
    `next: ${r.next}\n`
  );
}

export function registerStore(
  program: Command,
  globals: () => GlobalOptions,
  done: (r: CommandResult) => void,
): void {
  const store = program
    .command('store')
    .description('store maintenance: rotate, add or remove encryption at rest (docs/security.md)');
  const action =
    (change: KeyChange) => async (opts: NewKeyOptions & { config?: string; format?: string }) => {
      const format = chooseFormat(opts.format, true);
      const result = await changeStoreKey(resolveDbPath(globals().db), change, {
        ...opts,
        configPath: opts.config,
      });
      done({ output: renderDocument(result, format, () => text(result)), exitCode: EXIT.ok });
    };
  const common = (command: Command, withNewKey: boolean): Command => {
    if (withNewKey) {
      command
        .option('--new-key-env <var>', 'environment variable holding the new key')
        .option('--new-key-file <path>', 'file holding the new key (first line; not readable by others)');
    }
    return command
      .option('--config <path>', 'config file with store.encryption (default: ./auditlake.yaml when present)')
      .option('--format <format>', 'summary as table (text) or json');
  };
  common(
    store
      .command('rekey')
      .description(
        'rotate the encryption key: copy the store under the new key, check every table, replace the file',
      )
      .addHelpText(
        'after',
        `
The current key is the configured one (store.encryption, else AUDITLAKE_DB_KEY). Needs no other
auditlake run on the store and free disk space for a second copy.

Example:
  NEW_KEY="$(openssl rand -base64 32)" auditlake store rekey --new-key-env NEW_KEY`,
      ),
    true,
  ).action(action('rekey'));
  common(
    store
      .command('encrypt')
      .description('encrypt a plaintext store with a new key')
      .addHelpText(
        'after',
        `
Example:
  umask 077; openssl rand -base64 32 > /etc/auditlake/store.key
  auditlake store encrypt --new-key-file /etc/auditlake/store.key`,
      ),
    true,
  ).action(action('encrypt'));
  common(
    store
      .command('decrypt')
      .description('turn an encrypted store back into plaintext (the current key must be configured)')
      .addHelpText('after', '\nExample:\n  AUDITLAKE_DB_KEY=... auditlake store decrypt'),
    false,
  ).action(action('decrypt'));
}
