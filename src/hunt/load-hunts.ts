import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseYamlSource, validateYamlSource, YamlError, type YamlIssue } from '../config/yaml-source.js';
import { defaultQueriesRoot, displayPath, extractHeader, HUNTS_DIR } from '../detect/load-detectors.js';
import { UsageError } from '../errors.js';
import { type HuntHeader, huntHeaderSchema } from './hunt-header.js';

export interface Hunt {
  /** File name without `.sql`: `principal-activity`. */
  readonly id: string;
  readonly file: string;
  readonly header: HuntHeader;
  /** The whole file: the header is a comment, so it runs as-is in the DuckDB CLI. */
  readonly sql: string;
}

export interface HuntProblem {
  readonly id: string;
  readonly file: string;
  readonly issues: readonly YamlIssue[];
}

export interface LoadedHunts {
  readonly root: string;
  readonly hunts: Hunt[];
  readonly problems: HuntProblem[];
}

export function defaultHuntsRoot(): string {
  return join(defaultQueriesRoot(), HUNTS_DIR);
}

/** Every `*.sql` directly in root (hunts are a flat folder), sorted; a bad file is a problem. */
export function loadHunts(root: string = defaultHuntsRoot()): LoadedHunts {
  const absRoot = resolve(root);
  const hunts: Hunt[] = [];
  const problems: HuntProblem[] = [];
  const files = existsSync(absRoot)
    ? readdirSync(absRoot, { withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith('.sql') && !e.name.startsWith('.'))
        .map((e) => e.name)
        .sort()
    : [];
  for (const name of files) {
    const id = name.replace(/\.sql$/, '');
    const file = join(absRoot, name);
    try {
      hunts.push(loadHuntFile(file, id));
    } catch (error) {
      if (!(error instanceof YamlError)) throw error;
      problems.push({ id, file, issues: error.issues });
    }
  }
  return { root: absRoot, hunts, problems };
}

/** Loads one hunt file whose expected id is given; throws YamlError with every problem located. */
export function loadHuntFile(file: string, id: string): Hunt {
  const shown = displayPath(file);
  const text = readFileSync(file, 'utf8');
  const { yaml, firstLine } = extractHeader(text, shown);
  const source = parseYamlSource(yaml, shown, 'detector', firstLine);
  const header = validateYamlSource(source, huntHeaderSchema, 'detector', 'the format is in docs/hunts.md');
  if (header.id !== id) {
    throw new YamlError('detector', [
      {
        file: shown,
        line: source.lineOf(['id']),
        key: 'id',
        message: `"${header.id}" does not match the file name; expected "${id}"`,
      },
    ]);
  }
  return { id, file, header, sql: text };
}

/** The hunt named `id`, or a usage error listing what exists (a broken file reports its problems). */
export function findHunt(library: LoadedHunts, id: string): Hunt {
  const hunt = library.hunts.find((h) => h.id === id);
  if (hunt) return hunt;
  const problem = library.problems.find((p) => p.id === id);
  if (problem) throw new YamlError('detector', problem.issues, 'the format is in docs/hunts.md');
  const known = library.hunts.map((h) => h.id);
  throw new UsageError(
    `no hunt "${id}" in ${displayPath(library.root)}`,
    known.length > 0
      ? `list them with \`auditlake hunt --list\` (${known.slice(0, 6).join(', ')}${known.length > 6 ? ', ...' : ''})`
      : 'hunts are .sql files in queries/hunts/ (docs/hunts.md)',
  );
}
