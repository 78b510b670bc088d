import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parseYamlSource, validateYamlSource, YamlError, type YamlIssue } from '../config/yaml-source.js';
import { packageRoot } from '../util/package-root.js';
import { type DetectorHeader, detectorHeaderSchema } from './detector-header.js';

/** A detector file that loaded and validated. */
export interface Detector {
  readonly id: string;
  /** Absolute path of the SQL file. */
  readonly file: string;
  readonly fixturesFile: string;
  readonly header: DetectorHeader;
  /** The whole file: the header is a comment, so the file runs as-is. */
  readonly sql: string;
  /** sha256 of the file, recorded with every run so a finding names the logic that made it. */
  readonly version: string;
}

/** A detector file that did not load, with every problem located. */
export interface DetectorProblem {
  readonly id: string;
  readonly file: string;
  readonly issues: readonly YamlIssue[];
}

export interface LoadedDetectors {
  readonly root: string;
  readonly detectors: Detector[];
  readonly problems: DetectorProblem[];
}

const FENCE = '-- ---';

/**
 * The package's queries/ folder: found from this module's location, which is src/detect/ when run
 * from source and dist/src/detect/ when compiled, by walking up to package.json.
 */
export function defaultQueriesRoot(): string {
  return join(packageRoot(), 'queries');
}

/** Path as people see it: relative to the working directory when under it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}

/** queries/hunts/ holds saved hunts (src/hunt/), not detectors: the detector loader skips it. */
export const HUNTS_DIR = 'hunts';

/** Every `*.sql` under root, sorted, skipping hidden folders and the hunts folder. */
function findSqlFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory() && dir === root && entry.name === HUNTS_DIR) continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.sql')) out.push(path);
    }
  };
  if (existsSync(root)) walk(root);
  return out.sort();
}

/** `queries/aws/root-console-login.sql` → `aws/root-console-login`. */
export function detectorIdOf(root: string, file: string): string {
  return relative(root, file)
    .split(sep)
    .join('/')
    .replace(/\.sql$/, '');
}

/** Loads every detector under root; a bad file becomes a problem, never stops the others. */
export function loadDetectors(root: string = defaultQueriesRoot()): LoadedDetectors {
  const absRoot = resolve(root);
  const detectors: Detector[] = [];
  const problems: DetectorProblem[] = [];
  for (const file of findSqlFiles(absRoot)) {
    const id = detectorIdOf(absRoot, file);
    try {
      detectors.push(loadDetectorFile(file, id));
    } catch (error) {
      if (!(error instanceof YamlError)) throw error;
      problems.push({ id, file, issues: error.issues });
    }
  }
  return { root: absRoot, detectors, problems };
}

/** Loads one file whose expected id is given; throws YamlError with every problem located. */
export function loadDetectorFile(file: string, id: string): Detector {
  const shown = displayPath(file);
  const text = readFileSync(file, 'utf8');
  const { yaml, firstLine } = extractHeader(text, shown);
  const source = parseYamlSource(yaml, shown, 'detector', firstLine);
  const header = validateYamlSource(source, detectorHeaderSchema, 'detector');
  const issues: YamlIssue[] = [];
  if (header.id !== id) {
    issues.push({
      file: shown,
      line: source.lineOf(['id']),
      key: 'id',
      message: `"${header.id}" does not match the file path; expected "${id}"`,
    });
  }
  const fixturesFile = file.replace(/\.sql$/, '.fixtures.json');
  if (!existsSync(fixturesFile)) {
    issues.push({
      file: shown,
      line: source.lineOf(['id']),
      key: '',
      message: `no fixtures file ${displayPath(fixturesFile)}: every detector ships positive and negative cases`,
    });
  }
  if (issues.length > 0) throw new YamlError('detector', issues);
  return {
    id,
    file,
    fixturesFile,
    header,
    sql: text,
    version: createHash('sha256').update(text).digest('hex'),
  };
}

/** The YAML between the `-- ---` fences, without the `-- ` prefixes, and its first file line. */
export function extractHeader(text: string, shown: string): { yaml: string; firstLine: number } {
  const lines = text.split(/\r?\n/);
  const fail = (line: number, message: string): never => {
    throw new YamlError('detector', [{ file: shown, line, key: '', message }]);
  };
  let open = 0;
  while (open < lines.length && (lines[open] ?? '').trim() === '') open++;
  if ((lines[open] ?? '').trimEnd() !== FENCE) {
    fail(open + 1, `no YAML header: the file must start with a "${FENCE}" line (docs/detector-format.md)`);
  }
  const yaml: string[] = [];
  for (let i = open + 1; i < lines.length; i++) {
    const line = (lines[i] ?? '').trimEnd();
    if (line === FENCE) return { yaml: yaml.join('\n'), firstLine: open + 2 };
    if (line === '--') yaml.push('');
    else if (line.startsWith('-- ')) yaml.push(line.slice(3));
    else fail(i + 1, `header line must start with "-- " (the header ends with a "${FENCE}" line)`);
  }
  return fail(open + 1, `the header opened here is never closed with a "${FENCE}" line`);
}
