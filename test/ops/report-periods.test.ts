import { describe, expect, it } from 'vitest';
import { CONFIG_REPORT_FORMATS, retentionDays } from '../../src/config/ops-schema.js';
import { lastDay, reportPeriod } from '../../src/ops/report-periods.js';
import { retentionCutoff } from '../../src/ops/retention.js';
import { REPORT_FORMATS } from '../../src/report/generate-report.js';

const day = (d: Date) => d.toISOString().slice(0, 10);
function period(name: Parameters<typeof reportPeriod>[0], at: string): string {
  const p = reportPeriod(name, new Date(at));
  return `${day(p.from)}..${lastDay(p)}`;
}

describe('scheduled report periods (whole UTC days, complete days only)', () => {
  it('previous-day is yesterday, whatever the hour of the run', () => {
    expect(period('previous-day', '2026-12-03T00:05:00Z')).toBe('2026-12-02..2026-12-02');
    expect(period('previous-day', '2026-03-01T23:59:59Z')).toBe('2026-02-28..2026-02-28');
  });

  it('previous-week is Monday to Sunday of the last ISO week', () => {
    // 2026-12-03 is a Thursday; 2026-12-07 a Monday; 2026-12-06 a Sunday.
    expect(period('previous-week', '2026-12-03T02:00:00Z')).toBe('2026-11-23..2026-11-29');
    expect(period('previous-week', '2026-12-07T02:00:00Z')).toBe('2026-11-30..2026-12-06');
    expect(period('previous-week', '2026-12-06T02:00:00Z')).toBe('2026-11-23..2026-11-29');
  });

  it('month-to-date runs through yesterday; on the 1st it is the whole previous month', () => {
    expect(period('month-to-date', '2026-12-03T02:00:00Z')).toBe('2026-12-01..2026-12-02');
    expect(period('month-to-date', '2026-12-01T02:00:00Z')).toBe('2026-11-01..2026-11-30');
    expect(period('month-to-date', '2027-01-01T02:00:00Z')).toBe('2026-12-01..2026-12-31');
  });

  it('previous-month is the last calendar month, across a year boundary too', () => {
    expect(period('previous-month', '2026-12-03T02:00:00Z')).toBe('2026-11-01..2026-11-30');
    expect(period('previous-month', '2027-01-15T02:00:00Z')).toBe('2026-12-01..2026-12-31');
    expect(period('previous-month', '2028-03-01T00:00:00Z')).toBe('2028-02-01..2028-02-29');
  });
});

describe('retention arithmetic', () => {
  it('keeps whole days: the cutoff is the UTC midnight N days before the run day', () => {
    expect(retentionCutoff(400, new Date('2026-12-03T02:30:00Z')).toISOString()).toBe(
      '2025-10-29T00:00:00.000Z',
    );
    expect(retentionDays({ events: '400d' })).toBe(400);
    expect(retentionDays({ events: 'forever' })).toBeNull();
  });
});

describe('config report formats', () => {
  it('are the formats the report writer knows', () => {
    expect([...CONFIG_REPORT_FORMATS]).toEqual([...REPORT_FORMATS]);
  });
});
