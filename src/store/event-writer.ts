import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { describeError, StoreError } from '../errors.js';
import { projectSql } from '../normalize/normalize-sql.js';
import { PROJECTED_COLUMNS } from '../normalize/record-format.js';
import { crashPoint } from '../util/crash-points.js';
import { timePhase } from '../util/phase-timings.js';
import { redact } from '../util/redact.js';
import { extendChainFromDigests, nextLink } from './chain.js';
import { eventDigestSql } from './chain-sql.js';
import { recordConflicts } from './event-conflicts.js';
import {
  addParsedRecords,
  appendStaged,
  attachStageDatabase,
  classifyStaged,
  createStaging,
  dropStaging,
  openStagingAppender,
  type PositionUnit,
  STAGE_DATABASE,
  type StageTables,
  sharedStageTables,
  TEMP_STAGE,
} from './staging.js';

export interface IngestErrorRow {
  origin: string;
  /** "line 12", "record 3", "byte 4096", or null when the whole origin failed. */
  position: string | null;
  reason: string;
  excerpt: string | null;
}

export interface CheckpointWrite {
  origin: string;
  cursor: unknown;
}

export interface BatchOutcome {
  /** Records staged (good and bad). */
  records: number;
  inserted: number;
  duplicates: number;
  /** Duplicates whose record differs from the stored copy, newly recorded in event_conflicts. */
  conflicts: number;
  /** Records that could not become events (malformed, unrecognized, no id or time) plus extra errors. */
  errors: number;
}

const EXCERPT_CHARS = 512;
const EVENT_COLUMNS = [
  'source',
  'format',
  ...PROJECTED_COLUMNS.map(([name]) => name).filter((name) => name !== 'origin' && name !== 'position'),
];

export interface EventWriterOptions {
  /**
   * Other connections to the same store. Batches are then staged, normalized and hashed on them in
   * turn (in an in-memory database every connection sees) while earlier batches seal and commit on
   * the others: DuckDB runs a statement over a batch-sized table on one thread, so with two staging
   * connections reading, sealing and committing overlap on two cores instead of taking turns
   * (bench:ingest).
   */
  staging?: readonly DuckDBConnection[];
}

/** A batch normalized and hashed, waiting for its transaction. */
interface SealedBatch {
  /** projectSql's columns plus ingested_at, run_id, d (the event's chain digest) and dup. */
  table: string;
  /** The records that cannot be events: origin, position, reason, excerpt. */
  errorsTable: string;
  records: number;
  valid: number;
  /** The batch's event times, where the anti-join looks for earlier copies; null without valid rows. */
  range: { start: string; end: string } | null;
  extraErrors: IngestErrorRow[];
  checkpoints: CheckpointWrite[];
  sideWrites: SideWrite[];
}

type SideWrite = (c: DuckDBConnection) => Promise<void>;

/** Where a batch is staged: a connection and its stage tables, with what was added so far. */
interface StageSlot {
  connection: DuckDBConnection;
  tables: StageTables;
  /** Sealed batches go to `<sealedPrefix><n>`. */
  sealedPrefix: string;
  kind: 'table' | 'temp table';
  ready: boolean;
  appender: DuckDBAppender | null;
  staged: number;
  /** Records appended from Node (the rest came straight from DuckDB's reader). */
  appended: number;
  extraErrors: IngestErrorRow[];
  checkpoints: CheckpointWrite[];
  sideWrites: SideWrite[];
  /** The seal of the slot's last batch: the slot takes records again once it is done. */
  sealing: Promise<void>;
}

let writerCount = 0;

