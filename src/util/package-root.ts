import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditlakeError } from '../errors.js';

/**
 * The folder holding auditlake's package.json, found by walking up from this module, so the data
 * folders beside it (queries/, reports/, samples/, src/conformance/) resolve the same whether the
 * code runs from src/ (tsx, tests) or from dist/src/ (npm start, the installed binary).
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new AuditlakeError('internal', 'cannot find the auditlake package root');
    dir = parent;
  }
}
