import { UsageError } from '../errors.js';

export type OutputFormat = 'table' | 'json' | 'csv' | 'ndjson';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'csv', 'ndjson'];

export type Row = Record<string, unknown>;

/** The format asked for, else a table on a terminal and JSON when piped. */
export function chooseFormat(flag: string | undefined, isTTY: boolean): OutputFormat {
  if (flag === undefined) return isTTY ? 'table' : 'json';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(flag)) {
    throw new UsageError(`unknown format "${flag}"`, `use one of: ${OUTPUT_FORMATS.join(', ')}`);
  }
  return flag as OutputFormat;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function csvCell(value: unknown): string {
  const text = cellText(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const MAX_TABLE_CELL = 60;

function tableText(rows: readonly Row[], columns: readonly string[]): string {
  if (columns.length === 0) return '';
  const cells = rows.map((row) =>
    columns.map((c) => {
      const text = cellText(row[c]).replaceAll(/\s+/g, ' ');
      return text.length > MAX_TABLE_CELL ? `${text.slice(0, MAX_TABLE_CELL - 1)}…` : text;
    }),
  );
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = columns.map(
    (c) =>
      rows.length > 0 &&
      rows.every((r) => typeof r[c] === 'number' || typeof r[c] === 'bigint' || r[c] === null),
  );
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
  out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return `${out.join('\n')}\n`;
}

/** Renders rows; the only place that decides between table, JSON, CSV and NDJSON. */
export function renderRows(rows: readonly Row[], format: OutputFormat, columns?: readonly string[]): string {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  switch (format) {
    case 'json':
      return `${JSON.stringify(rows, jsonReplacer, 2)}\n`;
    case 'ndjson':
      return rows.map((r) => JSON.stringify(r, jsonReplacer)).join('\n') + (rows.length ? '\n' : '');
    case 'csv':
      return `${[cols.join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))].join('\n')}\n`;
    case 'table':
      return tableText(rows, cols);
  }
}

/**
 * Renders rows as records, one `column = value` per line and a blank line between rows (the query
 * shell's `.mode line`): wide rows such as a whole event read better down than across.
 */
export function renderRecordLines(rows: readonly Row[], columns?: readonly string[]): string {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  const width = Math.max(0, ...cols.map((c) => c.length));
  return rows
    .map((row) => `${cols.map((c) => `${c.padStart(width)} = ${cellText(row[c])}`).join('\n')}\n`)
    .join('\n');
}

/** Renders one document (a summary object) as JSON, or via `text` for people. */
export function renderDocument(value: unknown, format: OutputFormat, text: () => string): string {
  if (format === 'table') return text();
  return `${JSON.stringify(value, jsonReplacer, format === 'ndjson' ? 0 : 2)}\n`;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? Number(value) : value;
}