/**
 * Writes batches of raw records as events. A batch is staged, then sealed (normalized, each event
 * hashed for the chain, in-batch duplicates marked), then committed in one transaction together
 * with its ingest errors and the checkpoints that say it was read, so a crash at any point leaves
 * either the whole batch and its checkpoints or neither.
 *
 * Duplicate events (same source and event_id) are dropped against the store and within the batch;
 * a dropped copy whose record differs from the kept one is recorded in event_conflicts.
 *
 * `commit()` returns once the batch is stored. `commitInBackground()` hands the batch over and
 * returns as soon as the next one may be staged; with staging connections the seal and the commit
 * run meanwhile. Batches always commit one at a time, in the order they were handed over, and a
 * batch never commits after an earlier one failed.
 */
export class EventWriter {
  private readonly slots: StageSlot[];
  private current = 0;
  /** Batches handed over and not yet committed (or failed), oldest first. */
  private inFlight: Promise<void>[] = [];
  private lastWrite: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private sealed = 0;
  private attached = false;

  private readonly connection: DuckDBConnection;
  private readonly runId: number;
  /** Connector name recorded with errors and checkpoints ('files', 'aws', ...). */
  private readonly connector: string;

  constructor(
    connection: DuckDBConnection,
    runId: number,
    connector: string,
    options: EventWriterOptions = {},
  ) {
    this.connection = connection;
    this.runId = runId;
    this.connector = connector;
    const staging = (options.staging ?? []).filter((c) => c !== connection);
    const id = `w${process.pid}_${++writerCount}`;
    const slot = (
      c: DuckDBConnection,
      tables: StageTables,
      sealedPrefix: string,
      kind: StageSlot['kind'],
    ) => ({
      connection: c,
      tables,
      sealedPrefix,
      kind,
      ready: false,
      appender: null,
      staged: 0,
      appended: 0,
      extraErrors: [],
      checkpoints: [],
      sideWrites: [],
      sealing: Promise.resolve(),
    });
    this.slots =
      staging.length === 0
        ? [slot(connection, TEMP_STAGE, 'temp.main.sealed', 'temp table')]
        : staging.map((c, i) =>
            slot(c, sharedStageTables(`${id}_${i}`), `${STAGE_DATABASE}.main.${id}_${i}_batch`, 'table'),
          );
  }

  private get pipelined(): boolean {
    return this.slots[0]?.connection !== this.connection;
  }

  private get slot(): StageSlot {
    return this.slots[this.current] as StageSlot;
  }

  /** Starts a new batch (dropping anything staged but not handed over). */
  async begin(): Promise<void> {
    await this.resetSlot(this.slot);
  }

  private async resetSlot(slot: StageSlot): Promise<void> {
    closeAppender(slot);
    if (slot.kind === 'table' && !this.attached) {
      await attachStageDatabase(slot.connection);
      this.attached = true;
    }
    await createStaging(slot.connection, slot.tables);
    slot.ready = true;
    slot.staged = 0;
    slot.appended = 0;
    slot.extraErrors = [];
    slot.checkpoints = [];
    slot.sideWrites = [];
  }

  private async readySlot(): Promise<StageSlot> {
    const slot = this.slot;
    if (!slot.ready) await this.resetSlot(slot);
    return slot;
  }

  /** Adds one raw record (JSON text). */
  async add(origin: string, position: number, unit: PositionUnit, text: string): Promise<void> {
    const slot = await this.readySlot();
    if (!slot.appender) slot.appender = await openStagingAppender(slot.connection, slot.tables);
    appendStaged(slot.appender, origin, position, unit, text);
    slot.staged++;
    slot.appended++;
    crashPoint('staged-record');
  }

  /** Adds records DuckDB reads itself (columns origin, position, unit, r as JSON); returns how many. */
  async addFromQuery(selectSql: string): Promise<number> {
    const slot = await this.readySlot();
    const n = await addParsedRecords(slot.connection, selectSql, slot.tables);
    slot.staged += n;
    return n;
  }

  addError(error: IngestErrorRow): void {
    this.slot.extraErrors.push(error);
  }

  setCheckpoint(checkpoint: CheckpointWrite): void {
    this.slot.checkpoints.push(checkpoint);
  }

