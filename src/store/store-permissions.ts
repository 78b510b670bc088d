import { dirname, resolve } from 'node:path';
import type { StoreConfig } from '../config/store-schema.js';
import { type CheckedPath, checkFilePermissions, type PermissionCheck } from '../util/private-files.js';

/**
 * `auditlake doctor`'s local checks: the config, the store key file, the report signing key file,
 * the store, its WAL and its directory should not be open to other users. Runs without any source configured.
 */
export function localPermissionChecks(options: {
  configFile: string | null;
  dbPath: string;
  store: StoreConfig;
  /** report.signing.key_file, when reports are signed with a key file. */
  reportSigningKeyFile?: string | undefined;
}): PermissionCheck[] {
  const paths: CheckedPath[] = [];
  if (options.configFile) paths.push({ what: 'config', path: options.configFile });
  const base = options.configFile ? dirname(options.configFile) : process.cwd();
  const keyFile = options.store.encryption?.key_file;
  if (keyFile !== undefined) paths.push({ what: 'encryption key', path: resolve(base, keyFile) });
  if (options.reportSigningKeyFile !== undefined) {
    paths.push({ what: 'report signing key', path: resolve(base, options.reportSigningKeyFile) });
  }
  if (options.dbPath !== ':memory:') {
    const db = resolve(options.dbPath);
    paths.push(
      { what: 'store', path: db },
      { what: 'store WAL', path: `${db}.wal` },
      { what: 'store directory', path: dirname(db) },
    );
  }
  return checkFilePermissions(paths);
}

/** A permission check as a doctor row (the same columns as a source check). */
export function permissionRow(check: PermissionCheck): {
  source: string;
  scope: string;
  check: string;
  ok: string;
  detail: string;
} {
  const ok = check.status === 'ok' ? 'ok' : check.status === 'warn' ? 'WARN' : 'FAILED';
  return { source: check.source, scope: check.scope, check: check.check, ok, detail: check.detail };
}
