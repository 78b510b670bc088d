import type { JsonValue } from '../source-connector.js';
import { timestampMs } from './time.js';

/**
 * The checkpoint of one Cloud Logging stream.
 *
 * - `through`: every entry with an earlier timestamp was read (the last committed entry's
 *   timestamp mid-window, the window's end once the window is done). Entries AT `through` may be
 *   unread (a page can end inside a run of equal timestamps), so the next read includes it.
 * - `read_at`: the wall-clock time the read that produced `through` began.
 *
 * An entry can be missed by a read only if it became visible after that read began; with
 * entries visible within `overlap` of their timestamp, such an entry is newer than
 * read_at - overlap. The next run therefore starts at min(through, read_at - overlap) and dedupe by
 * insertId drops what it reads twice. The cursor holds no per-entry state, so it stays a few bytes
 * however busy the project.
 */
export interface GcpCursor {
  v: 1;
  through: string;
  read_at: string;
}

export function gcpCursor(through: string, readAt: Date): GcpCursor & { [key: string]: JsonValue } {
  return { v: 1, through, read_at: readAt.toISOString() };
}

/** The stored cursor, or null when it is not one of ours (a hand-edited or foreign checkpoint). */
export function parseCursor(value: JsonValue | undefined): GcpCursor | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { v, through, read_at } = value;
  if (v !== 1 || typeof through !== 'string' || typeof read_at !== 'string') return null;
  if (Number.isNaN(timestampMs(through)) || Number.isNaN(timestampMs(read_at))) return null;
  return { v, through, read_at };
}

/** Where the next read starts: see GcpCursor. */
export function resumeFrom(cursor: GcpCursor, overlapMs: number): Date {
  return new Date(Math.min(timestampMs(cursor.through), timestampMs(cursor.read_at) - overlapMs));
}
