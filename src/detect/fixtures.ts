import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { paramValueSchema } from '../config/config-schema.js';
import { describeError } from '../errors.js';
import { EventWriter } from '../store/event-writer.js';
import { openStore, type Store } from '../store/open-store.js';
import { refreshActivityProfile } from './activity-profile.js';
import { restrictForDetection } from './detection-connection.js';
import { DetectorError } from './detector-error.js';
import { resolveParams } from './detector-params.js';
import { type Detector, displayPath } from './load-detectors.js';
import { type PlainValue, plainValue } from './plain-value.js';
import { type DetectionWindow, type DetectorRow, runDetector } from './run-detector.js';

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO-8601 time');

const caseSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  records: z.array(z.union([z.record(z.string(), z.unknown()), z.string()])),
  window: z.strictObject({ start: isoTime, end: isoTime }).optional(),
  /** min_rows plus column → expected value. */
  expect: z.record(z.string(), z.unknown()).optional(),
  /** Param overrides for this case (e.g. a lower threshold); header defaults otherwise. */
  params: z.record(z.string(), paramValueSchema).optional(),
  /**
   * Rows of store tables other than events, for detectors that read them (e.g. cloudtrail_digests):
   * table name -> rows of column -> value, inserted after the records.
   */
  tables: z
    .record(
      z.string().regex(/^[a-z_][a-z0-9_]*$/, 'expected a table name'),
      z.array(z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'expected a column name'), z.unknown())),
    )
    .optional(),
});
export type FixtureCase = z.infer<typeof caseSchema>;

export const fixturesSchema = z.strictObject({
  positive: z.array(caseSchema).min(1, 'a detector needs at least one positive case'),
  negative: z.array(caseSchema).min(1, 'a detector needs at least one negative case'),
});

export interface FixtureResult {
  readonly detector: string;
  readonly kind: 'positive' | 'negative' | 'file';
  readonly name: string;
  readonly passed: boolean;
  /** Why it failed, or what it returned. */
  readonly message: string;
  readonly rows: number;
}

export interface FixtureOptions {
  timeoutMs?: number;
}

/** Runs a detector's fixture cases, each in a fresh in-memory store (docs/detector-format.md). */
export async function runFixtures(
  detector: Detector,
  options: FixtureOptions = {},
): Promise<FixtureResult[]> {
  let fixtures: z.infer<typeof fixturesSchema>;
  try {
    const parsed = fixturesSchema.safeParse(JSON.parse(readFileSync(detector.fixturesFile, 'utf8')));
    if (!parsed.success) {
      const issues = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ');
      throw new Error(issues);
    }
    fixtures = parsed.data;
  } catch (error) {
    return [
      {
        detector: detector.id,
        kind: 'file',
        name: displayPath(detector.fixturesFile),
        passed: false,
        message: `invalid fixtures file: ${describeError(error)}`,
        rows: 0,
      },
    ];
  }
  const results: FixtureResult[] = [];
  for (const kind of ['positive', 'negative'] as const) {
    for (const fixture of fixtures[kind]) {
      results.push(await runCase(detector, kind, fixture, options));
    }
  }
  return results;
}

export interface FixtureStore {
  readonly store: Store;
  /** The case's window, else from its earliest event to one second after its latest. */
  readonly window: DetectionWindow;
  /** Why the case's records or tables could not be loaded; null when they were. */
  readonly loadError: string | null;
}

/**
 * A fresh in-memory store holding one case's events (through the real EventWriter) and tables,
 * locked like the detect connection, its activity profile built. The caller closes the store.
 */
export async function openFixtureStore(fixture: FixtureCase): Promise<FixtureStore> {
  const store = await openStore({ path: ':memory:' });
  try {
    await restrictForDetection(store.connection);
    const loadError = (await loadRecords(store, fixture)) ?? (await loadTables(store, fixture));
    if (loadError === null) {
      // `_repeat` copies are written behind the batch writer, so the profile is built from the events.
      await refreshActivityProfile(store.connection, { full: true });
    }
    const window = fixture.window
      ? { start: new Date(fixture.window.start), end: new Date(fixture.window.end) }
      : await defaultWindow(store);
    return { store, window, loadError };
  } catch (error) {
    store.close();
    throw error;
  }
}

async function runCase(
  detector: Detector,
  kind: 'positive' | 'negative',
  fixture: FixtureCase,
  options: FixtureOptions,
): Promise<FixtureResult> {
  const result = (passed: boolean, message: string, rows = 0): FixtureResult => ({
    detector: detector.id,
    kind,
    name: fixture.name,
    passed,
    message,
    rows,
  });
  const { store, window, loadError } = await openFixtureStore(fixture);
  try {
    if (loadError) return result(false, loadError);
    const params = { ...resolveParams(detector), ...(fixture.params ?? {}) };
    const unknown = Object.keys(fixture.params ?? {}).filter(
      (p) => !Object.hasOwn(detector.header.params, p),
    );
    if (unknown.length > 0) return result(false, `case sets unknown param(s) ${unknown.join(', ')}`);
    let rows: DetectorRow[];
    try {
      rows = (
        await runDetector(store.connection, detector, {
          window,
          params,
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        })
      ).rows;
    } catch (error) {
      return result(
        false,
        error instanceof DetectorError ? error.message.replace(`${detector.id}: `, '') : describeError(error),
      );
    }
    if (kind === 'negative') {
      return rows.length === 0
        ? result(true, 'no rows, as expected')
        : result(false, `expected no rows, got ${rows.length}: ${rows[0]?.summary ?? ''}`, rows.length);
    }
    const { min_rows: minRowsValue, ...columns } = fixture.expect ?? {};
    const minRows = typeof minRowsValue === 'number' ? minRowsValue : 1;
    if (rows.length < minRows) {
      return result(false, `expected at least ${minRows} row(s), got ${rows.length}`, rows.length);
    }
    if (Object.keys(columns).length > 0 && !rows.some((row) => rowMatches(row, columns))) {
      const missing = Object.keys(columns).filter((c) => !(c in (rows[0]?.values ?? {})));
      const detail = missing.length
        ? `the result has no column(s) ${missing.join(', ')}`
        : `no row has ${JSON.stringify(columns)}; first row: ${JSON.stringify(preview(rows[0]))}`;
      return result(false, detail, rows.length);
    }
    return result(true, `${rows.length} row(s)`, rows.length);
  } finally {
    store.close();
  }
}

