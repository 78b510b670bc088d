/**
 * SQL fragments shared by the Azure formats (Activity Log, Entra sign-in and audit logs).
 *
 * Azure writes the same record in two spellings: diagnostic-settings exports (Event Hub, storage
 * PT1H.json) use camelCase envelopes (`time`, `resourceId`, `properties`), Log Analytics rows use
 * PascalCase columns (`TimeGenerated`, `ResourceId`), and real exports mix the two (`Level` beside
 * `category`, all-lowercase keys from some forwarders). JSON paths in DuckDB are case-sensitive, so a
 * lookup tries the spellings seen in the field (as written, PascalCase, camelCase, lowercase,
 * uppercase) in a COALESCE, which DuckDB evaluates lazily: a key found as written costs one lookup.
 * Scanning every key with json_keys() would catch any casing but was not needed by any export seen.
 *
 * Every helper is total: bad input gives NULL, never a SQL error (try_cast, try_strptime).
 */

/** The spellings under which Azure has been seen to write `name`. */
export function keyVariants(name: string): string[] {
  const pascal = name.charAt(0).toUpperCase() + name.slice(1);
  const camel = name.charAt(0).toLowerCase() + name.slice(1);
  return [...new Set([name, pascal, camel, name.toLowerCase(), name.toUpperCase()])];
}

function path(key: string): string {
  // Quoted so claim URIs ("http://schemas...") and dotted names work as single keys.
  return `'$."${key.replaceAll("'", "''").replaceAll('"', '\\"')}"'`;
}

function variants(names: readonly string[], exact: boolean): string[] {
  return [...new Set(names.flatMap((n) => (exact ? [n] : keyVariants(n))))];
}

/** JSON value of the first of `names` present in `obj` (any usual casing), or NULL. */
export function jsonField(obj: string, ...names: string[]): string {
  const arms = variants(names, false).map((k) => `${obj}->${path(k)}`);
  return arms.length === 1 ? (arms[0] as string) : `coalesce(${arms.join(', ')})`;
}

/**
 * Text of the first of `names` present in `obj` (any usual casing), or NULL. Empty strings count
 * as absent: Azure writes "" for many unknown values (deviceId, tokenIssuerName, ipAddress).
 */
export function textField(obj: string, ...names: string[]): string {
  const arms = variants(names, false).map((k) => `nullif(trim(${obj}->>${path(k)}), '')`);
  return arms.length === 1 ? (arms[0] as string) : `coalesce(${arms.join(', ')})`;
}

/** Text under keys matched exactly (claim URIs are case-exact and long). */
export function exactText(obj: string, ...keys: string[]): string {
  const arms = variants(keys, true).map((k) => `nullif(trim(${obj}->>${path(k)}), '')`);
  return arms.length === 1 ? (arms[0] as string) : `coalesce(${arms.join(', ')})`;
}

/**
 * `expr` (JSON) as a JSON object or array: Log Analytics returns dynamic columns (InitiatedBy,
 * Claims, Properties, DeviceDetail) as JSON text inside a string, and some exports do the same with
 * `identity`. A string that is not JSON (identity "Jane Doe") gives NULL.
 */
export function asJson(expr: string): string {
  return `(case json_type(${expr}) when 'OBJECT' then ${expr} when 'ARRAY' then ${expr} when 'VARCHAR' then try_cast(${expr}->>'$' as json) end)`;
}

/** `asJson` restricted to objects. */
export function asObject(expr: string): string {
  const parsed = asJson(expr);
  return `(case when json_type(${parsed}) = 'OBJECT' then ${parsed} end)`;
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
