/**
 * Merges async iterables, yielding each item as soon as any source has one. Each source has at
 * most one item in flight, so memory stays bounded by the number of sources; a source that throws
 * is reported through `onError` and dropped while the others go on.
 */
export async function* mergeAsync<T, K>(
  sources: readonly { key: K; iterable: AsyncIterable<T> }[],
  onError: (key: K, error: unknown) => void,
): AsyncGenerator<{ key: K; value: T }> {
  const iterators = sources.map((s) => ({ key: s.key, iterator: s.iterable[Symbol.asyncIterator]() }));
  type Pending = Promise<{ index: number; result?: IteratorResult<T>; error?: unknown }>;
  const pending = new Map<number, Pending>();
  /** Sources not yet finished or failed: the ones to close if the consumer stops early. */
  const active = new Set(iterators.keys());
  const pull = (index: number) => {
    const entry = iterators[index];
    if (!entry) return;
    pending.set(
      index,
      entry.iterator.next().then(
        (result) => ({ index, result }),
        (error: unknown) => ({ index, error }),
      ),
    );
  };
  for (let i = 0; i < iterators.length; i++) pull(i);
  try {
    yield* drain();
  } finally {
    // The consumer stopped early (or failed): let unfinished sources close their connections.
    await Promise.allSettled([...active].map((i) => iterators[i]?.iterator.return?.()));
  }

  async function* drain(): AsyncGenerator<{ key: K; value: T }> {
    while (pending.size > 0) {
      const settled = await Promise.race(pending.values());
      pending.delete(settled.index);
      const entry = iterators[settled.index];
      if (!entry) continue;
      if (settled.error !== undefined) {
        active.delete(settled.index);
        onError(entry.key, settled.error);
        continue;
      }
      if (!settled.result || settled.result.done) {
        active.delete(settled.index);
        continue;
      }
      // Ask for the next item only after the consumer took this one: that is the backpressure.
      yield { key: entry.key, value: settled.result.value };
      pull(settled.index);
    }
  }
}
