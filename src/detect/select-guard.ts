import { type DuckDBConnection, StatementType } from '@duckdb/node-api';
import { describeError } from '../errors.js';
import { DetectorError } from './detector-error.js';

const READ_KEYWORDS = new Set(['select', 'with', 'from', '(']);

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
    prepared.destroySync();
    if (type !== StatementType.SELECT) throw refuse(StatementType[type] ?? String(type));
  } catch (error) {
    if (error instanceof DetectorError) throw error;
    throw new DetectorError(detectorId, `SQL error: ${firstLine(error)}`, { cause: error });
  }
  return `select *\nfrom (\n${stripTrailingSemicolon(sql)}\n)`;
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
