import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { describeError, StoreError } from '../errors.js';
import { PROJECTED_COLUMNS } from '../normalize/record-format.js';
import { crashPoint } from '../util/crash-points.js';
import { timePhase } from '../util/phase-timings.js';
import { redact } from '../util/redact.js';
import { extendChain, nextLink } from './chain.js';
import { recordConflicts } from './event-conflicts.js';
import {
  addParsedRecords,
  appendStaged,
  CLASSIFIED_TABLE,
  createStaging,
  normalizeStaged,
  openStagingAppender,
  type PositionUnit,
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

/**
 * Writes batches of raw records as events. A batch is staged, normalized and committed in one
 * transaction together with its ingest errors and the checkpoints that say it was read, so a crash
 * at any point leaves either the whole batch and its checkpoints or neither.
 *
 * Duplicate events (same source and event_id) are dropped against the store and within the batch;
 * a dropped copy whose record differs from the kept one is recorded in event_conflicts.
 */
export class EventWriter {
  private appender: DuckDBAppender | null = null;
  private staged = 0;
  /** Records appended from Node (the rest came straight from DuckDB's reader). */
  private appended = 0;
  private readonly extraErrors: IngestErrorRow[] = [];
  private readonly checkpoints: CheckpointWrite[] = [];
  private readonly sideWrites: ((c: DuckDBConnection) => Promise<void>)[] = [];

  private readonly connection: DuckDBConnection;
  private readonly runId: number;
  /** Connector name recorded with errors and checkpoints ('files', 'aws', ...). */
  private readonly connector: string;

  constructor(connection: DuckDBConnection, runId: number, connector: string) {
    this.connection = connection;
    this.runId = runId;
    this.connector = connector;
  }

  /** Starts a new batch (dropping anything staged but not committed). */
  async begin(): Promise<void> {
    this.closeAppender();
    await createStaging(this.connection);
    this.staged = 0;
    this.appended = 0;
    this.extraErrors.length = 0;
    this.checkpoints.length = 0;
    this.sideWrites.length = 0;
  }

  /** Adds one raw record (JSON text). */
  async add(origin: string, position: number, unit: PositionUnit, text: string): Promise<void> {
    if (!this.appender) this.appender = await openStagingAppender(this.connection);
    appendStaged(this.appender, origin, position, unit, text);
    this.staged++;
    this.appended++;
    crashPoint('staged-record');
  }

  /** Adds records DuckDB reads itself (columns origin, position, unit, r as JSON); returns how many. */
  async addFromQuery(selectSql: string): Promise<number> {
    const n = await addParsedRecords(this.connection, selectSql);
    this.staged += n;
    return n;
  }

  addError(error: IngestErrorRow): void {
    this.extraErrors.push(error);
  }

  setCheckpoint(checkpoint: CheckpointWrite): void {
    this.checkpoints.push(checkpoint);
  }

  /**
   * Writes to other tables that must commit with this batch and its checkpoints (CloudTrail digest
   * facts, src/integrity/): run inside the batch's transaction, in the order added.
   */
  addSideWrite(write: (c: DuckDBConnection) => Promise<void>): void {
    this.sideWrites.push(write);
  }

  get pendingRecords(): number {
    return this.staged;
  }

  async commit(): Promise<BatchOutcome> {
    this.closeAppender();
    const c = this.connection;
    await c.run('begin transaction');
    try {
      await normalizeStaged(c, { appended: this.appended > 0 });
      // Tamper evidence (docs/integrity.md): the new events carry the id of the chain link this
      // transaction adds, so they commit (or vanish in a crash) together with their digests.
      const link = await nextLink(c);
      const { range, ...outcome } = await timePhase('ingest.insert_events', () =>
        this.insertEvents(c, link.batchId),
      );
      // Only batches with duplicates pay for the comparison, in proportion to those rows.
      const conflicts =
        outcome.duplicates > 0 && range
          ? await recordConflicts(c, { runId: this.runId, batchId: link.batchId, ...range })
          : 0;
      if (outcome.inserted > 0) {
        await timePhase('ingest.extend_chain', () =>
          extendChain(c, { ...link, runId: this.runId, connector: this.connector }),
        );
      }
      const recordErrors = await this.insertRecordErrors(c);
      await this.insertExtraErrors(c);
      for (const write of this.sideWrites) await write(c);
      await timePhase('ingest.checkpoints', () => this.writeCheckpoints(c));
      crashPoint('before-commit');
      await timePhase('ingest.commit', () => c.run('commit'));
      crashPoint('after-commit');
      const result = { ...outcome, conflicts, errors: recordErrors + this.extraErrors.length };
      await this.begin();
      return result;
    } catch (error) {
      try {
        await c.run('rollback');
      } catch {
        // The transaction may already be aborted; the original error is the one to report.
      }
      if (error instanceof StoreError) throw error;
      throw new StoreError(`writing a batch failed: ${describeError(error).split('\n')[0]}`, {
        context: { connector: this.connector },
        cause: error,
      });
    }
  }

  private async insertEvents(
    c: DuckDBConnection,
    batchId: number,
  ): Promise<{
    records: number;
    inserted: number;
    duplicates: number;
    range: { batchStart: string; batchEnd: string } | null;
  }> {
    const stats = await c.runAndReadAll(
      `select count(*)::bigint, count(*) filter (where problem is null)::bigint, min(event_time)::varchar, max(event_time)::varchar
from temp.normalized`,
    );
    const [records, valid, minTime, maxTime] = stats.getRows()[0] ?? [0, 0, null, null];
    if (Number(valid) === 0) return { records: Number(records), inserted: 0, duplicates: 0, range: null };
    const cols = EVENT_COLUMNS.join(', ');
    // A source repeats an event with its original time, so looking for earlier copies only in the
    // batch's time range is exact and lets DuckDB skip every row group outside it.
    const result = await c.run(
      `insert into events (${cols}, origin, position, ingested_at, run_id, batch_id)
select ${cols}, origin, position, now(), $1, $4
from temp.normalized n
where n.problem is null
  and not exists (
    select 1
    from events e
    where e.event_time between $2::timestamptz and $3::timestamptz
      and e.source = n.source
      and e.event_id = n.event_id
  )
qualify row_number() over (partition by n.source, n.event_id order by n.origin, n.position) = 1`,
      [this.runId, String(minTime), String(maxTime), batchId],
    );
    const inserted = Number(result.rowsChanged);
    return {
      records: Number(records),
      inserted,
      duplicates: Number(valid) - inserted,
      range: { batchStart: String(minTime), batchEnd: String(maxTime) },
    };
  }

  private async insertRecordErrors(c: DuckDBConnection): Promise<number> {
    const result = await c.run(
      `insert into ingest_errors (run_id, recorded_at, source, origin, position, reason, excerpt)
select $1, now(), $2, n.origin, s.unit || ' ' || n.position, n.problem, left(coalesce(s.text, s.r::varchar), ${EXCERPT_CHARS})
from temp.normalized n
join ${CLASSIFIED_TABLE} s
  on s.origin = n.origin
  and s.position = n.position
where n.problem is not null`,
      [this.runId, this.connector],
    );
    return Number(result.rowsChanged);
  }

  private async insertExtraErrors(c: DuckDBConnection): Promise<void> {
    if (this.extraErrors.length === 0) return;
    const appender = await c.createAppender('ingest_errors');
    try {
      for (const e of this.extraErrors) {
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

  private async writeCheckpoints(c: DuckDBConnection): Promise<void> {
    if (this.checkpoints.length === 0) return;
    // One statement for the batch (a bulk batch holds up to 2,000 files); the last cursor set for an
    // origin wins, as it would with one INSERT OR REPLACE per checkpoint.
    const latest = new Map(this.checkpoints.map((cp) => [cp.origin, cp.cursor]));
    const rows = [...latest].map(([origin, cursor]) => ({ origin, cursor }));
    await c.run(
      `insert or replace into checkpoints (source, origin, cursor, updated_at, run_id)
select $1, cp->>'origin', cp->'cursor', now(), $3
from (select unnest(from_json($2, '["json"]')) as cp)`,
      [this.connector, JSON.stringify(rows), this.runId],
    );
  }

  private closeAppender(): void {
    if (this.appender) {
      this.appender.closeSync();
      this.appender = null;
    }
  }

  /** Discards the open batch; call when giving up on a run. */
  dispose(): void {
    this.closeAppender();
  }
}
