/**
 * Turns one parsed JSON value into the audit records it carries. Exports wrap records in several
 * envelopes; this knows them all so the rest of the pipeline sees bare records only.
 */
export interface UnwrappedRecord {
  /** 1-based position of the record inside the value (1 for a bare record). */
  index: number;
  text: string;
}

export interface Unwrapped {
  records: UnwrappedRecord[];
  /** Problems with parts of the value (a log event whose message is not JSON, ...). */
  problems: { index: number; reason: string; excerpt: string }[];
  /** Set when the value is not a record at all and carries none (a CloudTrail digest). */
  skipped: string | null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fromArray(items: unknown[]): Unwrapped {
  return {
    records: items.map((item, i) => ({ index: i + 1, text: JSON.stringify(item) })),
    problems: [],
    skipped: null,
  };
}

/** CloudWatch Logs subscription data: each log event's `message` is one CloudTrail record as text. */
function fromLogEvents(events: unknown[]): Unwrapped {
  const out: Unwrapped = { records: [], problems: [], skipped: null };
  events.forEach((event, i) => {
    const message = isObject(event) ? event.message : undefined;
    if (typeof message === 'string') out.records.push({ index: i + 1, text: message });
    else
      out.problems.push({
        index: i + 1,
        reason: 'log event has no string message',
        excerpt: JSON.stringify(event).slice(0, 512),
      });
  });
  return out;
}

/** Log Analytics query results: `{tables:[{columns:[{name}], rows:[[...]]}]}` become one object per row. */
function fromTables(tables: unknown[]): Unwrapped {
  const out: Unwrapped = { records: [], problems: [], skipped: null };
  let index = 0;
  for (const table of tables) {
    if (!isObject(table) || !Array.isArray(table.columns) || !Array.isArray(table.rows)) continue;
    const names = table.columns.map((c) => (isObject(c) && typeof c.name === 'string' ? c.name : ''));
    for (const row of table.rows) {
      index++;
      if (!Array.isArray(row)) {
        out.problems.push({
          index,
          reason: 'query result row is not an array',
          excerpt: JSON.stringify(row).slice(0, 512),
        });
        continue;
      }
      const record: Record<string, unknown> = {};
      names.forEach((name, i) => {
        if (name) record[name] = row[i] ?? null;
      });
      out.records.push({ index, text: JSON.stringify(record) });
    }
  }
  return out;
}

export function unwrapContainers(value: unknown): Unwrapped {
  if (Array.isArray(value)) return fromArray(value);
  if (!isObject(value))
    return { records: [{ index: 1, text: JSON.stringify(value) }], problems: [], skipped: null };
  if (Array.isArray(value.Records)) return fromArray(value.Records);
  if (Array.isArray(value.records)) return fromArray(value.records);
  if (Array.isArray(value.logEvents)) return fromLogEvents(value.logEvents);
  if (Array.isArray(value.tables)) return fromTables(value.tables);
  if ('digestStartTime' in value && 'logFiles' in value) {
    return { records: [], problems: [], skipped: 'CloudTrail digest file (integrity data, not events)' };
  }
  return { records: [{ index: 1, text: JSON.stringify(value) }], problems: [], skipped: null };
}

/** Cheap test for a line that is a container rather than a bare record, so bare lines skip JSON.parse. */
export function looksLikeContainer(line: string): boolean {
  const head = line.slice(0, 64);
  return /^\s*[[]|^\s*\{\s*"(Records|records|logEvents|messageType|tables|awsAccountId)"/.test(head);
}
