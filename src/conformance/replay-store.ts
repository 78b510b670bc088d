import type { ParamValue } from '../config/config-schema.js';
import { restrictForDetection } from '../detect/detection-connection.js';
import type { Detector } from '../detect/load-detectors.js';
import { plainValue } from '../detect/plain-value.js';
import { type DetectionWindow, type DetectorRow, runDetector } from '../detect/run-detector.js';
import { ingestFiles } from '../ingest/ingest-files.js';
import { EventWriter } from '../store/event-writer.js';
import { openStore, type Store } from '../store/open-store.js';
import { startRun } from '../store/runs.js';

/** One case to replay: its records (JSON text), stored under origin `key`. */
export interface ReplayCase {
  readonly key: string;
  readonly records: readonly string[];
}

/**
 * One in-memory store that replays case after case, each on its own:
 *
 * 1. every case's records go through the real ingest (EventWriter, or ingestFiles for files:
 *    classification, the SQL normalizers, dedupe) in as few batches as possible, and the stored
 *    events are moved aside to a temp table, keyed by origin;
 * 2. the instance is locked down for detection as the detect command's is (per instance, once);
 * 3. per case, `events` holds exactly that case's rows (`select`), and detectors run over a
 *    window around them, so no case sees another's events.
 *
 * Why not a fresh store per case, as fixtures.ts does: a batch commit costs about 100 ms (most
 * of it planning the normalizer SQL), a store another 10 ms of migrations; the Panther replay
 * has some 200 cases and CI runs this on two shared cores. Normalizing them together and copying
 * rows per case gives the same rows in a few milliseconds a case.
 */
export class ReplayStore {
  private readonly store: Store;
  private readonly runId: number;
  private locked = false;

  private constructor(store: Store, runId: number) {
    this.store = store;
    this.runId = runId;
  }

  static async open(): Promise<ReplayStore> {
    // One thread: cases are a handful of events, where DuckDB's parallelism costs more than it
    // gives, and the run shares two cores with the rest of CI.
    const store = await openStore({ path: ':memory:', threads: 1 });
    try {
      const runId = await startRun(store.connection, 'conformance');
      await store.connection.run('create temp table replay_events as select * from events limit 0');
      return new ReplayStore(store, runId);
    } catch (error) {
      store.close();
      throw error;
    }
  }

  /**
   * Ingests the cases through the EventWriter. Records whose event id repeats an earlier case's
   * (tests reuse placeholder ids) would be dropped by the writer's dedupe, so they go into a
   * later batch, after the earlier batch's events were moved aside. Returns each case's ingest
   * errors (empty when all its records became events).
   */
  async loadCases(cases: readonly ReplayCase[]): Promise<Map<string, string[]>> {
    this.mustBeOpen();
    const c = this.store.connection;
    const errors = new Map<string, string[]>(cases.map((k) => [k.key, []]));
    let pending = [...cases];
    while (pending.length > 0) {
      const writer = new EventWriter(c, this.runId, 'conformance');
      try {
        await writer.begin();
        for (const k of pending) {
          for (const [i, text] of k.records.entries()) await writer.add(k.key, i + 1, 'record', text);
        }
        await writer.commit();
      } finally {
        writer.dispose();
      }
      const reader = await c.runAndReadAll(
        `select origin, position, reason from ingest_errors where run_id = $1 order by origin, position`,
        [this.runId],
      );
      for (const [origin, position, reason] of reader.getRows()) {
        errors.get(String(origin))?.push(`${String(position)}: ${String(reason)}`);
      }
      await c.run('delete from ingest_errors');
      const stored = await c.runAndReadAll('select origin, count(*) from events group by origin');
      const storedCount = new Map(stored.getRows().map(([o, n]) => [String(o), Number(n)]));
      await this.stash();
      // A case none of whose records was stored or rejected was deduplicated against another
      // case: it goes again in the next batch (a case is its records together or not at all).
      const next = pending.filter(
        (k) => !storedCount.has(k.key) && (errors.get(k.key)?.length ?? 0) < k.records.length,
      );
      if (next.length === pending.length) break;
      pending = next;
    }
    return errors;
  }

  /** Ingests files through the real file ingest (ingestFiles); each file's events keep origin = its path. */
  async ingestFiles(paths: readonly string[]): Promise<void> {
    this.mustBeOpen();
    await ingestFiles(this.store.connection, this.runId, { paths });
    await this.stash();
  }

  /** Locks the instance down for detection; no more ingest after this (file access is off). */
  async lock(): Promise<void> {
    if (!this.locked) await restrictForDetection(this.store.connection);
    this.locked = true;
  }

  /** Makes `events` hold exactly the rows stored for these origins. */
  async select(origins: readonly string[]): Promise<number> {
    const c = this.store.connection;
    await c.run('delete from events');
    const result = await c.run(
      'insert into events select * from temp.replay_events where list_contains($1::varchar[], origin)',
      [JSON.stringify(origins)],
    );
    return Number(result.rowsChanged);
  }

  /** The selected events' time span widened by `marginMs` on each side, or null when there are none. */
  async window(marginMs: number): Promise<DetectionWindow | null> {
    const reader = await this.store.connection.runAndReadAll(
      'select min(event_time), max(event_time) from events',
    );
    const [min, max] = (reader.getRows()[0] ?? [null, null]).map((v) => plainValue(v ?? null));
    if (!(min instanceof Date) || !(max instanceof Date)) return null;
    return { start: new Date(min.getTime() - marginMs), end: new Date(max.getTime() + marginMs) };
  }

  /** Runs one detector over the window with the given params (header defaults merged by the caller). */
  async run(
    detector: Detector,
    window: DetectionWindow,
    params: Readonly<Record<string, ParamValue>>,
  ): Promise<DetectorRow[]> {
    if (!this.locked)
      throw new Error('ReplayStore.run before lock(): detectors run only in a locked instance');
    return (await runDetector(this.store.connection, detector, { window, params, timeoutMs: 30_000 })).rows;
  }

  close(): void {
    this.store.close();
  }

  private async stash(): Promise<void> {
    await this.store.connection.run('insert into temp.replay_events select * from events');
    await this.store.connection.run('delete from events');
  }

  private mustBeOpen(): void {
    if (this.locked) throw new Error('ReplayStore: ingest after lock()');
  }
}
