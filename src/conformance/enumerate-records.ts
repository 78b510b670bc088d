import { isGzipFile, readHead, readWholeText } from '../connectors/files/read-file.js';
import { type FileLayout, sniffLayout } from '../connectors/files/sniff.js';
import { looksLikeContainer, unwrapContainers } from '../connectors/files/unwrap-containers.js';

/**
 * The records of one input file, each with the address (origin, position) the pipeline gives it
 * in `events` and `ingest_errors`. The conformance run counts records here, from the file itself,
 * and then checks that the store accounts for every one: that is what makes the invariant
 * "records read = events + duplicates + errors" a check and not a restatement of the writer's own
 * counters. The layout sniffer and envelope unwrapper are reused (pure functions) so addresses
 * match by construction; what is checked is the reading, normalizing and writing after them.
 */
export interface InputRecord {
  /** File path, or `path#line=N` for a container on line N of a line-delimited file. */
  origin: string;
  /** Line number (unit 'line'), index in the container (unit 'record'), 0 for the whole file. */
  position: number;
  /** 'file' when the file has no readable records: a file-level error must account for it. */
  unit: 'line' | 'record' | 'file';
  /** The record's JSON text (a single line), for re-ingesting it alone. */
  text: string;
  /** The physical line of a line-delimited file the record came from, else null. */
  line: number | null;
}

export interface FileRecords {
  records: InputRecord[];
  /** Why the whole file is deliberately not events (a CloudTrail digest), else null. */
  notEvents: string | null;
}

/** Records of a line-delimited file: one per non-blank line, containers unwrapped. */
function lineRecords(path: string, text: string): FileRecords {
  const records: InputRecord[] = [];
  let notEvents: string | null = null;
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    if (!looksLikeContainer(raw)) {
      records.push({ origin: path, position: line, unit: 'line', text: raw, line });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      // The pipeline reports a malformed line at 'line N' of the file itself.
      records.push({ origin: path, position: line, unit: 'line', text: raw, line });
      return;
    }
    const unwrapped = unwrapContainers(value);
    if (unwrapped.skipped) notEvents = unwrapped.skipped;
    const origin = `${path}#line=${line}`;
    for (const r of unwrapped.records)
      records.push({ origin, position: r.index, unit: 'record', text: r.text, line });
    for (const p of unwrapped.problems)
      records.push({ origin, position: p.index, unit: 'record', text: p.excerpt, line });
  });
  return { records, notEvents };
}

/** Records of a whole-document file (keyed array, array or other single document). */
function documentRecords(path: string, text: string): FileRecords {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { records: [wholeFile(path, text)], notEvents: null };
  }
  const unwrapped = unwrapContainers(value);
  const records: InputRecord[] = [
    ...unwrapped.records.map((r) => ({
      origin: path,
      position: r.index,
      unit: 'record' as const,
      text: r.text,
      line: null,
    })),
    ...unwrapped.problems.map((p) => ({
      origin: path,
      position: p.index,
      unit: 'record' as const,
      text: p.excerpt,
      line: null,
    })),
  ];
  return { records, notEvents: unwrapped.skipped };
}

function wholeFile(path: string, text: string): InputRecord {
  return { origin: path, position: 0, unit: 'file', text: text.slice(0, 200), line: null };
}

/** Splits a file's text into records the way its layout says. */
export function recordsOfText(path: string, text: string, layout: FileLayout): FileRecords {
  switch (layout.kind) {
    case 'ndjson':
      return lineRecords(path, text);
    case 'keyed-array':
    case 'array':
    case 'document':
      return documentRecords(path, text);
    case 'cloudtrail-digest':
      return { records: [], notEvents: 'CloudTrail digest file (integrity data, not events)' };
    default:
      return { records: [wholeFile(path, text)], notEvents: null };
  }
}

/** Reads a file and lists its records (see InputRecord). */
export async function enumerateRecords(path: string): Promise<FileRecords> {
  const gzip = await isGzipFile(path);
  const head = await readHead(path, gzip);
  const { text, damage } = await readWholeText(path, gzip);
  if (damage || (head.head.length === 0 && head.damage))
    return { records: [wholeFile(path, text)], notEvents: null };
  return recordsOfText(path, text, sniffLayout(head.head, head.complete));
}