  /**
   * Writes to other tables that must commit with this batch and its checkpoints (CloudTrail digest
   * facts, src/integrity/): run inside the batch's transaction, in the order added.
   */
  addSideWrite(write: SideWrite): void {
    this.slot.sideWrites.push(write);
  }

  get pendingRecords(): number {
    return this.slot.staged;
  }

  /** Commits the batch and returns once it is stored. */
  async commit(): Promise<BatchOutcome> {
    let result: BatchOutcome | null = null;
    await this.commitInBackground((outcome) => {
      result = outcome;
    });
    await this.drain();
    if (result === null) throw new StoreError('a batch was handed over but never committed');
    return result;
  }

  /**
   * Hands the batch over to be sealed and committed after the batches before it, and returns once
   * the next batch may be staged. `onCommitted` gets the outcome; a failed seal or commit is
   * thrown by a later call or by drain().
   */
  async commitInBackground(onCommitted: (outcome: BatchOutcome) => void): Promise<void> {
    if (this.failure !== null) throw this.failure;
    const slot = await this.readySlot();
    const sealed = this.seal(slot, ++this.sealed);
    slot.sealing = sealed.then(
      () => undefined,
      () => undefined,
    );
    const previous = this.lastWrite;
    const written = (async () => {
      const batch = await sealed;
      await previous;
      if (this.failure !== null) throw this.failure;
      onCommitted(await this.write(batch));
    })().catch((error: unknown) => {
      this.failure ??= batchError('sealing or writing a batch failed', error, this.connector);
    });
    this.lastWrite = written;
    this.inFlight.push(written);
    if (!this.pipelined) {
      // One connection runs one statement at a time: nothing to overlap.
      await this.drain();
      return;
    }
    this.current = (this.current + 1) % this.slots.length;
    await this.slot.sealing;
    // Memory: at most one batch per slot waits for its commit.
    while (this.inFlight.length > this.slots.length) await this.inFlight.shift();
    if (this.failure !== null) throw this.failure;
  }

  /** Waits for every batch handed over; throws the first failure. */
  async drain(): Promise<void> {
    while (this.inFlight.length > 0) await this.inFlight.shift();
    if (this.failure !== null) throw this.failure;
  }

  /** Normalizes and hashes a slot's records into a table of their own, and empties the slot. */
  private async seal(slot: StageSlot, n: number): Promise<SealedBatch> {
    closeAppender(slot);
    const s = slot.connection;
    const table = slot.kind === 'table' ? `${slot.sealedPrefix}${n}` : slot.sealedPrefix;
    const errorsTable = `${table}_errors`;
    const handedOver = {
      extraErrors: slot.extraErrors,
      checkpoints: slot.checkpoints,
      sideWrites: slot.sideWrites,
    };
    await classifyStaged(s, { appended: slot.appended > 0 }, slot.tables);
    // ingested_at is fixed here, not by the commit's now(), so each event's chain digest is computed
    // here, off the commit's path; it precedes the commit by at most a batch or two.
    await timePhase('ingest.project', () =>
      s.run(
        `create or replace ${slot.kind} ${table} as
select *, case when problem is null then ${eventDigestSql('e')} end as d, false as dup
from (
  select *, $1::timestamptz as ingested_at, $2::bigint as run_id
  from (${projectSql(slot.tables.classified)})
) e`,
        [new Date().toISOString(), this.runId],
      ),
    );
    const stats = await s.runAndReadAll(
      `select
  count(*)::bigint,
  count(*) filter (where problem is null)::bigint,
  count(distinct (source, event_id)) filter (where problem is null)::bigint,
  min(event_time)::varchar,
  max(event_time)::varchar
from ${table}`,
    );
    const [records, valid, distinct, minTime, maxTime] = stats.getRows()[0] ?? [0, 0, 0, null, null];
    if (Number(distinct) < Number(valid)) {
      // The same event twice in one batch: the first by origin and position is the one kept.
      await s.run(
        `update ${table} set dup = true
where rowid in (
  select rowid
  from ${table}
  where problem is null
  qualify row_number() over (partition by source, event_id order by origin, position) > 1
)`,
      );
    }
    await s.run(
      `create or replace ${slot.kind} ${errorsTable} as
select n.origin, s.unit || ' ' || n.position as position, n.problem as reason,
  left(coalesce(s.text, s.r::varchar), ${EXCERPT_CHARS}) as excerpt
from ${table} n
join ${slot.tables.classified} s
  on s.origin = n.origin
  and s.position = n.position
where n.problem is not null`,
    );
    await this.resetSlot(slot);
    return {
      table,
      errorsTable,
      records: Number(records),
      valid: Number(valid),
      range: Number(valid) > 0 ? { start: String(minTime), end: String(maxTime) } : null,
      ...handedOver,
    };
  }

