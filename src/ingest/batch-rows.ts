/**
 * How many decompressed bytes of one layout's files go into a bulk batch, given how many rows a
 * byte of them made so far. The store appends row groups of `rowGroup` rows (store/open-attached.ts):
 * a batch of at least one row group writes its whole row groups as it is inserted and leaves the
 * rest as a partial row group. A partial row group under half full is merged by a later checkpoint
 * with its neighbours, which recompresses them and leaves free blocks in the file (1M bench events
 * in 70,000-row batches: a 454 MB file instead of 235). So when `maxBytes` would leave a rest under
 * 60% of a row group, the batch is cut to one row group fewer and three quarters: 0.75 row groups
 * (a small batch, appended to the last row group as DuckDB does with small commits), 1.75, 2.75...
 * Without an estimate yet (the first batch of a layout): maxBytes.
 */
export function bulkBatchBytes(maxBytes: number, rowsPerByte: number | undefined, rowGroup: number): number {
  if (rowsPerByte === undefined || !(rowsPerByte > 0)) return maxBytes;
  const rows = maxBytes * rowsPerByte;
  const whole = Math.floor(rows / rowGroup);
  if (whole === 0 || rows - whole * rowGroup >= 0.6 * rowGroup) return maxBytes;
  return Math.floor(((whole - 0.25) * rowGroup) / rowsPerByte);
}
