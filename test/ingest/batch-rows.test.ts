import { describe, expect, it } from 'vitest';
import { bulkBatchBytes } from '../../src/ingest/batch-rows.js';

const MiB = 1024 * 1024;
const RG = 61_440;
const rowsOf = (bytes: number, rowsPerByte: number) => Math.round(bytes * rowsPerByte);

describe('bulk batch size', () => {
  it('takes the byte budget when nothing is known yet, or when it leaves a rest of 60% of a row group or more', () => {
    expect(bulkBatchBytes(128 * MiB, undefined, RG)).toBe(128 * MiB);
    // 1.2 KB events: 111,800 rows = 1 row group and 82% of another.
    expect(bulkBatchBytes(128 * MiB, 1 / 1200, RG)).toBe(128 * MiB);
    // 2.5 KB events: 53,700 rows, less than one row group: appended as small commits are.
    expect(bulkBatchBytes(128 * MiB, 1 / 2500, RG)).toBe(128 * MiB);
  });

  it('cuts a batch that would leave a rest under 60% to one row group fewer and three quarters', () => {
    // 1.9 KB events: 70,600 rows = 1.15 row groups -> 0.75 of one.
    const small = bulkBatchBytes(128 * MiB, 1 / 1900, RG);
    expect(rowsOf(small, 1 / 1900)).toBe(Math.round(0.75 * RG));
    // 0.55 KB events: 244,000 rows = 3.97 row groups, a rest of 97%: the whole budget.
    expect(bulkBatchBytes(128 * MiB, 1 / 550, RG)).toBe(128 * MiB);
    // 0.85 KB events: 157,900 rows = 2.57 row groups -> 1.75.
    const two = bulkBatchBytes(128 * MiB, 1 / 850, RG);
    expect(rowsOf(two, 1 / 850)).toBe(Math.round(1.75 * RG));
    expect(two).toBeLessThan(128 * MiB);
  });

  it('never exceeds the byte budget, whatever the estimate', () => {
    for (const bytesPerRow of [200, 400, 700, 1000, 1300, 1600, 2000, 3000, 8000]) {
      const bytes = bulkBatchBytes(96 * MiB, 1 / bytesPerRow, RG);
      expect(bytes).toBeGreaterThan(0);
      expect(bytes).toBeLessThanOrEqual(96 * MiB);
      const rows = rowsOf(bytes, 1 / bytesPerRow);
      const rest = rows % RG;
      // Either less than one row group, or a rest of at least half a row group.
      expect(rows < RG || rest >= RG / 2).toBe(true);
    }
  });
});
