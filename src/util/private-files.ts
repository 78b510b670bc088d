import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Audit evidence, findings and reports are for the owner only: files 0600, directories 0700.
 * Windows has no POSIX modes; there these calls are harmless no-ops in effect.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Creates `dir` (and missing parents) as 0700. Directories that already exist keep their mode:
 * they may be shared on purpose (a project root, /tmp).
 */
export function ensurePrivateDir(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // mkdir's mode is filtered by the umask; chmod makes it exact for the directory asked for.
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * Writes `bytes` to `path` readable by the owner only. The data goes to a 0600 temporary file in
 * the same directory, then is renamed over `path`, so a reader never sees a half-written report
 * and an existing world-readable file is replaced rather than reused with its old mode.
 */
export function writePrivateFile(path: string, bytes: string | Uint8Array): void {
  const target = resolve(path);
  ensurePrivateDir(dirname(target));
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', PRIVATE_FILE_MODE);
  try {
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    let offset = 0;
    while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    chmodSync(temporary, PRIVATE_FILE_MODE);
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Removes group and other access from `path` if it exists and is ours; false when it could not. */
export function restrictToOwner(path: string): boolean {
  try {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) chmodSync(path, mode & 0o700);
    return true;
  } catch {
    // Missing (a WAL that was checkpointed away) or owned by someone else: nothing we may change.
    return false;
  }
}

/**
 * Adds 077 to the process umask, so files DuckDB creates later on its own (the WAL on the first
 * write, spill files under `.tmp`) are owner-only from their first byte, not after a chmod.
 * Worker threads cannot change the umask; they keep the process's.
 */
export function tightenUmask(): void {
  try {
    const previous = process.umask(0o077);
    process.umask(previous | 0o077);
  } catch {
    // ERR_WORKER_UNSUPPORTED_OPERATION in a worker thread: the main thread's umask applies.
  }
}

export type PermissionStatus = 'ok' | 'warn' | 'failed';

/** One row of `auditlake doctor`'s file checks. */
export interface PermissionCheck {
  readonly source: 'local';
  readonly scope: string;
  readonly check: string;
  readonly status: PermissionStatus;
  readonly detail: string;
}

/** What a file is, which decides how strict its check is. */
export interface CheckedPath {
  readonly what:
    | 'config'
    | 'encryption key'
    | 'report signing key'
    | 'store'
    | 'store WAL'
    | 'store directory';
  readonly path: string;
}

/**
 * Mode checks for the files that hold settings, keys and evidence. A key file others can read is
 * a failure (openStore refuses it); a world-readable store or config is a warning; missing files
 * are skipped (a store not created yet is fine).
 */
export function checkFilePermissions(paths: readonly CheckedPath[]): PermissionCheck[] {
  const checks: PermissionCheck[] = [];
  for (const { what, path } of paths) {
    let mode: number;
    try {
      mode = statSync(path).mode & 0o777;
    } catch {
      continue;
    }
    const octal = mode.toString(8).padStart(4, '0');
    const check = `${what} permissions`;
    const fix = `chmod ${what === 'store directory' ? '700' : '600'} ${path}`;
    if ((mode & 0o004) !== 0 || (what !== 'config' && (mode & 0o040) !== 0)) {
      const who = (mode & 0o004) !== 0 ? 'every user on this machine' : 'its group';
      checks.push({
        source: 'local',
        scope: path,
        check,
        // A world-readable key file is refused where it is used (openStore, report signing); a
        // group-readable one is only a warning.
        status: what.endsWith(' key') && (mode & 0o004) !== 0 ? 'failed' : 'warn',
        detail: `mode ${octal}: readable by ${who}; run \`${fix}\``,
      });
    } else if ((mode & 0o002) !== 0 || (mode & 0o020) !== 0) {
      checks.push({
        source: 'local',
        scope: path,
        check,
        status: 'warn',
        detail: `mode ${octal}: writable by others; run \`${fix}\``,
      });
    } else {
      checks.push({ source: 'local', scope: path, check, status: 'ok', detail: `mode ${octal}` });
    }
  }
  return checks;
}
