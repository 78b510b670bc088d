import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * Every command starts by loading src/cli/main.ts and what it imports statically. The cloud SDKs,
 * the PDF stack and the mailer must stay behind dynamic imports: loaded at start-up they cost
 * about 0.4 s on every `auditlake query` and every `ingest files` (measured: --help 0.67 s with
 * them, 0.27 s without).
 */
const HEAVY = /^(@aws-sdk\/|@google-cloud\/|@azure\/|pdfkit$|vega$|vega-lite$|nodemailer$)/;

/** Specifiers a module loads when it is loaded: static imports and re-exports, not `import type`. */
function staticImports(source: string): string[] {
  const out: string[] = [];
  const statement = /^(?:import|export)\s+(?!type\b)(?:[\s\S]*?\sfrom\s+)?'([^']+)';/gm;
  for (const match of source.matchAll(statement)) if (match[1]) out.push(match[1]);
  return out;
}

function reachable(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const todo = [entry];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of staticImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) todo.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!spec.startsWith('node:') && !packages.has(spec)) packages.set(spec, file);
    }
  }
  return { files, packages };
}

describe('CLI start-up', () => {
  it('reads static imports and skips type-only ones', () => {
    const source = `import { a } from './a.js';
import type { B } from './b.js';
import {
  c,
  type D,
} from '@aws-sdk/client-s3';
export { e } from './e.js';
export type { F } from './f.js';
import './side-effect.js';
const later = await import('pdfkit');`;
    expect(staticImports(source)).toEqual(['./a.js', '@aws-sdk/client-s3', './e.js', './side-effect.js']);
  });

  it('does not load a cloud SDK, the PDF stack or the mailer before a command needs it', () => {
    const { files, packages } = reachable(resolve('src/cli/main.ts'));
    // The walk must have reached the commands, or the assertion below proves nothing.
    expect(files.size).toBeGreaterThan(50);
    expect([...packages.keys()]).toContain('@duckdb/node-api');
    const heavy = [...packages]
      .filter(([spec]) => HEAVY.test(spec))
      .map(([spec, from]) => `${spec} <- ${from}`);
    expect(heavy).toEqual([]);
  });
});
