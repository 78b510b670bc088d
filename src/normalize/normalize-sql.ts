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
 * Normalization is two statements. The first parses and classifies each staged record into
 * `classifiedTable` (origin, position, r JSON or NULL when malformed, text, fmt); it must be
 * materialized, because DuckDB would otherwise re-run the classification once per format.
 */
export function classifyStatement(input: string, classifiedTable: string, formats: readonly RecordFormat[] = RECORD_FORMATS): string {
  return `create or replace temp table ${classifiedTable} as
with parsed as (
  select origin, position, try_cast(r as json) as r, r as text
  from ${input}
)
select origin, position, r, case when r is null then text end as text, case when r is null then null else ${classifySql(formats)} end as fmt
from parsed`;
}

/**
 * The second: a SELECT over the classified table that normalizes every record. Returns
 * PROJECTED_COLUMNS plus `source`, `format` and `problem` (why the row cannot be an event, or
 * NULL when it can).
 */
export function projectSql(classifiedTable: string, formats: readonly RecordFormat[] = RECORD_FORMATS): string {
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
