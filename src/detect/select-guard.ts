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

/**
 * Checks that `sql` is exactly one SELECT (or WITH ... SELECT). The keyword is checked before the
 * statement is prepared: binding a COPY or ATTACH may already touch the file system. Used for
 * detector and hunt files and for analyst-supplied predicates (`export --where`).
 */
export async function checkSingleSelect(connection: DuckDBConnection, sql: string): Promise<SelectVerdict> {
  try {
    const extracted = await connection.extractStatements(sql);
    if (extracted.count !== 1) return { kind: 'statements', count: extracted.count };
    const keyword = firstKeyword(sql);
    if (!READ_KEYWORDS.has(keyword)) return { kind: 'not_select', what: keyword.toUpperCase() || 'not SQL' };
    const prepared = await extracted.prepare(0);
    const type = prepared.statementType;
    prepared.destroySync();
    if (type !== StatementType.SELECT)
      return { kind: 'not_select', what: StatementType[type] ?? String(type) };
    return { kind: 'select' };
  } catch (error) {
    return { kind: 'error', cause: error };
  }
}

/**
 * Detector SQL is untrusted content. It must be exactly one SELECT (or WITH ... SELECT); the
 * engine runs it as `select * from (<sql>)`, so even a statement that slipped past this check
 * could only be read as a subquery, never executed as COPY, ATTACH, INSTALL or INSERT.
 * Returns the wrapped SQL.
 */
export async function wrapReadOnly(
  connection: DuckDBConnection,
  detectorId: string,
  sql: string,
): Promise<string> {
  const prepared = await prepareReadOnly(connection, detectorId, sql);
  prepared.destroySync();
  return `select *\nfrom (\n${stripTrailingSemicolon(sql)}\n)`;
}

/**
 * The same checks as wrapReadOnly, returning the statement prepared (bound once): its type is
 * checked to be SELECT, so running it can only read. The caller destroys it.
 */
export async function prepareReadOnly(
  connection: DuckDBConnection,
  detectorId: string,
  sql: string,
): Promise<DuckDBPreparedStatement> {
  const refuse = (what: string): DetectorError =>
    new DetectorError(
      detectorId,
      `refused: the statement is ${what}, not a SELECT; detectors may only read`,
      {
        hint: 'a detector is one SELECT or WITH ... SELECT over the events table',
      },
    );
  try {
    const extracted = await connection.extractStatements(sql);
    if (extracted.count !== 1) {
      throw new DetectorError(
        detectorId,
        `the file holds ${extracted.count} SQL statements; a detector is exactly one SELECT`,
      );
    }
    // The keyword first: binding a COPY or ATTACH (prepare) may already touch the file system.
    const keyword = firstKeyword(sql);
    if (!READ_KEYWORDS.has(keyword)) throw refuse(keyword.toUpperCase() || 'not SQL');
    const prepared = await extracted.prepare(0);
    const type = prepared.statementType;
    if (type !== StatementType.SELECT) {
      prepared.destroySync();
      throw refuse(StatementType[type] ?? String(type));
    }
    return prepared;
  } catch (error) {
    if (error instanceof DetectorError) throw error;
    throw new DetectorError(detectorId, `SQL error: ${firstLine(error)}`, { cause: error });
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
