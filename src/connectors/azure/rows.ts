/**
 * Log Analytics result tables → raw records, the shape the Azure normalizers read as a Log
 * Analytics row: an object of column name → value (PascalCase columns, `Type` naming the table).
 *
 * The SDK has already turned `datetime` columns into Date objects (millisecond precision: Log
 * Analytics keeps 100 ns, which no normalized column needs) and parsed `dynamic` columns from the
 * JSON text the API sends into objects; string columns holding JSON (AzureActivity Properties,
 * Claims) stay text. The normalizers accept both spellings.
 */

export interface ResultColumn {
  readonly name?: string | undefined;
  readonly type?: string | undefined;
}

export interface ResultTable {
  readonly name?: string | undefined;
  readonly columnDescriptors?: readonly ResultColumn[] | undefined;
  readonly rows?: readonly unknown[] | undefined;
}

export interface SliceRecords {
  readonly records: string[];
  /** Characters of record text: the size estimate slices adapt to. */
  readonly chars: number;
}

/** Why a result cannot be trusted to be the table asked for (a malformed answer). */
export class MalformedResultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedResultError';
  }
}

function jsonValue(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  // NaN and infinities are not JSON; Log Analytics sends them for real columns as "NaN" strings
  // anyway, so this only guards against a JSON.stringify turning them into null silently.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

/**
 * Records of the one table a `<Table> | where ...` query returns. A missing table, no
 * TimeGenerated column or rows that are not arrays of the columns' length are malformed: a slice
 * with such an answer must not be committed as read.
 */
export function tableRecords(tables: readonly ResultTable[] | undefined, table: string): SliceRecords {
  if (!Array.isArray(tables)) throw new MalformedResultError('the result has no tables');
  const result = tables[0];
  if (!result) throw new MalformedResultError('the result has no tables');
  const columns = result.columnDescriptors;
  const rows = result.rows;
  if (!Array.isArray(columns) || !Array.isArray(rows)) {
    throw new MalformedResultError('the result table has no columns or rows');
  }
  const names = columns.map((c) => c.name);
  if (!names.every((n): n is string => typeof n === 'string' && n !== '')) {
    throw new MalformedResultError('a result column has no name');
  }
  if (!names.includes('TimeGenerated')) {
    throw new MalformedResultError(
      `the result has no TimeGenerated column (columns: ${names.slice(0, 8).join(', ')})`,
    );
  }
  const hasType = names.includes('Type');
  const records: string[] = [];
  let chars = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row) || row.length !== names.length) {
      throw new MalformedResultError(`row ${r + 1} does not have the ${names.length} columns of the table`);
    }
    const out: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) out[names[i] as string] = jsonValue(row[i]);
    // The normalizers classify a Log Analytics row by its Type column; a query that projected it
    // away still came from `table`.
    if (!hasType || out.Type === null || out.Type === '') out.Type = table;
    const text = JSON.stringify(out);
    chars += text.length;
    records.push(text);
  }
  return { records, chars };
}
