/**
 * Runs async work for the next items of a list, one item at a time and in order, while the caller
 * is still busy with an earlier item, at most `ahead` items past the one taken; hands the results
 * out in order.
 *
 * For the file ingest: hashing and sniffing the next files uses Node's thread while DuckDB reads and
 * seals the batch before them, instead of between two batches (bench:ingest). One at a time, as
 * before: no more open files or memory than the ingest used without it.
 */
export class Lookahead<T, R> {
  private readonly started = new Map<number, Promise<R>>();
  private tail: Promise<unknown> = Promise.resolve();
  private next = 0;
  private lastTaken = -1;
  private readonly items: readonly T[];
  private readonly work: { skip: (item: T) => boolean; start: (item: T) => Promise<R> };
  private readonly ahead: number;

  constructor(
    items: readonly T[],
    work: { skip: (item: T) => boolean; start: (item: T) => Promise<R> },
    ahead: number,
  ) {
    this.items = items;
    this.work = work;
    this.ahead = Math.max(1, ahead);
  }

  /**
   * The work for item `index`, or null for an item skipped. Indices must increase from call to call;
   * an item's failure surfaces here, never as an unhandled rejection while it waits for its turn.
   */
  take(index: number): Promise<R> | null {
    if (index <= this.lastTaken) throw new RangeError(`item ${index} taken after item ${this.lastTaken}`);
    this.lastTaken = index;
    // Items the caller passed over are never started.
    if (this.next < index) this.next = index;
    for (; this.next < Math.min(this.items.length, index + this.ahead); this.next++) {
      const item = this.items[this.next] as T;
      if (this.work.skip(item)) continue;
      const result = this.tail.then(() => this.work.start(item));
      this.tail = result.catch(() => undefined);
      this.started.set(this.next, result);
    }
    const result = this.started.get(index) ?? null;
    this.started.delete(index);
    return result;
  }
}
