import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { type PlainValue, plainValue } from '../detect/plain-value.js';

/** Rows as plain values (Date for timestamps), so compute code never sees DuckDB value classes. */
export async function readRows(
  connection: DuckDBConnection,
  sql: string,
  params: DuckDBValue[] = [],
): Promise<Record<string, PlainValue>[]> {
  const reader = await connection.runAndReadAll(sql, params);
  return reader
    .getRowObjects()
    .map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plainValue(v ?? null)])));
}

export const str = (v: PlainValue | undefined): string => (v === null || v === undefined ? '' : String(v));
export const strOrNull = (v: PlainValue | undefined): string | null =>
  v === null || v === undefined ? null : String(v);
export const num = (v: PlainValue | undefined): number => (typeof v === 'number' ? v : Number(v ?? 0));
export const isoOrNull = (v: PlainValue | undefined): string | null =>
  v instanceof Date ? v.toISOString() : null;
export const list = (v: PlainValue | undefined): string[] => (Array.isArray(v) ? v.map(String) : []);

/** A timestamptz literal, for SQL printed in the report to be rerun as-is. */
export const tsLiteral = (d: Date | string): string =>
  `timestamptz '${typeof d === 'string' ? d : d.toISOString()}'`;

export const DAY_MS = 86_400_000;

/** The UTC days [from, to) as YYYY-MM-DD. */
export function daysOf(from: Date, to: Date): string[] {
  const out: string[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += DAY_MS)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}
