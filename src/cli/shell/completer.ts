import { DOT_COMMANDS, SHELL_MODES } from './dot-commands.js';
import { lexSql } from './statement-splitter.js';

/** A table or view the shell can complete, with its columns in table order. */
export interface CatalogRelation {
  /** null for `main` and temporary objects, which need no qualifier. */
  readonly schema: string | null;
  readonly name: string;
  readonly kind: 'table' | 'view';
  readonly columns: readonly string[];
}

/** What completion draws on: read from the store at start and after each DDL statement. */
export interface Catalog {
  readonly relations: readonly CatalogRelation[];
  /** SQL keywords, lower case. */
  readonly keywords: readonly string[];
}

/** What readline's completer returns: the candidates and the text they replace. */
export type Completion = [string[], string];

/** After these words only a table or view name makes sense, so Tab lists them even with no prefix. */
const RELATION_CONTEXT = new Set(['from', 'join', 'into', 'table', 'update', 'describe', 'summarize']);

/**
 * A few keywords that must never be taken for a table alias (`from events where ...`), besides
 * anything in the catalog's keyword list.
 */
const NOT_ALIASES = new Set([
  'where',
  'join',
  'left',
  'right',
  'inner',
  'outer',
  'full',
  'cross',
  'natural',
  'positional',
  'asof',
  'anti',
  'semi',
  'on',
  'using',
  'group',
  'order',
  'limit',
  'offset',
  'having',
  'qualify',
  'window',
  'union',
  'except',
  'intersect',
  'set',
  'values',
  'select',
  'returning',
]);

