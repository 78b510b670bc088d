import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { describeError } from '../errors.js';
import { type FileIngestSummary, ingestFiles } from '../ingest/ingest-files.js';
import { openStore, type Store } from '../store/open-store.js';
import { startRun } from '../store/runs.js';
import type { OurFields } from './compare-fields.js';
import type { CorpusFile } from './corpus-files.js';
import { enumerateRecords, type InputRecord } from './enumerate-records.js';

/** One row of our `events` table, as far as conformance reads it. */
export interface OurEvent extends OurFields {
  event_id: string;
  source: string;
  format: string;
  origin: string;
  position: number;
}

/** What became of one input record. */
export type RecordFate =
  | { kind: 'event'; event: OurEvent }
  /**
   * The store already had its event_id (from an earlier record), so it was dropped as a duplicate.
   * `event` is the record's own normalization, from ingesting it alone into a clean store; `of`
   * names the kept copy.
   */
  | { kind: 'duplicate'; event: OurEvent; of: string }
  | { kind: 'error'; reason: string }
  | { kind: 'not-events'; note: string }
  | { kind: 'crashed'; reason: string }
  /** Neither event, duplicate nor error: the invariant is broken. */
  | { kind: 'lost'; detail: string };

export interface FileOutcome {
  file: CorpusFile;
  records: InputRecord[];
  fates: RecordFate[];
  /** Why the file is not events by our own reading of it (a CloudTrail digest), else null. */
  notEvents: string | null;
  /** The message of the exception ingesting this file alone threw, else null. */
  crash: string | null;
}

export interface CorpusIngest {
  files: FileOutcome[];
  /** The summary of the one ingestFiles call over every file that did not crash. */
  summary: FileIngestSummary | null;
  /** Mismatches between our record accounting and the pipeline's summary. */
  problems: string[];
}

interface ErrorRow {
  origin: string;
  position: string | null;
  reason: string;
}

const EVENT_COLUMNS = `event_id, source, format, origin, position::varchar, action, outcome, source_ip, actor, account,
  region, epoch_us(event_time)::varchar`;

function key(origin: string, position: string | number): string {
  return `${origin}\u0000${position}`;
}

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function toEvent(row: readonly unknown[]): OurEvent {
  const [
    eventId,
    source,
    format,
    origin,
    position,
    action,
    outcome,
    sourceIp,
    actor,
    account,
    region,
    timeUs,
  ] = row;
  return {
    event_id: String(eventId),
    source: String(source),
    format: String(format),
    origin: String(origin),
    position: Number(position),
    action: text(action),
    outcome: text(outcome),
    source_ip: text(sourceIp),
    actor: text(actor),
    account: text(account),
    region: text(region),
    event_time_us: timeUs === null || timeUs === undefined ? null : Number(timeUs),
  };
}

async function readEvents(connection: DuckDBConnection): Promise<OurEvent[]> {
  const reader = await connection.runAndReadAll(`select ${EVENT_COLUMNS} from events`);
  return reader.getRows().map(toEvent);
}

async function readErrors(connection: DuckDBConnection): Promise<ErrorRow[]> {
  const reader = await connection.runAndReadAll('select origin, position, reason from ingest_errors');
  return reader.getRows().map(([origin, position, reason]) => ({
    origin: String(origin),
    position: text(position),
    reason: String(reason),
  }));
}

/** A fresh in-memory store with one run, so nothing earlier can make a record a duplicate. */
async function freshStore(): Promise<{ store: Store; runId: number }> {
  const store = await openStore({ path: ':memory:' });
  try {
    return { store, runId: await startRun(store.connection, 'conformance') };
  } catch (error) {
    store.close();
    throw error;
  }
}

/** Runs the real file ingest over `paths` in a fresh store; the caller closes the store. */
async function ingestFresh(paths: readonly string[]): Promise<{ store: Store; summary: FileIngestSummary }> {
  const { store, runId } = await freshStore();
  try {
    return { store, summary: await ingestFiles(store.connection, runId, { paths }) };
  } catch (error) {
    store.close();
    throw error;
  }
}

