import type { JsonValue } from '../source-connector.js';

/**
 * Time slices of a Log Analytics table and the cursor that remembers them.
 *
 * A stream reads its table in contiguous half-open slices [from, to) of TimeGenerated, so
 * consecutive slices neither overlap nor leave a gap whatever the precision of the row times. The
 * cursor is the end of the last slice committed; the width the slices had grown or shrunk to
 * rides along so the next run starts at a width that suits the table.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Slices never get narrower: a second of audit rows beyond the result limits is not plausible. */
export const MIN_SLICE_MS = 1000;
/** Nor wider: a quiet table still moves its checkpoint forward at least a day per query. */
export const MAX_SLICE_MS = DAY_MS;

/** "30s" / "10m" / "2h" / "7d" → ms. */
export function durationMs(text: string): number {
  const m = /^(\d+)([smhd])$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  const unit = { s: 1000, m: MINUTE_MS, h: HOUR_MS, d: DAY_MS }[m[2] as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

/** The first run's start: an ISO date (UTC when it has no zone) or a look-back like "7d" / "24h". */
export function resolveStart(start: string | undefined, now: number): number {
  const text = start ?? '7d';
  if (/^\d+[dh]$/.test(text)) return now - durationMs(text);
  const zoned = /T.*(Z|[+-]\d{2}:?\d{2})$/.test(text)
    ? text
    : /T/.test(text)
      ? `${text}Z`
      : `${text}T00:00:00Z`;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) throw new Error(`not a start date: ${text}`);
  return ms;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The query of one slice. `order by` keeps a slice's rows in time order for anyone reading the
 * raw records; correctness does not depend on it, as a slice is committed whole.
 */
export function sliceQuery(table: string, from: number, to: number): string {
  return `${table} | where TimeGenerated >= datetime(${iso(from)}) and TimeGenerated < datetime(${iso(to)}) | order by TimeGenerated asc`;
}

export interface StreamCursor {
  /** Everything of the table with TimeGenerated before this was read (and committed) at least once. */
  readonly end: number;
  /** The slice width the stream had adapted to. */
  readonly sliceMs: number;
}

export function cursorJson(cursor: StreamCursor): JsonValue {
  return { end: iso(cursor.end), slice_ms: Math.round(cursor.sliceMs) };
}

/** The stored cursor, or an Error saying why it is not one of ours. */
export function parseCursor(value: JsonValue): StreamCursor | Error {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return new Error(`the checkpoint ${JSON.stringify(value)} is not an azure cursor`);
  }
  const end = typeof value.end === 'string' ? Date.parse(value.end) : Number.NaN;
  if (Number.isNaN(end)) return new Error(`the checkpoint ${JSON.stringify(value)} has no valid end time`);
  const slice =
    typeof value.slice_ms === 'number' && Number.isFinite(value.slice_ms) ? value.slice_ms : HOUR_MS;
  return { end, sliceMs: clampSlice(slice) };
}

export function clampSlice(ms: number): number {
  return Math.min(MAX_SLICE_MS, Math.max(MIN_SLICE_MS, Math.round(ms)));
}

/** Targets for one query's result: well under the service's 500,000 rows and ~100 MB. */
export interface SliceTargets {
  readonly rows: number;
  readonly chars: number;
}

/**
 * The width for the next slices after a slice of `sliceMs` returned `rows` rows of `chars`
 * characters: the width that would have hit the targets at that density, growing at most 2x a step
 * so one quiet hour does not launch a day-wide slice into a busy one. `currentMs` is the width in
 * use: a slice cut short by the end of the window says little about a wider one.
 */
export function nextWidth(
  currentMs: number,
  sliceMs: number,
  rows: number,
  chars: number,
  targets: SliceTargets,
): number {
  if (rows === 0) return clampSlice(currentMs * 2);
  const fit = sliceMs * Math.min(targets.rows / rows, targets.chars / Math.max(1, chars));
  return clampSlice(Math.min(currentMs * 2, fit));
}