function preview(row: DetectorRow | undefined): Record<string, unknown> {
  if (!row) return {};
  const { evidence: _evidence, ...rest } = row.values;
  return Object.fromEntries(
    Object.entries(rest).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
  );
}

/** Loads the case's records through the real ingest writer, then expands `_repeat` copies. */
async function loadRecords(store: Store, fixture: FixtureCase): Promise<string | null> {
  const c = store.connection;
  const writer = new EventWriter(c, 0, 'fixtures');
  const repeats: { position: number; n: number; every: number }[] = [];
  const origin = `fixture:${fixture.name}`;
  try {
    await writer.begin();
    for (const [i, record] of fixture.records.entries()) {
      let text: string;
      if (typeof record === 'string') text = record;
      else {
        const { _repeat, _every_seconds, ...rest } = record;
        const n = _repeat === undefined ? 1 : Number(_repeat);
        const every = _every_seconds === undefined ? 1 : Number(_every_seconds);
        if (!Number.isInteger(n) || n < 1) return `record ${i + 1}: _repeat must be a positive integer`;
        if (!Number.isFinite(every)) return `record ${i + 1}: _every_seconds must be a number`;
        if (n > 1) repeats.push({ position: i + 1, n, every });
        text = JSON.stringify(rest);
      }
      await writer.add(origin, i + 1, 'record', text);
    }
    const outcome = await writer.commit();
    if (outcome.errors > 0) {
      const reader = await c.runAndReadAll('select position, reason from ingest_errors order by position');
      return `records not loaded: ${reader
        .getRows()
        .map(([position, reason]) => `${String(position)}: ${String(reason)}`)
        .join('; ')}`;
    }
    for (const r of repeats) {
      // Copies of the normalized row: only the id and the time move, as the contract says.
      await c.run(
        `insert into events
select e.* replace (
  e.event_id || '-' || r.i::varchar as event_id,
  e.event_time + to_microseconds(((r.i - 1) * $3 * 1000000)::bigint) as event_time
)
from events e, range(2, $4 + 1) r(i)
where e.origin = $1
  and e.position = $2`,
        [origin, r.position, r.every, r.n],
      );
    }
    return null;
  } finally {
    writer.dispose();
  }
}

/** Inserts the case's `tables` rows, values bound as parameters (DuckDB casts them to the column types). */
async function loadTables(store: Store, fixture: FixtureCase): Promise<string | null> {
  for (const [table, tableRows] of Object.entries(fixture.tables ?? {})) {
    for (const [i, row] of tableRows.entries()) {
      const columns = Object.keys(row);
      const values = columns.map((c) => {
        const v = row[c];
        return v === null || v === undefined
          ? null
          : typeof v === 'object'
            ? JSON.stringify(v)
            : (v as string | number | boolean);
      });
      try {
        await store.connection.run(
          `insert into ${table} (${columns.join(', ')}) values (${columns.map((_, j) => `$${j + 1}`).join(', ')})`,
          values,
        );
      } catch (error) {
        return `tables.${table}[${i}]: ${describeError(error).split('\n')[0]}`;
      }
    }
  }
  return null;
}

/** From the earliest event to one second after the latest. */
async function defaultWindow(store: Store): Promise<DetectionWindow> {
  const reader = await store.connection.runAndReadAll('select min(event_time), max(event_time) from events');
  const [min, max] = (reader.getRows()[0] ?? [null, null]).map((v) => plainValue(v ?? null));
  if (min instanceof Date && max instanceof Date) return { start: min, end: new Date(max.getTime() + 1000) };
  const end = new Date();
  return { start: new Date(end.getTime() - 86_400_000), end };
}

/** Equality on timestamps as instants, lists as sets (or membership for a scalar), others as text. */
export function valueMatches(expected: unknown, actual: PlainValue | undefined): boolean {
  if (actual === undefined) return false;
  if (expected === null) return actual === null;
  if (actual === null) return false;
  if (actual instanceof Date)
    return typeof expected === 'string' && Date.parse(expected) === actual.getTime();
  if (Array.isArray(actual)) {
    if (Array.isArray(expected)) {
      return (
        expected.length === new Set(actual.map(String)).size &&
        expected.every((e) => actual.map(String).includes(String(e)))
      );
    }
    return actual.map(String).includes(String(expected));
  }
  return String(actual) === String(expected);
}

function rowMatches(row: DetectorRow, expected: Record<string, unknown>): boolean {
  return Object.entries(expected).every(([column, value]) => valueMatches(value, row.values[column]));
}
