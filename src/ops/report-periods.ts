import type { ReportPeriodName } from '../config/ops-schema.js';

const DAY_MS = 86_400_000;

/** A report period: whole UTC days, `to` exclusive. */
export interface PeriodBounds {
  from: Date;
  to: Date;
}

function utcDay(t: Date): Date {
  return new Date(Math.floor(t.getTime() / DAY_MS) * DAY_MS);
}

/**
 * The days a scheduled report covers, relative to the run's day (its UTC date). Only complete
 * days: a nightly run reports on what has fully arrived, never on the day still running.
 */
export function reportPeriod(name: ReportPeriodName, runDay: Date): PeriodBounds {
  const today = utcDay(runDay);
  const yesterday = new Date(today.getTime() - DAY_MS);
  switch (name) {
    case 'previous-day':
      return { from: yesterday, to: today };
    case 'previous-week': {
      // ISO weeks start on Monday; getUTCDay() is 0 for Sunday.
      const sinceMonday = (today.getUTCDay() + 6) % 7;
      const thisMonday = new Date(today.getTime() - sinceMonday * DAY_MS);
      return { from: new Date(thisMonday.getTime() - 7 * DAY_MS), to: thisMonday };
    }
    case 'month-to-date':
      return {
        from: new Date(Date.UTC(yesterday.getUTCFullYear(), yesterday.getUTCMonth(), 1)),
        to: today,
      };
    case 'previous-month':
      return {
        from: new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1)),
        to: new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1)),
      };
  }
}

/** YYYY-MM-DD of the last day of a period. */
export function lastDay(period: PeriodBounds): string {
  return new Date(period.to.getTime() - 1).toISOString().slice(0, 10);
}