/**
 * Ingests each file alone to find the ones that make the pipeline throw. Only used when the
 * ingest of all files threw, which should never happen: a bad record must become an error row.
 */
async function findCrashes(files: readonly CorpusFile[]): Promise<Map<string, string>> {
  const crashes = new Map<string, string>();
  for (const file of files) {
    try {
      const { store } = await ingestFresh([file.path]);
      store.close();
    } catch (error) {
      crashes.set(file.path, describeError(error).split('\n')[0] ?? 'unknown error');
    }
  }
  return crashes;
}

const RECORD_POSITION = /^(line|record) \d+$/;

/**
 * Re-ingests records the store holds neither an event nor an error for, each alone in its own
 * one-line file, into a clean store. Records that then give an event whose event_id the main
 * store holds are duplicates; their own event is kept for comparison (the store keeps the first
 * copy only, and Elastic's test files reuse ids on purpose). Records sharing an id with another
 * candidate dedupe again in the clean store, so this repeats until nothing more resolves.
 */
async function resolveCandidates(
  candidates: Map<string, InputRecord>,
  eventById: Map<string, OurEvent>,
  workDir: string,
): Promise<Map<string, RecordFate>> {
  const fates = new Map<string, RecordFate>();
  let pending = [...candidates.entries()];
  for (let round = 1; pending.length > 0; round++) {
    const dir = join(workDir, `round-${round}`);
    mkdirSync(dir, { recursive: true });
    const pathOf = new Map<string, string>();
    pending.forEach(([k, record], i) => {
      const path = join(dir, `${String(i + 1).padStart(5, '0')}.json`);
      // One line: the record text is compact JSON or a line of the input already.
      writeFileSync(path, `${record.text.replace(/\r?\n/g, ' ')}\n`);
      pathOf.set(path, k);
    });
    const { store } = await ingestFresh([dir]);
    let events: OurEvent[];
    let errors: ErrorRow[];
    try {
      events = await readEvents(store.connection);
      errors = await readErrors(store.connection);
    } finally {
      store.close();
    }
    const resolved = new Set<string>();
    for (const event of events) {
      const k = pathOf.get(event.origin);
      if (k === undefined) continue;
      resolved.add(k);
      const kept = eventById.get(`${event.source}\u0000${event.event_id}`);
      fates.set(
        k,
        kept
          ? { kind: 'duplicate', event, of: `${kept.origin}:${kept.position}` }
          : {
              kind: 'lost',
              detail: `alone it becomes event ${event.event_id}, which the store does not hold`,
            },
      );
    }
    for (const error of errors) {
      const k = pathOf.get(error.origin);
      if (k === undefined || resolved.has(k)) continue;
      resolved.add(k);
      fates.set(k, {
        kind: 'lost',
        detail: `alone it is an error (${error.reason}), but no error row names it`,
      });
    }
    const next = pending.filter(([k]) => !resolved.has(k));
    if (next.length === pending.length) {
      for (const [k] of next)
        fates.set(k, { kind: 'lost', detail: 'alone it gives neither an event nor an error' });
      break;
    }
    pending = next;
  }
  return fates;
}

/**
 * Runs every corpus file through the real file ingest (one ingestFiles call into a temp store)
 * and accounts for every record: event, duplicate, error row, deliberately-not-events file, or
 * crash. `workDir` (under os.tmpdir()) holds the one-record files of the duplicate check.
 */
