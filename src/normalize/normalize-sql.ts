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
 * One SELECT that classifies and normalizes every record of `input` (columns origin, position, r
 * JSON). Returns PROJECTED_COLUMNS plus `source`, `format` and `problem` (why the row cannot be an
 * event, or NULL when it can).
 */
export function normalizeSql(input: string, formats: readonly RecordFormat[] = RECORD_FORMATS): string {
  const cols = PROJECTED_COLUMNS.map(([name]) => name).join(', ');
  const parts = formats.map(
    (f) =>
      `select ${cols}, ${sqlString(f.source)} as source, ${sqlString(f.id)} as format\n` +
      `from (\n${f.projection(`(select origin, position, r from classified where fmt = ${sqlString(f.id)})`)}\n)`,
  );
  const unknown =
    `select ${PROJECTED_COLUMNS.map(([name, type]) =>
      name === 'origin' || name === 'position' ? name : name === 'raw' ? 'r as raw' : `null::${type} as ${name}`,
    ).join(', ')}, null as source, null as format\n` + 'from classified where fmt is null';
  return `with
valid_input as (
  select origin, position, try_cast(r as json) as r, r as text
  from ${input}
),
classified as (
  select origin, position, r, ${classifySql(formats)} as fmt
  from valid_input
  where r is not null
),
projected as (
  ${[...parts, unknown].join('\n  union all by name\n  ')}
)
select *,
  case
    when format is null then 'unrecognized record shape: not a CloudTrail, Google Cloud audit, Azure Activity or Entra ID record'
    when event_id is null or event_id = '' then 'record has no event id'
    when event_time is null then 'record has no parseable event time'
    else null
  end as problem
from projected
union all
select origin, position, null as raw, ${PROJECTED_COLUMNS.filter(([n]) => !['origin', 'position', 'raw'].includes(n))
    .map(([name, type]) => `null::${type} as ${name}`)
    .join(', ')}, null as source, null as format,
  'malformed JSON: ' || left(text, 80) as problem
from valid_input
where r is null`;
}