const SIMPLE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `name` as it must be typed: bare when simple, else double-quoted. */
export function quoteIdentifier(name: string): string {
  return SIMPLE_IDENTIFIER.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/** How a relation is typed in SQL: `name`, or `schema.name` outside `main`, quoted where needed. */
export function relationReference(relation: Pick<CatalogRelation, 'schema' | 'name'>): string {
  const name = quoteIdentifier(relation.name);
  return relation.schema === null ? name : `${quoteIdentifier(relation.schema)}.${name}`;
}

/** The relation's unquoted lower-case key: what `from NAME` resolves against. */
function relationKey(relation: CatalogRelation): string {
  return (relation.schema === null ? relation.name : `${relation.schema}.${relation.name}`).toLowerCase();
}

/**
 * Completes the text before the cursor. `line` is the current input line up to the cursor;
 * `pending` holds the earlier lines of a statement still being typed ('' when none).
 */
export function complete(line: string, pending: string, catalog: Catalog): Completion {
  if (pending.trim() === '' && line.trimStart().startsWith('.')) return completeDotCommand(line, catalog);
  const statement = pending === '' ? line : `${pending}\n${line}`;
  const lexed = lexSql(statement);
  if (lexed.open === 'identifier') {
    const opening = lexed.segments.at(-1)?.start ?? statement.length;
    const token = statement.slice(opening);
    if (token.includes('\n')) return [[], ''];
    return [quotedMatches(rawNames(catalog, statement), token.slice(1)), token];
  }
  if (lexed.open !== 'code') return [[], ''];

  const word = /(?:([A-Za-z_][\w$]*|"(?:[^"]|"")+")\.)?([A-Za-z_][\w$]*)?$/.exec(line);
  const qualifier = word?.[1];
  const prefix = word?.[2] ?? '';
  const token = word?.[0] ?? '';
  if (qualifier !== undefined) {
    const relation = resolveQualifier(unquote(qualifier), statement, catalog);
    if (!relation) return [[], token];
    const columns = relation.columns.filter((c) => startsWithIgnoringCase(c, prefix));
    return [columns.map((c) => `${qualifier}.${quoteIdentifier(c)}`).sort(), token];
  }

  const before = `${pending}\n${line.slice(0, line.length - token.length)}`;
  const previous = /([A-Za-z_]+)\s*$/.exec(before)?.[1]?.toLowerCase();
  if (previous !== undefined && RELATION_CONTEXT.has(previous)) {
    const names = catalog.relations.map(relationReference).filter((n) => startsWithIgnoringCase(n, prefix));
    return [unique(names), token];
  }
  if (prefix === '') return [[], token];

  const keywordCase = /[A-Z]/.test(prefix) && !/[a-z]/.test(prefix) ? 'upper' : 'lower';
  const keywords = catalog.keywords
    .filter((k) => startsWithIgnoringCase(k, prefix))
    .map((k) => (keywordCase === 'upper' ? k.toUpperCase() : k.toLowerCase()));
  const names = catalogNames(catalog, statement).filter((n) => startsWithIgnoringCase(n, prefix));
  return [unique([...names, ...keywords]), token];
}

function completeDotCommand(line: string, catalog: Catalog): Completion {
  const text = line.trimStart();
  const commandOnly = /^\.\S*$/.exec(text);
  if (commandOnly) {
    const names = DOT_COMMANDS.map((c) => c.name).filter((n) => startsWithIgnoringCase(n, text));
    return [names, text];
  }
  const argument = /^(\.\S+)\s+(\S*)$/.exec(text);
  if (!argument) return [[], ''];
  const command = (argument[1] ?? '').toLowerCase();
  const partial = argument[2] ?? '';
  let options: string[] = [];
  if (command === '.mode') options = [...SHELL_MODES];
  else if (command === '.timer') options = ['on', 'off'];
  else if (command === '.schema') options = catalog.relations.map(relationReference);
  return [unique(options.filter((o) => startsWithIgnoringCase(o, partial))), partial];
}

/**
 * Relation references plus the columns worth offering (as typed, quoted where needed): those of
 * the relations the statement already names (after FROM, JOIN, ...), or every column when it names
 * none yet.
 */
function catalogNames(catalog: Catalog, statement: string): string[] {
  const named = referencedRelations(statement, catalog);
  const scope = named.length > 0 ? named : catalog.relations;
  return [
    ...catalog.relations.map(relationReference),
    ...scope.flatMap((r) => r.columns.map(quoteIdentifier)),
  ];
}

/** Bare names (no schema) of relations and in-scope columns, for completing inside `"...`. */
function rawNames(catalog: Catalog, statement: string): string[] {
  const named = referencedRelations(statement, catalog);
  const scope = named.length > 0 ? named : catalog.relations;
  return [...catalog.relations.map((r) => r.name), ...scope.flatMap((r) => r.columns)];
}

function quotedMatches(names: readonly string[], inner: string): string[] {
  return unique(names.filter((n) => n.startsWith(inner)).map((n) => `"${n.replaceAll('"', '""')}"`));
}

/** The relations named after FROM/JOIN/INTO/UPDATE/... in `statement`, with their aliases. */
function referencedRelations(statement: string, catalog: Catalog): CatalogRelation[] {
  return [...relationReferences(statement, catalog).values()].filter((r, i, all) => all.indexOf(r) === i);
}

/** alias (and name) → relation, lower-cased keys. */
function relationReferences(statement: string, catalog: Catalog): Map<string, CatalogRelation> {
  const code = codeOnly(statement);
  const byName = new Map(catalog.relations.map((r) => [relationKey(r), r]));
  const keywords = new Set(catalog.keywords.map((k) => k.toLowerCase()));
  const out = new Map<string, CatalogRelation>();
  const pattern =
    /\b(?:from|join|into|update|describe|table)\s+((?:[A-Za-z_][\w$]*|"(?:[^"]|"")+")(?:\.(?:[A-Za-z_][\w$]*|"(?:[^"]|"")+"))?)(?:\s+(?:as\s+)?([A-Za-z_][\w$]*))?/gi;
  for (const match of code.matchAll(pattern)) {
    const name = (match[1] ?? '')
      .split('.')
      .map((part) => unquote(part))
      .join('.')
      .toLowerCase();
    const relation = byName.get(name);
    if (!relation) continue;
    out.set(name, relation);
    const alias = match[2]?.toLowerCase();
    if (alias && !NOT_ALIASES.has(alias) && !keywords.has(alias)) out.set(alias, relation);
  }
  return out;
}

function resolveQualifier(
  qualifier: string,
  statement: string,
  catalog: Catalog,
): CatalogRelation | undefined {
  const key = qualifier.toLowerCase();
  return (
    relationReferences(statement, catalog).get(key) ??
    catalog.relations.find((r) => relationKey(r) === key || r.name.toLowerCase() === key)
  );
}

/** `statement` with literals and comments blanked, so names inside them are not taken for tables. */
function codeOnly(statement: string): string {
  const { segments } = lexSql(statement);
  return segments
    .map((s) => {
      const text = statement.slice(s.start, s.end);
      return s.kind === 'code' || s.kind === 'identifier' ? text : ' '.repeat(text.length);
    })
    .join('');
}

function unquote(name: string): string {
  return name.startsWith('"') && name.endsWith('"') && name.length >= 2
    ? name.slice(1, -1).replaceAll('""', '"')
    : name;
}

function startsWithIgnoringCase(candidate: string, prefix: string): boolean {
  return candidate.toLowerCase().startsWith(prefix.toLowerCase());
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort((a, b) => a.localeCompare(b));
}
