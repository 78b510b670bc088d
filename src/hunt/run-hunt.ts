import type { DuckDBConnection } from '@duckdb/node-api';
import { type PlainValue, plainValue } from '../detect/plain-value.js';
import { checkSingleSelect, firstLine, wrapSelect } from '../detect/select-guard.js';
import { HuntError } from './hunt-error.js';
import { type BoundParam, bindText, SQL_TYPES } from './hunt-params.js';
import type { Hunt } from './load-hunts.js';

export interface HuntWindow {
  readonly start: Date;
  readonly end: Date;
}

export interface HuntResult {
  readonly columns: string[];
  /** DuckDB type of each column ('JSON', 'VARCHAR[]', 'TIMESTAMP WITH TIME ZONE', ...). */
  readonly types: string[];
  readonly rows: Record<string, PlainValue>[];
}

/**
 * The window a hunt reads: --until (else now) back to --since, else back by the header's
 * `window`, else from the epoch (all time).
 */
export function huntWindow(
  hunt: Hunt,
  since: Date | undefined,
  until: Date | undefined,
  now: Date,
): HuntWindow {
  const end = until ?? now;
  const start =
    since ?? (hunt.header.window === undefined ? new Date(0) : new Date(end.getTime() - hunt.header.window));
  return { start, end };
}

/**
 * Runs a hunt on a connection the caller has opened read-only and locked down
 * (restrictForDetection). window_start, window_end and every param are set as DuckDB variables
 * from bound parameters (`SET VARIABLE name = $1::TYPE`), so a value is data, never SQL: quotes and
 * semicolons in it stay characters of a string. The hunt file must be exactly one SELECT and runs
 * as a subquery. Variables are reset afterwards.
 */
export async function runHunt(
  connection: DuckDBConnection,
  hunt: Hunt,
  options: { window: HuntWindow; params: Readonly<Record<string, BoundParam>>; timeoutMs?: number },
): Promise<HuntResult> {
  const set: string[] = [];
  const setVariable = async (name: string, param: BoundParam): Promise<void> => {
    // The name is a validated identifier (header schema), quoted so a keyword such as `limit` is a
    // name too; the value is a bound parameter.
    await connection.run(`set variable "${name}" = $1::${SQL_TYPES[param.type]}`, [bindText(param)]);
    set.push(name);
  };
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  try {
    await setVariable('window_start', { type: 'timestamp', value: options.window.start });
    await setVariable('window_end', { type: 'timestamp', value: options.window.end });
    for (const [name, param] of Object.entries(options.params)) await setVariable(name, param);
    // Checked with the variables set: binding types getvariable() from their values.
    const verdict = await checkSingleSelect(connection, hunt.sql);
    if (verdict.kind === 'statements') {
      throw new HuntError(
        hunt.id,
        `the file holds ${verdict.count} SQL statements; a hunt is exactly one SELECT`,
      );
    }
    if (verdict.kind === 'not_select') {
      throw new HuntError(
        hunt.id,
        `refused: the statement is ${verdict.what}, not a SELECT; hunts may only read`,
      );
    }
    if (verdict.kind === 'error') {
      throw new HuntError(hunt.id, `SQL error: ${firstLine(verdict.cause)}`, { cause: verdict.cause });
    }
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        timedOut = true;
        connection.interrupt();
      }, options.timeoutMs);
    }
    const reader = await connection.runAndReadAll(wrapSelect(hunt.sql));
    clearTimeout(timer);
    const columns = reader.columnNames();
    const types = reader.columnTypes().map((t) => t.toString());
    const rows = reader.getRowObjects().map((raw) => {
      const row: Record<string, PlainValue> = {};
      for (const c of columns) row[c] = plainValue(raw[c] ?? null);
      return row;
    });
    return { columns, types, rows };
  } catch (error) {
    clearTimeout(timer);
    if (error instanceof HuntError) throw error;
    if (timedOut) {
      throw new HuntError(
        hunt.id,
        `timed out after ${(options.timeoutMs ?? 0) / 1000}s and was interrupted`,
        {
          hint: 'narrow the window with --since/--until',
          cause: error,
        },
      );
    }
    throw new HuntError(hunt.id, `SQL error: ${firstLine(error)}`, { cause: error });
  } finally {
    for (const name of set) await connection.run(`reset variable "${name}"`);
  }
}
