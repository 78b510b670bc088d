import { quoteIdentifier } from './completer.js';
import { lexSql } from './statement-splitter.js';

/**
 * Lays out a CREATE TABLE statement as DuckDB stores it (all on one line) with one column or
 * constraint per line, the way an analyst reads a schema. Anything that is not a plain
 * `CREATE TABLE name(...)` is returned unchanged.
 */
export function formatCreateStatement(sql: string): string {
  const text = sql.trim();
  const open = text.indexOf('(');
  if (!/^create\s+(?:temp(?:orary)?\s+)?table\b/i.test(text) || open === -1) return text;
  const parts = topLevelParts(text, open);
  if (!parts) return text;
  const { items, close } = parts;
  const head = text.slice(0, open).trimEnd();
  const tail = text.slice(close + 1).trim();
  return `${head} (\n${items.map((item) => `  ${item}`).join(',\n')}\n)${tail}`;
}

/** The comma-separated items between the `(` at `open` and its matching `)`, outside literals. */
function topLevelParts(text: string, open: number): { items: string[]; close: number } | null {
  const code = new Set<number>();
  for (const segment of lexSql(text).segments) {
    if (segment.kind !== 'code') continue;
    for (let i = segment.start; i < segment.end; i++) code.add(i);
  }
  const items: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < text.length; i++) {
    if (!code.has(i)) continue;
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth === 0) {
        items.push(text.slice(start, i).trim());
        return { items: items.filter((item) => item !== ''), close: i };
      }
    } else if (ch === ',' && depth === 1) {
      items.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  return null;
}

/**
 * A view's `.schema` text: its columns and types first, as comment lines an analyst can read, then
 * the CREATE VIEW statement (DuckDB keeps it normalized on one line, which can be long).
 */
export function formatViewDefinition(
  sql: string,
  columns: readonly { name: string; type: string }[],
): string {
  const names = columns.map((c) => quoteIdentifier(c.name));
  const width = Math.max(0, ...names.map((n) => n.length));
  const lines = columns.map((c, i) => `--   ${(names[i] ?? '').padEnd(width)}  ${c.type}`);
  return [...(lines.length > 0 ? ['-- columns:', ...lines] : []), sql.trim()].join('\n');
}
