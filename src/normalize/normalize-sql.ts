import { PROJECTED_COLUMNS, type RecordFormat } from './record-format.js';
import { RECORD_FORMATS } from './registry.js';

/** SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** CASE expression naming the format of JSON column `r`, or NULL when no format matches. */
export function classifySql(formats: readonly RecordFormat[] = RECORD_FORMATS): string {
  const arms = formats.map((f) => `when ${f.matchSql} then ${sqlString(f.id)}`).join('\n    ');
  return `case\n    when json_type(r) <> 'OBJECT' then null\n    ${arms}\n    else null\n  end`;
}

/**
 * Normalization runs in steps over a `classified` table (origin, position, unit, r JSON or NULL
 * when malformed, text kept only then, fmt):
 * 1. records enter it already classified by the first format (CloudTrail, the bulk of most stores);
 * 2. one UPDATE per further format, in registry order, classifies the rows still unclassified;
 * 3. projectSql normalizes them.
 * A single CASE over all formats would let DuckDB hoist subexpressions shared between matchers
 * (Azure's nested lookups) out of the CASE and compute them for every record: measured 4x slower
 * on CloudTrail batches.
 */
export function createClassifiedSql(table: string, kind: 'temp table' | 'table' = 'temp table'): string {
  return `create or replace ${kind} ${table} (origin varchar, position bigint, unit varchar, r json, text varchar, fmt varchar)`;
}

function firstFormatCase(formats: readonly RecordFormat[]): string {
  const [first] = formats;
  if (!first) return 'null::varchar';
  const object = first.matchesObjectsOnly ? '' : ` and json_type(r) = 'OBJECT'`;
  return `case when r is not null${object} and (${first.matchSql}) then ${sqlString(first.id)} end`;
}

/**
 * Adds records to the classified table. `select` returns origin, position, unit and r: JSON
 * values when `parsed` (DuckDB's own reader validated them), else raw text to validate here.
 */
export function insertClassifiedSql(
  table: string,
  select: string,
  parsed: boolean,
  formats: readonly RecordFormat[] = RECORD_FORMATS,
): string {
  const input = parsed
    ? `select origin, position, unit, r::json as r, null::varchar as text from (${select})`
    : `select origin, position, unit, try_cast(r as json) as r, r as text from (${select})`;
  return `insert into ${table}
select origin, position, unit, r, case when r is null then text end, ${firstFormatCase(formats)}
from (${input})`;
}

export function classifyUpdatesSql(
  table: string,
  formats: readonly RecordFormat[] = RECORD_FORMATS,
): string[] {
  return formats.slice(1).map(
    (f) => `update ${table}
set fmt = ${sqlString(f.id)}
where fmt is null
  and r is not null
  and json_type(r) = 'OBJECT'
  and (${f.matchSql})`,
  );
}

/**
 * The second: a SELECT over the classified table that normalizes every record. Returns
 * PROJECTED_COLUMNS plus `source`, `format` and `problem` (why the row cannot be an event, or
 * NULL when it can).
 */
export function projectSql(
  classifiedTable: string,
  formats: readonly RecordFormat[] = RECORD_FORMATS,
): string {
  const cols = PROJECTED_COLUMNS.map(([name]) => name).join(', ');
  const nulls = (skip: readonly string[]) =>
    PROJECTED_COLUMNS.filter(([n]) => !skip.includes(n))
      .map(([name, type]) => `null::${type} as ${name}`)
      .join(', ');
  const parts = formats.map(
    (f) =>
      `select ${cols}, ${sqlString(f.source)} as source, ${sqlString(f.id)} as format, null::varchar as problem\n` +
      `from (\n${f.projection(`(select origin, position, r from ${classifiedTable} where fmt = ${sqlString(f.id)})`)}\n)`,
  );
  const unknown =
    `select origin, position, r as raw, ${nulls(['origin', 'position', 'raw'])}, null as source, null as format,\n` +
    `  'unrecognized record shape: not a CloudTrail, Google Cloud audit, Azure Activity or Entra ID record' as problem\n` +
    `from ${classifiedTable} where r is not null and fmt is null`;
  const malformed =
    `select origin, position, null::json as raw, ${nulls(['origin', 'position', 'raw'])}, null as source, null as format,\n` +
    `  'malformed JSON: ' || left(text, 80) as problem\n` +
    `from ${classifiedTable} where r is null`;
  return `with projected as (
  ${[...parts, unknown, malformed].join('\n  union all by name\n  ')}
)
select * replace (
  case
    when problem is not null then problem
    when event_id is null or event_id = '' then 'record has no event id'
    when event_time is null then 'record has no parseable event time'
    else null
  end as problem
)
from projected`;
}