  private async write(batch: SealedBatch): Promise<BatchOutcome> {
    const c = this.connection;
    await c.run('begin transaction');
    try {
      // Tamper evidence (docs/integrity.md): the new events carry the id of the chain link this
      // transaction adds, so they commit (or vanish in a crash) together with their digests.
      const link = await nextLink(c);
      const { inserted, keep } = await timePhase('ingest.insert_events', () =>
        this.insertEvents(c, batch, link.batchId),
      );
      const duplicates = batch.valid - inserted;
      // Only batches with duplicates pay for the comparison, in proportion to those rows.
      const conflicts =
        duplicates > 0 && batch.range !== null
          ? await recordConflicts(c, {
              runId: this.runId,
              batchId: link.batchId,
              batchStart: batch.range.start,
              batchEnd: batch.range.end,
              table: batch.table,
            })
          : 0;
      if (inserted > 0) {
        await timePhase('ingest.extend_chain', () =>
          extendChainFromDigests(
            c,
            { ...link, runId: this.runId, connector: this.connector },
            batch.table,
            keep,
          ),
        );
      }
      const recordErrors = await this.insertRecordErrors(c, batch.errorsTable);
      await this.insertExtraErrors(c, batch.extraErrors);
      for (const write of batch.sideWrites) await write(c);
      await timePhase('ingest.checkpoints', () => this.writeCheckpoints(c, batch.checkpoints));
      crashPoint('before-commit');
      await timePhase('ingest.commit', () => c.run('commit'));
      crashPoint('after-commit');
      return {
        records: batch.records,
        inserted,
        duplicates,
        conflicts,
        errors: recordErrors + batch.extraErrors.length,
      };
    } catch (error) {
      try {
        await c.run('rollback');
      } catch {
        // The transaction may already be aborted; the original error is the one to report.
      }
      throw batchError('writing a batch failed', error, this.connector);
    } finally {
      await c.run(`drop table if exists ${batch.table}`);
      await c.run(`drop table if exists ${batch.errorsTable}`);
      await c.run('drop table if exists temp.main.batch_keep');
    }
  }

  /** Inserts the batch's new events; returns how many and the filter that selects them. */
  private async insertEvents(
    c: DuckDBConnection,
    batch: SealedBatch,
    batchId: number,
  ): Promise<{ inserted: number; keep: string }> {
    let keep = 'problem is null and not dup';
    if (batch.range === null) return { inserted: 0, keep };
    // A source repeats an event with its original time, so looking for earlier copies only in the
    // batch's time range is exact and lets DuckDB skip every row group outside it.
    const stored = `exists (
  select 1
  from events e
  where e.event_time between $1::timestamptz and $2::timestamptz
    and e.source = n.source
    and e.event_id = n.event_id
)`;
    const range = [batch.range.start, batch.range.end];
    const repeats = await c.runAndReadAll(
      `select count(*)::bigint from ${batch.table} n where ${keep} and ${stored}`,
      range,
    );
    if (Number(repeats.getRows()[0]?.[0] ?? 0) > 0) {
      // Rare (a rerun over files already read): name the rows to keep once, for the insert and the chain.
      await c.run(
        `create or replace temp table batch_keep as
select n.rowid as rid from ${batch.table} n where ${keep} and not ${stored}`,
        range,
      );
      keep = 'rowid in (select rid from temp.main.batch_keep)';
    }
    const cols = EVENT_COLUMNS.join(', ');
    const result = await c.run(
      `insert into events (${cols}, origin, position, ingested_at, run_id, batch_id)
select ${cols}, origin, position, ingested_at, run_id, $1
from ${batch.table}
where ${keep}`,
      [batchId],
    );
    return { inserted: Number(result.rowsChanged), keep };
  }

