import { getMaxListeners, setMaxListeners } from 'node:events';
import type { SourceRecordBatch } from '../source-connector.js';

/**
 * Runs `produce` in the background and yields what it buffered since the last yield as one batch.
 * The API quota keeps ticking while the store commits a batch (a commit costs ~0.1 s whatever its
 * size), so pages are fetched meanwhile and the next batch simply holds more of them: the writer
 * keeps up with every stream at its ceiling, and memory stays within `maxBuffered` pages. A
 * failure is thrown after the pages before it were yielded.
 */
export async function* readAhead(
  produce: (signal: AbortSignal) => AsyncIterable<SourceRecordBatch>,
  signal: AbortSignal,
  maxBuffered: number,
): AsyncGenerator<SourceRecordBatch> {
  // A local signal, so stopping early also cancels the request in flight; one listener per
  // stream on the run's signal, and a run may read many account-regions.
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  if (getMaxListeners(signal) > 0 && getMaxListeners(signal) < 1000) setMaxListeners(1000, signal);
  const onAbort = () => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });

  const buffer: SourceRecordBatch[] = [];
  let done = false;
  let failure: { error: unknown } | null = null;
  // In an object: TypeScript does not see the closures assign them.
  const wake: { consumer: (() => void) | null; producer: (() => void) | null } = {
    consumer: null,
    producer: null,
  };
  const notify = () => {
    wake.consumer?.();
    wake.consumer = null;
  };
  const pump = (async () => {
    try {
      for await (const batch of produce(controller.signal)) {
        buffer.push(batch);
        notify();
        while (buffer.length >= maxBuffered && !controller.signal.aborted) {
          await new Promise<void>((resolve) => {
            wake.producer = resolve;
          });
        }
        if (controller.signal.aborted) break;
      }
    } catch (error) {
      failure = { error };
    } finally {
      done = true;
      notify();
    }
  })();

  try {
    for (;;) {
      if (buffer.length > 0) {
        const batches = buffer.splice(0);
        wake.producer?.();
        wake.producer = null;
        yield merge(batches);
        continue;
      }
      if (done) {
        if (failure) throw (failure as { error: unknown }).error;
        return;
      }
      await new Promise<void>((resolve) => {
        wake.consumer = resolve;
      });
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!done) controller.abort(new Error('stopped'));
    wake.producer?.();
    await pump;
  }
}

function merge(batches: readonly SourceRecordBatch[]): SourceRecordBatch {
  if (batches.length === 1) return batches[0] as SourceRecordBatch;
  const last = batches[batches.length - 1] as SourceRecordBatch;
  return {
    origin: last.origin,
    records: batches.flatMap((b) => b.records),
    cursor: last.cursor,
    pages: batches.reduce((n, b) => n + b.pages, 0),
  };
}
