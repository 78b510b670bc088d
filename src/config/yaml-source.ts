import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { AuditlakeError, type ErrorCode } from '../errors.js';

/** A path into a parsed YAML document: map keys and sequence indexes. */
export type YamlPath = readonly PropertyKey[];

/** Parsed YAML that still knows where each value came from, for error messages. */
export interface YamlSource {
  readonly file: string;
  readonly value: unknown;
  /** File line (1-based) of the value at `path`, or of the nearest ancestor found. */
  lineOf(path: YamlPath): number | undefined;
}

export interface YamlIssue {
  readonly file: string;
  readonly line: number | undefined;
  /** Dotted key path, e.g. `detection.suppressions[0].expires`. */
  readonly key: string;
  readonly message: string;
}

/** A YAML file (or YAML embedded in another file) that does not parse or validate; names file and line. */
export class YamlError extends AuditlakeError {
  readonly issues: readonly YamlIssue[];

  constructor(code: ErrorCode, issues: readonly YamlIssue[], hint?: string) {
    super(code, issues.map(formatIssue).join('; '), {
      context: { file: issues[0]?.file, line: issues[0]?.line },
      ...(hint === undefined ? {} : { hint }),
    });
    this.name = 'YamlError';
    this.issues = issues;
  }
}

export function formatIssue(issue: YamlIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
  return issue.key ? `${where}: ${issue.key}: ${issue.message}` : `${where}: ${issue.message}`;
}

export function formatPath(path: YamlPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/**
 * Parses YAML text. `firstLine` is the file line the text starts on, so YAML cut out of a larger
 * file (a detector header) reports lines of that file.
 */
export function parseYamlSource(text: string, file: string, code: ErrorCode, firstLine = 1): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const fileLine = (offset: number): number => lineCounter.linePos(offset).line + firstLine - 1;
  if (doc.errors.length > 0) {
    throw new YamlError(
      code,
      doc.errors.map((e) => ({
        file,
        line: fileLine(e.pos[0]),
        key: '',
        message: `invalid YAML: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  return {
    file,
    value: doc.toJS(),
    lineOf(path) {
      let node: unknown = doc.contents;
      let line = isNode(node) && node.range ? fileLine(node.range[0]) : undefined;
      for (const segment of path) {
        const next = childNode(node, segment);
        if (!next) break;
        if (next.range) line = fileLine(next.range[0]);
        node = next.value;
        if (isNode(node) && node.range && !next.isKey) line = fileLine(node.range[0]);
      }
      return line;
    },
  };
}

interface Located {
  value: unknown;
  range: Node['range'];
  isKey: boolean;
}

/** The child of a map or sequence node; for a map, the key's position (where people look). */
function childNode(node: unknown, segment: PropertyKey): Located | undefined {
  if (isMap(node)) {
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const key = isScalar(item.key) ? item.key.value : item.key;
      if (String(key) !== String(segment)) continue;
      const keyRange = isNode(item.key) ? item.key.range : undefined;
      // Point at the key line; scalars and flow collections share it, block ones start below it.
      return { value: item.value, range: keyRange, isKey: true };
    }
    return undefined;
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined
      ? undefined
      : { value: item, range: isNode(item) ? item.range : undefined, isKey: false };
  }
  return undefined;
}

/** Validates a parsed source against a schema; every issue names the file, line and key. */
export function validateYamlSource<T>(
  source: YamlSource,
  schema: z.ZodType<T>,
  code: ErrorCode,
  hint?: string,
): T {
  const result = schema.safeParse(source.value);
  if (result.success) return result.data;
  throw new YamlError(code, zodIssues(source, result.error.issues), hint);
}

/** Turns zod issues into located issues; unknown keys are reported at the key itself. */
export function zodIssues(source: YamlSource, issues: readonly z.core.$ZodIssue[]): YamlIssue[] {
  const out: YamlIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        out.push({
          file: source.file,
          line: source.lineOf(path),
          key: formatPath(path),
          message: 'unknown key',
        });
      }
      continue;
    }
    out.push({
      file: source.file,
      line: source.lineOf(issue.path),
      key: formatPath(issue.path),
      message: issue.message,
    });
  }
  // In file order, as people read and fix them.
  return out.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
}
