/** Right-aligns numeric cells ('12', '41/43 95.3%') and left-aligns text, for a fixed-width table. */
const NUMERIC = /^[\d.,/% !-]+$|^—$/;

/** Renders a plain-text table: header, rule, rows. No colors: CI logs keep it readable. */
export function renderTable(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        return i > 0 && NUMERIC.test(cell) ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [
    line(columns),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map((r) => line(columns.map((_, i) => r[i] ?? ''))),
  ].join('\n');
}

/** 'agreed/compared pct%' for a table cell, '—' when nothing was compared. */
export function ratioCell(agreed: number, compared: number): string {
  if (compared === 0) return '—';
  return `${agreed}/${compared} ${formatPercent(agreed, compared)}`;
}

export function formatPercent(agreed: number, compared: number): string {
  const pct = (100 * agreed) / compared;
  return `${pct === 100 ? '100' : pct.toFixed(1)}%`;
}