export async function ingestCorpus(files: readonly CorpusFile[], workDir: string): Promise<CorpusIngest> {
  const outcomes: FileOutcome[] = [];
  for (const file of files) {
    try {
      const { records, notEvents } = await enumerateRecords(file.path);
      outcomes.push({ file, records, fates: [], notEvents, crash: null });
    } catch {
      // Unreadable for us is unreadable for the pipeline too: a file-level error row must say so.
      const whole: InputRecord = { origin: file.path, position: 0, unit: 'file', text: '', line: null };
      outcomes.push({ file, records: [whole], fates: [], notEvents: null, crash: null });
    }
  }

  let crashes = new Map<string, string>();
  let main: { store: Store; summary: FileIngestSummary } | null = null;
  try {
    main = await ingestFresh(files.map((f) => f.path));
  } catch {
    crashes = await findCrashes(files);
    const healthy = files.filter((f) => !crashes.has(f.path)).map((f) => f.path);
    try {
      main = await ingestFresh(healthy);
    } catch (error) {
      // Every file ingests alone but not together: blame them all rather than guess.
      const reason = `ingesting the files together failed: ${describeError(error).split('\n')[0]}`;
      for (const f of files) if (!crashes.has(f.path)) crashes.set(f.path, reason);
      main = null;
    }
  }

  const problems: string[] = [];
  let events: OurEvent[] = [];
  let errors: ErrorRow[] = [];
  if (main) {
    try {
      events = await readEvents(main.store.connection);
      errors = await readErrors(main.store.connection);
    } finally {
      main.store.close();
    }
  }
  const eventAt = new Map(events.map((e) => [key(e.origin, e.position), e]));
  const eventById = new Map(events.map((e) => [`${e.source}\u0000${e.event_id}`, e]));
  const errorAt = new Map<string, string>();
  const fileErrors = new Map<string, string>();
  for (const e of errors) {
    if (e.position !== null && RECORD_POSITION.test(e.position))
      errorAt.set(key(e.origin, e.position), e.reason);
    else {
      // A file-level error (unreadable, empty, damaged at a byte offset) covers the file's unread records.
      const path = e.origin.replace(/#line=\d+$/, '');
      fileErrors.set(path, `${e.reason}${e.position ? ` (at ${e.position})` : ''}`);
    }
  }
  const notEventFiles = new Map((main?.summary.files_not_events ?? []).map((n) => [n.path, n.note]));

  const candidates = new Map<string, InputRecord>();
  for (const outcome of outcomes) {
    const path = outcome.file.path;
    outcome.crash = crashes.get(path) ?? null;
    outcome.records.forEach((record, i) => {
      const k = `${path}\u0000${i}`;
      const note = notEventFiles.get(path);
      const event = eventAt.get(key(record.origin, record.position));
      const error = errorAt.get(key(record.origin, `${record.unit} ${record.position}`));
      const fileError = fileErrors.get(path);
      if (outcome.crash) outcome.fates[i] = { kind: 'crashed', reason: outcome.crash };
      else if (note) outcome.fates[i] = { kind: 'not-events', note };
      else if (event) outcome.fates[i] = { kind: 'event', event };
      else if (error) outcome.fates[i] = { kind: 'error', reason: error };
      else if (fileError) outcome.fates[i] = { kind: 'error', reason: fileError };
      else if (record.unit === 'file')
        outcome.fates[i] = { kind: 'lost', detail: 'unreadable file without an error row' };
      else candidates.set(k, record);
    });
  }

  if (candidates.size > 0) {
    const resolved = await resolveCandidates(candidates, eventById, workDir);
    for (const outcome of outcomes) {
      outcome.records.forEach((_, i) => {
        const fate = resolved.get(`${outcome.file.path}\u0000${i}`);
        if (fate) outcome.fates[i] = fate;
      });
    }
  }

  if (main) {
    // Cross-check our accounting with the pipeline's own counters.
    const s = main.summary;
    const count = (kind: RecordFate['kind']) =>
      outcomes.reduce((n, o) => n + o.fates.filter((f) => f.kind === kind).length, 0);
    if (s.events_new !== events.length)
      problems.push(`summary says ${s.events_new} new events, the store holds ${events.length}`);
    if (s.events_duplicate !== count('duplicate')) {
      problems.push(`summary says ${s.events_duplicate} duplicates, the records show ${count('duplicate')}`);
    }
    if (s.errors !== errors.length)
      problems.push(`summary says ${s.errors} errors, ingest_errors holds ${errors.length}`);
    for (const o of outcomes) {
      if (o.crash) continue;
      const listed = notEventFiles.has(o.file.path);
      if (o.notEvents && !listed)
        problems.push(`${o.file.name}: ${o.notEvents}, but the pipeline did not skip it as such`);
      if (!o.notEvents && listed)
        problems.push(`${o.file.name}: skipped as not events (${notEventFiles.get(o.file.path)})`);
    }
  }
  return { files: outcomes, summary: main?.summary ?? null, problems };
}
