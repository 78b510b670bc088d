const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "15m", "2h", "30s", "7d" in milliseconds (the config schema checked the form). */
export function durationMs(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 1000);
}

/** The first run's start: an ISO date or time, or a look-back ("7d", "24h") from `now`. */
export function startTime(start: string | undefined, now: Date, fallback: string): Date {
  const text = start ?? fallback;
  if (/^\d+[dh]$/.test(text)) return new Date(now.getTime() - durationMs(text));
  const date = new Date(/T/.test(text) ? (text.endsWith('Z') ? text : `${text}Z`) : `${text}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) throw new Error(`not a date: ${text}`);
  return date;
}
