import type { Report } from './report-model.js';

/** The report as stable JSON (docs/reports.md): the computed object, keys in construction order. */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
