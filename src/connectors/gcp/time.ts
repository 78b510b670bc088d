/** Durations and instants as the gcp source config writes them. */

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "30s", "10m", "2h", "7d" → milliseconds. */
export function durationMs(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** A first run's start: a look-back ("7d", "24h") from now, or a date (UTC when no zone is given). */
export function startInstant(start: string, now: Date): Date {
  if (/^\d+[dh]$/.test(start)) return new Date(now.getTime() - durationMs(start));
  const text = /^\d{4}-\d{2}-\d{2}$/.test(start)
    ? `${start}T00:00:00Z`
    : /[zZ]$/.test(start)
      ? start
      : `${start}Z`;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`not a date: ${start}`);
  return new Date(ms);
}

/**
 * Milliseconds of an RFC 3339 timestamp as Cloud Logging writes them (nanoseconds allowed),
 * rounded down: a bound derived from it never skips the entry it came from. NaN when unparseable.
 */
export function timestampMs(text: string): number {
  return Date.parse(text);
}
