/**
 * SQL fragments shared by the Azure formats (Activity Log, Entra sign-in and audit logs).
 *
 * Azure writes the same record in two spellings: diagnostic-settings exports (Event Hub, storage
 * PT1H.json) use camelCase envelopes (`time`, `resourceId`, `properties`), Log Analytics rows use
 * PascalCase columns (`TimeGenerated`, `ResourceId`), and real exports mix the two (`Level` beside
 * `category`, all-lowercase keys from some forwarders). JSON paths in DuckDB are case-sensitive,
 * and every `->`/`->>` re-parses the whole JSON text, so looking a key up under each spelling cost
 * dozens of parses per record (about 100x slower than the CloudTrail and GCP formats).
 *
 * Instead each object a format reads is parsed once: `json_transform(x, MAP(VARCHAR, VARCHAR))`
 * (`objectMap`) gives its members in document order with values as `->>` would return them (a
 * string unquoted, anything else as JSON text); `keyIndex` pairs the lowercased keys with those
 * values, and a lookup is a `list_position` over the keys, so any casing is found. A key present
 * with a JSON null counts as present (as `->` did) but has a NULL value. When a record spells one
 * key twice in different cases, the first in the record wins.
 *
 * Text values lose the JSON type. That is harmless where a value is read as text or decoded as an
 * object (an object and a string holding that object's JSON decode alike, as before); the few
 * places that depend on the type ask `jsonTypeOf`, which reads it from the record only when the
 * text is ambiguous.
 *
 * Every helper is total: bad input gives NULL, never a SQL error (try, try_cast, try_strptime).
 */

const TEXT_MAP = `'"MAP(VARCHAR, VARCHAR)"'`;
const TEXT_MAP_LIST = `'["MAP(VARCHAR, VARCHAR)"]'`;

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * MAP(VARCHAR, VARCHAR) of the JSON object in `json` (JSON, or VARCHAR text that may not be JSON),
 * or NULL when it is not an object. Decoding text this way is also how Log Analytics dynamic
 * columns (InitiatedBy, Claims, Properties as JSON text inside a string) are read.
 */
export function objectMap(json: string): string {
  return `try(json_transform(${json}, ${TEXT_MAP}))`;
}

/** LIST(MAP(VARCHAR, VARCHAR)) of the JSON array in `json` (non-object items NULL), else NULL. */
export function objectMapList(json: string): string {
  return `try(json_transform(${json}, ${TEXT_MAP_LIST}))`;
}

/**
 * Case-insensitive index of the MAP `map`: STRUCT(k lowercased keys, v values). Needs `map` twice,
 * so pass a column, not an expression (DuckDB would transform the JSON twice).
 */
export function keyIndex(map: string): string {
  return `{'k': list_transform(map_keys(${map}), key_ -> lower(key_)), 'v': map_values(${map})}`;
}

/** `body(map, index)` with the object in `json` parsed once, for expressions that cannot add a subquery (matchers). */
let lambdaNames = 0;
export function withObject(json: string, body: (map: string, index: string) => string): string {
  // Lambda parameters get fresh names so that nested uses do not shadow each other.
  lambdaNames += 1;
  const map = `map_${lambdaNames}`;
  const index = `index_${lambdaNames}`;
  return `list_transform([${objectMap(json)}], ${map} -> list_transform([${keyIndex(map)}], ${index} -> ${body(map, index)})[1])[1]`;
}

function position(index: string, name: string): string {
  return `list_position(${index}.k, ${literal(name.toLowerCase())})`;
}

/** Position in `index` of the first of `names` present (any casing), or NULL. */
function firstPosition(index: string, names: readonly string[]): string {
  const arms = names.map((n) => position(index, n));
  return arms.length === 1 ? (arms[0] as string) : `coalesce(${arms.join(', ')})`;
}

/** Whether any of `names` is a key of `index` (any casing), even with a null value. */
export function hasField(index: string, ...names: string[]): string {
  return `(${firstPosition(index, names)} is not null)`;
}

/** Value (text) of the first of `names` present in `index` (any casing), or NULL. */
export function field(index: string, ...names: string[]): string {
  return `${index}.v[${firstPosition(index, names)}]`;
}

/**
 * Text of the first of `names` present in `index` (any casing) and not blank, or NULL. Empty
 * strings count as absent: Azure writes "" for many unknown values (deviceId, tokenIssuerName,
 * ipAddress).
 */
export function textField(index: string, ...names: string[]): string {
  const arms = names.map((n) => `nullif(trim(${index}.v[${position(index, n)}]), '')`);
  return arms.length === 1 ? (arms[0] as string) : `coalesce(${arms.join(', ')})`;
}

/** Text under keys of MAP `map` matched exactly (claim URIs are case-exact and long). */
export function exactText(map: string, ...keys: string[]): string {
  const arms = keys.map((k) => `nullif(trim(${map}[${literal(k)}]), '')`);
  return arms.length === 1 ? (arms[0] as string) : `coalesce(${arms.join(', ')})`;
}

