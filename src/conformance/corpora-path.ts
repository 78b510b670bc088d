import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { AuditlakeError } from '../errors.js';

/** Where the shared third-party corpora live unless AUDITLAKE_CORPORA says otherwise. */
export const DEFAULT_CORPORA_DIR = '../shared/corpora';

/**
 * The corpora directory: AUDITLAKE_CORPORA, else ../shared/corpora, resolved from the working
 * directory (the project root under `npm run conformance`). The corpora are not part of the
 * project (third-party licenses), so a missing directory is a setup problem with its own message.
 */
export function resolveCorporaDir(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const given = env.AUDITLAKE_CORPORA?.trim();
  const dir = resolve(cwd, given ? given : DEFAULT_CORPORA_DIR);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new AuditlakeError('input', `the conformance corpora are not at ${dir}`, {
      context: { dir },
      hint: given
        ? 'AUDITLAKE_CORPORA must name the corpora directory (the one holding elastic/ and other/)'
        : `set AUDITLAKE_CORPORA to the corpora directory, or run from a checkout next to shared/corpora (default ${DEFAULT_CORPORA_DIR})`,
    });
  }
  return dir;
}
