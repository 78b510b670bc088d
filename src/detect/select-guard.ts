import { type DuckDBConnection, type DuckDBPreparedStatement, StatementType } from '@duckdb/node-api';
import { describeError } from '../errors.js';
import { DetectorError } from './detector-error.js';

const READ_KEYWORDS = new Set(['select', 'with', 'from', '(']);

/** Whether SQL text is exactly one read-only query, and if not, why. */
export type SelectVerdict =
  | { readonly kind: 'select' }
  | { readonly kind: 'statements'; readonly count: number }
  | { readonly kind: 'not_select'; readonly what: string }
  | { readonly kind: 'error'; readonly cause: unknown };

type PreparedVerdict =
  | { readonly kind: 'select'; readonly prepared: DuckDBPreparedStatement }
  | Exclude<SelectVerdict, { kind: 'select' }>;

/**
 * The one check: exactly one statement, starting with a read keyword, prepared as a SELECT. The
 * keyword is checked before the statement is prepared: binding a COPY or ATTACH may already touch
 * the file system. On success the caller owns (and destroys) the prepared statement.
 */
async function prepareSingleSelect(connection: DuckDBConnection, sql: string): Promise<PreparedVerdict> {
  try {
    const extracted = await connection.extractStatements(sql);
    if (extracted.count !== 1) return { kind: 'statements', count: extracted.count };
    const keyword = firstKeyword(sql);
    if (!READ_KEYWORDS.has(keyword)) return { kind: 'not_select', what: keyword.toUpperCase() || 'not SQL' };
    const prepared = await extracted.prepare(0);
    const type = prepared.statementType;
    if (type !== StatementType.SELECT) {
      prepared.destroySync();
      return { kind: 'not_select', what: StatementType[type] ?? String(type) };
    }
    return { kind: 'select', prepared };
  } catch (error) {
    return { kind: 'error', cause: error };
  }
}

/**
 * Checks that `sql` is exactly one SELECT (or WITH ... SELECT). Used for detector and hunt files
 * and for analyst-supplied predicates (`export --where`).
 */
export async function checkSingleSelect(connection: DuckDBConnection, sql: string): Promise<SelectVerdict> {
  const verdict = await prepareSingleSelect(connection, sql);
  if (verdict.kind !== 'select') return verdict;
  verdict.prepared.destroySync();
  return { kind: 'select' };
}

/**
 * Detector SQL is untrusted content: it must be exactly one SELECT (or WITH ... SELECT). Returns
 * the statement prepared (bound once) after its type was checked to be SELECT, so running it can
 * only read, never COPY, ATTACH, INSTALL or INSERT. The caller destroys it.
 */
export async function prepareReadOnly(
  connection: DuckDBConnection,
  detectorId: string,
  sql: string,
): Promise<DuckDBPreparedStatement> {
  const verdict = await prepareSingleSelect(connection, sql);
  switch (verdict.kind) {
    case 'select':
      return verdict.prepared;
    case 'statements':
      throw new DetectorError(
        detectorId,
        `the file holds ${verdict.count} SQL statements; a detector is exactly one SELECT`,
      );
    case 'not_select':
      throw new DetectorError(
        detectorId,
        `refused: the statement is ${verdict.what}, not a SELECT; detectors may only read`,
        { hint: 'a detector is one SELECT or WITH ... SELECT over the events table' },
      );
    case 'error':
      throw new DetectorError(detectorId, `SQL error: ${firstLine(verdict.cause)}`, { cause: verdict.cause });
  }
}

export function firstLine(error: unknown): string {
  return describeError(error).split('\n')[0] ?? '';
}

/** First keyword after comments and whitespace, lowercased ('(' for a parenthesized query). */
export function firstKeyword(sql: string): string {
  const body = sql.replace(/^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/, '');
  if (body.startsWith('(')) return '(';
  return (/^[A-Za-z_]+/.exec(body)?.[0] ?? '').toLowerCase();
}

/** Drops a final `;` (and comments after it) so the query can sit inside parentheses. */
export function stripTrailingSemicolon(sql: string): string {
  const at = sql.lastIndexOf(';');
  if (at < 0) return sql;
  const rest = sql.slice(at + 1);
  const onlyComments = rest.split('\n').every((line) => line.trim() === '' || line.trim().startsWith('--'));
  return onlyComments ? sql.slice(0, at) : sql;
}

/** A checked SELECT as a subquery, so nothing in it can run as a statement of its own. */
export function wrapSelect(sql: string): string {
  return `select *\nfrom (\n${stripTrailingSemicolon(sql)}\n)`;
}
