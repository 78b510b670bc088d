import type { Rng } from './prng.js';

/** The fixed sample period: 14 days of November 2026, UTC. */
export const PERIOD_START = Date.UTC(2026, 10, 1);
export const PERIOD_DAYS = 14;
export const PERIOD_END = PERIOD_START + PERIOD_DAYS * 86_400_000 - 1;
export const HOUR = 3_600_000;
export const MINUTE = 60_000;
export const DAY = 86_400_000;

/** Milliseconds of `2026-11-DDTHH:MM:SSZ`. */
export function at(day: number, hour: number, minute = 0, second = 0): number {
  return Date.UTC(2026, 10, day, hour, minute, second);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `2026-11-01T09:15:02Z` (CloudTrail eventTime). */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** ISO time with `digits` fractional digits; digits past milliseconds come from `rng`. */
export function isoFraction(ms: number, digits: number, rng: Rng): string {
  // Planted events are set on whole seconds; give them a sub-second part like everything else.
  const base = new Date(ms % 1000 === 0 ? ms + rng.int(1, 999) : ms).toISOString().slice(0, 23);
  const extra = digits > 3 ? String(rng.int(0, 10 ** (digits - 3) - 1)).padStart(digits - 3, '0') : '';
  return `${base.slice(0, 20 + Math.min(digits, 3))}${extra}Z`;
}

/** `20261101T0955Z`, the stamp in CloudTrail log file names. */
export function compactMinute(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
}

export function ymd(ms: number): { y: string; m: string; d: string; h: string } {
  const date = new Date(ms);
  return {
    y: String(date.getUTCFullYear()),
    m: pad(date.getUTCMonth() + 1),
    d: pad(date.getUTCDate()),
    h: pad(date.getUTCHours()),
  };
}

/** Start of each UTC day of the period (or of its first `days` days). */
export function periodDays(days = PERIOD_DAYS): number[] {
  return Array.from({ length: days }, (_, i) => PERIOD_START + i * DAY);
}