/**
 * JSON type ('VARCHAR', 'OBJECT', ...) of the value of `name` in the object `root` (JSON) whose
 * MAP is `map` and index `index`, NULL when absent. The text alone decides unless it is itself
 * valid JSON (a string "5" and a number 5 have the same text): then the record is parsed again
 * under the key's exact spelling, which real records (a display name, a country code) never need.
 */
export function jsonTypeOf(root: string, map: string, index: string, name: string): string {
  const pos = position(index, name);
  const text = `${index}.v[${pos}]`;
  return `(case
    when ${pos} is null then null
    when ${text} is null then 'NULL'
    when try_cast(${text} as json) is null then 'VARCHAR'
    else json_type(${root}, '$."' || replace(map_keys(${map})[${pos}], '"', '\\"') || '"')
  end)`;
}

/**
 * An Azure time string as UTC TIMESTAMPTZ. Seen in the field: ISO 8601 with 0-9 fractional digits
 * (DuckDB keeps microseconds), with Z, an offset or no zone (taken as UTC, as Azure writes UTC), and
 * .NET invariant US style from some exporters ('1/2/2024 3:04:05 PM', with or without an offset,
 * 24-hour without AM/PM). Zone-less values never depend on the session TimeZone.
 */
export function azureTimeSql(text: string): string {
  const s = `upper(trim(${text}))`;
  return `(case
    when regexp_matches(${s}, '^\\d{4}-\\d{2}-\\d{2}') then
      case
        when regexp_matches(${s}, '(Z|[+-]\\d{2}(:?\\d{2})?)$') then try_cast(${s} as timestamptz)
        else timezone('UTC', try_cast(${s} as timestamp))
      end
    when regexp_matches(${s}, '^\\d{1,2}/\\d{1,2}/\\d{4}') then
      coalesce(
        try_strptime(${s}, '%m/%d/%Y %I:%M:%S %p %z'),
        try_strptime(${s}, '%m/%d/%Y %H:%M:%S %z'),
        timezone('UTC', try_strptime(${s}, ['%m/%d/%Y %I:%M:%S %p', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %I:%M:%S.%f %p', '%m/%d/%Y %H:%M:%S.%f']))
      )
  end)`;
}

/**
 * Cheap textual prefilter for matchers: true when the record text may contain one of `words` in
 * any case. A JSON text can spell a letter as a \\u escape, so a record with one is always let
 * through to the exact check.
 */
export function mayContain(json: string, ...words: string[]): string {
  return `(contains(${json}, '\\u') or regexp_matches(${json}, ${literal(`(?i)${words.join('|')}`)}))`;
}

/** Lowercase subscription id of an ARM resource id ('/subscriptions/<id>/...'), or NULL. */
export function subscriptionFromResourceId(resourceId: string): string {
  return `nullif(regexp_extract(lower(${resourceId}), '^/subscriptions/([^/]+)', 1), '')`;
}

/** Lowercase tenant id of a tenant-scoped resource id ('/tenants/<id>/providers/...'), or NULL. */
export function tenantFromResourceId(resourceId: string): string {
  return `nullif(regexp_extract(lower(${resourceId}), '^/tenants/([^/]+)', 1), '')`;
}

/** First resource provider namespace in a resource id, as recorded ('Microsoft.Web'), or NULL. */
export function providerFromResourceId(resourceId: string): string {
  return `nullif(regexp_extract(${resourceId}, '/providers/([^/]+)', 1, 'i'), '')`;
}

/**
 * The value of a field the Activity Log REST API (`az monitor activity-log list`, the Azure portal's
 * JSON download) writes as {"value": ..., "localizedValue": ...}, where diagnostic exports write the
 * value as a plain string (operationName, category, status): the text itself when it is no such
 * object.
 */
export function localizableText(text: string): string {
  return `(case when starts_with(${text}, '{') then coalesce(nullif(trim(try_cast(${text} as json) ->> '$.value'), ''), ${text}) else ${text} end)`;
}

/** Integer from a JSON number or numeric string ("0", 12, "12.0"), or NULL. */
export function integerSql(text: string): string {
  return `try_cast(try_cast(${text} as double) as bigint)`;
}

/**
 * A small JSON object from key/value SQL pairs, without the keys whose value is NULL
 * (json_merge_patch drops them), so `details` stays short.
 */
export function compactObject(pairs: ReadonlyArray<readonly [string, string]>): string {
  const args = pairs.map(([k, v]) => `'${k}', ${v}`).join(', ');
  return `json_merge_patch('{}', json_object(${args}))`;
}

/**
 * VARCHAR[] of the non-empty values among `exprs`, first occurrence first, [] when none, so a
 * resource list never holds NULL or '' entries.
 */
export function nonEmptyList(...exprs: string[]): string {
  const list = `[${exprs.join(', ')}]::varchar[]`;
  // list_distinct does not keep order; keep an entry only at its first position instead.
  return `list_filter(${list}, (x, i) -> x is not null and x <> '' and list_position(${list}, x) = i)`;
}
