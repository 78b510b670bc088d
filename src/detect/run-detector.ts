import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBValue } from '@duckdb/node-api';
import type { ParamValue } from '../config/config-schema.js';
import { sqlString } from '../normalize/normalize-sql.js';
import { timePhase } from '../util/phase-timings.js';
import { DetectorError } from './detector-error.js';
import type { Detector } from './load-detectors.js';
import { type PlainValue, plainValue } from './plain-value.js';
import { firstLine, prepareReadOnly } from './select-guard.js';

/** The columns every detector returns (docs/detector-format.md). */
export const DISPLAY_COLUMNS = [
  'event_time',
  'actor',
  'account',
  'region',
  'source_ip',
  'action',
  'resource',
  'summary',
  'evidence',
] as const;

export interface DetectionWindow {
  readonly start: Date;
  readonly end: Date;
}

/** One row a detector returned: the display columns typed, every column as plain data. */
export interface DetectorRow {
  readonly event_time: Date;
  readonly actor: string | null;
  readonly account: string | null;
  readonly region: string | null;
  readonly source_ip: string | null;
  readonly action: string | null;
  readonly resource: string | null;
  readonly summary: string | null;
  /** Distinct event ids, in the order returned. */
  readonly evidence: string[];
  readonly values: Readonly<Record<string, PlainValue>>;
}

export interface RunDetectorOptions {
  window: DetectionWindow;
  /** Every header param with its value (default or override). */
  params: Readonly<Record<string, ParamValue>>;
  /** The query is interrupted after this long. */
  timeoutMs?: number;
}

export interface DetectorRunOutput {
  readonly columns: string[];
  readonly rows: DetectorRow[];
}

type Runnable = Pick<Detector, 'id' | 'sql'> & { header: Pick<Detector['header'], 'keys'> };

/**
 * Runs one detector: sets window_start, window_end and its params as DuckDB variables (what an
 * analyst does with SET VARIABLE in the DuckDB CLI), runs its single SELECT, and checks that the
 * result has the display columns with usable types. Variables are reset afterwards so one
 * detector's params never leak into the next.
 */
export async function runDetector(
  connection: DuckDBConnection,
  detector: Runnable,
  options: RunDetectorOptions,
): Promise<DetectorRunOutput> {
  const variables = detectorVariables(options);
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  let prepared: DuckDBPreparedStatement | undefined;
  try {
    // One round trip for all of them. Names are validated identifiers (header schema), values are
    // rendered as typed literals, so an integer param is an INTEGER in SQL just as
    // `SET VARIABLE n = 5` makes it in the DuckDB CLI.
    await timePhase('detect.set_variables', () => setVariables(connection, variables));
    // Prepared only now, with the variables set: binding types getvariable() from their values,
    // so `getvariable('window_start') - interval 1 day` works as it does in the DuckDB CLI.
    prepared = await timePhase('detect.prepare', () =>
      prepareReadOnly(connection, detector.id, detector.sql),
    );
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        timedOut = true;
        connection.interrupt();
      }, options.timeoutMs);
    }
    const statement = prepared;
    const reader = await timePhase('detect.execute', () => statement.runAndReadAll());
    clearTimeout(timer);
    const columns = reader.columnNames();
    const types = reader.columnTypes().map((t) => t.toString());
    checkColumns(detector, columns, types);
    const rows = reader.getRowObjects().map((raw, i) => toDetectorRow(detector.id, columns, raw, i + 1));
    return { columns, rows };
  } catch (error) {
    clearTimeout(timer);
    if (error instanceof DetectorError) throw error;
    if (timedOut) {
      throw new DetectorError(
        detector.id,
        `timed out after ${(options.timeoutMs ?? 0) / 1000}s and was interrupted`,
        {
          hint: 'narrow the window or raise detection.timeout_seconds in auditlake.yaml',
          cause: error,
        },
      );
    }
    throw new DetectorError(detector.id, `SQL error: ${firstLine(error)}`, { cause: error });
  } finally {
    prepared?.destroySync();
    await resetVariables(connection, variables);
  }
}

/** The DuckDB variables a detector runs with, as name and SQL literal: its window and its params. */
export function detectorVariables(
  options: Pick<RunDetectorOptions, 'window' | 'params'>,
): [string, string][] {
  return [
    ['window_start', `${sqlString(options.window.start.toISOString())}::timestamptz`],
    ['window_end', `${sqlString(options.window.end.toISOString())}::timestamptz`],
    ...Object.entries(options.params).map(([name, value]): [string, string] => [name, sqlLiteral(value)]),
  ];
}

/** Sets DuckDB variables in one round trip: names are validated identifiers, values SQL literals. */
export async function setVariables(
  connection: DuckDBConnection,
  variables: readonly (readonly [string, string])[],
): Promise<void> {
  await connection.run(variables.map(([name, literal]) => `set variable ${name} = ${literal};`).join('\n'));
}

export async function resetVariables(
  connection: DuckDBConnection,
  variables: readonly (readonly [string, string])[],
): Promise<void> {
  await connection.run(variables.map(([name]) => `reset variable ${name};`).join('\n'));
}

export function sqlLiteral(value: ParamValue): string {
  if (Array.isArray(value)) return `[${value.map((v) => sqlLiteral(v)).join(', ')}]`;
  if (typeof value === 'string') return sqlString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return Number.isInteger(value) ? String(value) : `${value}::double`;
}

function checkColumns(detector: Runnable, columns: readonly string[], types: readonly string[]): void {
  const missing = [...DISPLAY_COLUMNS, ...detector.header.keys].filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw new DetectorError(detector.id, `result lacks column(s) ${[...new Set(missing)].join(', ')}`, {
      hint: `every detector returns ${DISPLAY_COLUMNS.join(', ')} and its key columns (docs/detector-format.md)`,
    });
  }
  const typeOf = (name: string): string => types[columns.indexOf(name)] ?? '';
  if (!/^TIMESTAMP/.test(typeOf('event_time'))) {
    throw new DetectorError(
      detector.id,
      `event_time is ${typeOf('event_time')}, expected TIMESTAMP WITH TIME ZONE`,
    );
  }
  if (!['VARCHAR[]', '"NULL"[]', 'NULL'].includes(typeOf('evidence'))) {
    throw new DetectorError(
      detector.id,
      `evidence is ${typeOf('evidence')}, expected VARCHAR[] of event ids`,
    );
  }
}

function text(value: PlainValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

function toDetectorRow(
  detectorId: string,
  columns: readonly string[],
  raw: Record<string, DuckDBValue>,
  rowNumber: number,
): DetectorRow {
  const values: Record<string, PlainValue> = {};
  for (const c of columns) values[c] = plainValue(raw[c] ?? null);
  const eventTime = values.event_time;
  if (!(eventTime instanceof Date)) {
    throw new DetectorError(detectorId, `row ${rowNumber} has no event_time`);
  }
  const evidence = values.evidence;
  return {
    event_time: eventTime,
    actor: text(values.actor),
    account: text(values.account),
    region: text(values.region),
    source_ip: text(values.source_ip),
    action: text(values.action),
    resource: text(values.resource),
    summary: text(values.summary),
    evidence: Array.isArray(evidence)
      ? [...new Set(evidence.filter((e): e is string => typeof e === 'string' && e !== ''))]
      : [],
    values,
  };
}