  private async insertRecordErrors(c: DuckDBConnection, errorsTable: string): Promise<number> {
    const result = await c.run(
      `insert into ingest_errors (run_id, recorded_at, source, origin, position, reason, excerpt)
select $1, now(), $2, origin, position, reason, excerpt
from ${errorsTable}`,
      [this.runId, this.connector],
    );
    return Number(result.rowsChanged);
  }

  private async insertExtraErrors(c: DuckDBConnection, errors: readonly IngestErrorRow[]): Promise<void> {
    if (errors.length === 0) return;
    const appender = await c.createAppender('ingest_errors');
    try {
      for (const e of errors) {
        appender.appendBigInt(BigInt(this.runId));
        appender.appendVarchar(new Date().toISOString());
        appender.appendVarchar(this.connector);
        appender.appendVarchar(e.origin);
        if (e.position === null) appender.appendNull();
        else appender.appendVarchar(e.position);
        appender.appendVarchar(e.reason);
        if (e.excerpt === null) appender.appendNull();
        else appender.appendVarchar(redact(e.excerpt.slice(0, EXCERPT_CHARS)));
        appender.endRow();
      }
    } finally {
      appender.closeSync();
    }
  }

  private async writeCheckpoints(
    c: DuckDBConnection,
    checkpoints: readonly CheckpointWrite[],
  ): Promise<void> {
    if (checkpoints.length === 0) return;
    // One statement for the batch (a bulk batch holds up to 2,000 files); the last cursor set for an
    // origin wins, as it would with one INSERT OR REPLACE per checkpoint.
    const latest = new Map(checkpoints.map((cp) => [cp.origin, cp.cursor]));
    const rows = [...latest].map(([origin, cursor]) => ({ origin, cursor }));
    await c.run(
      `insert or replace into checkpoints (source, origin, cursor, updated_at, run_id)
select $1, cp->>'origin', cp->'cursor', now(), $3
from (select unnest(from_json($2, '["json"]')) as cp)`,
      [this.connector, JSON.stringify(rows), this.runId],
    );
  }

  /** Discards the open batch; call when giving up on a run. */
  dispose(): void {
    for (const slot of this.slots) closeAppender(slot);
  }

  /** Waits for the batches handed over, then drops this writer's stage tables. */
  async close(): Promise<void> {
    try {
      await this.drain();
    } finally {
      for (const slot of this.slots) {
        await slot.sealing;
        closeAppender(slot);
        if (slot.kind === 'table' && slot.ready) await dropStaging(slot.connection, slot.tables);
      }
    }
  }
}

/** A batch's failure as a StoreError; running out of DuckDB's memory limit says how to give it more. */
function batchError(what: string, error: unknown, connector: string): StoreError {
  if (error instanceof StoreError) return error;
  const message = describeError(error).split('\n')[0] ?? '';
  return new StoreError(`${what}: ${message}`, {
    context: { connector },
    cause: error,
    ...(/Out of Memory Error/i.test(message)
      ? {
          hint: 'raise AUDITLAKE_MEMORY_LIMIT (ingest default 350MB; the process peaks near 2.5 times it) or lower --batch-mb',
        }
      : {}),
  });
}

function closeAppender(slot: StageSlot): void {
  if (slot.appender) {
    slot.appender.closeSync();
    slot.appender = null;
  }
}
