import { UsageError } from '../errors.js';
import type { HuntParamType } from './hunt-header.js';
import type { Hunt } from './load-hunts.js';

/** A param value ready to bind, with the DuckDB type it binds as. */
export interface BoundParam {
  readonly type: HuntParamType;
  readonly value: string | number | boolean | Date;
}

/** DuckDB type of each param type: what `SET VARIABLE name = $1::<type>` casts the bound value to. */
export const SQL_TYPES: Readonly<Record<HuntParamType, string>> = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  number: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMPTZ',
};

const WITH_ARTICLE: Readonly<Record<HuntParamType, string>> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  timestamp: 'a timestamp (ISO date or date-time)',
};

/** `--param name=value` texts as a map; the value is everything after the first `=`. */
export function parseParamFlags(flags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of flags) {
    const at = flag.indexOf('=');
    if (at <= 0)
      throw new UsageError(
        `--param "${flag}" is not name=value`,
        'e.g. --param principal=alice@acme.example',
      );
    const name = flag.slice(0, at).trim();
    if (Object.hasOwn(out, name)) throw new UsageError(`--param ${name} is given twice`);
    out[name] = flag.slice(at + 1);
  }
  return out;
}

/** An ISO date (UTC midnight) or date-time, as --since/--until take them. */
export function parseInstant(text: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null;
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  return Number.isNaN(time) ? null : new Date(time);
}

function convert(type: HuntParamType, text: string): string | number | boolean | Date | null {
  switch (type) {
    case 'string':
      return text;
    case 'integer':
      return /^-?\d{1,15}$/.test(text.trim()) ? Number(text.trim()) : null;
    case 'number': {
      const n = Number(text.trim());
      return text.trim() !== '' && Number.isFinite(n) ? n : null;
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (['true', 'yes', '1'].includes(t)) return true;
      if (['false', 'no', '0'].includes(t)) return false;
      return null;
    }
    case 'timestamp':
      return parseInstant(text.trim());
  }
}

function describeParams(hunt: Hunt): string {
  return Object.entries(hunt.header.params)
    .map(
      ([name, p]) =>
        `${name} (${p.type}${p.default === undefined ? ', required' : `, default ${JSON.stringify(p.default)}`}): ${p.description}`,
    )
    .join('; ');
}

/**
 * The hunt's params from header defaults and `--param` values, each converted to its declared
 * type. Unknown names, missing required params and values of the wrong type are usage errors that
 * list what the hunt takes.
 */
export function resolveHuntParams(
  hunt: Hunt,
  given: Readonly<Record<string, string>>,
): Record<string, BoundParam> {
  const declared = hunt.header.params;
  const hint =
    Object.keys(declared).length > 0
      ? `${hunt.id} takes: ${describeParams(hunt)}`
      : `${hunt.id} takes no params`;
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(declared, name)) throw new UsageError(`hunt ${hunt.id} has no param "${name}"`, hint);
  }
  const out: Record<string, BoundParam> = {};
  for (const [name, param] of Object.entries(declared)) {
    if (Object.hasOwn(given, name)) {
      const value = convert(param.type, given[name] as string);
      if (value === null) {
        throw new UsageError(
          `--param ${name}=${JSON.stringify(given[name])} is not ${WITH_ARTICLE[param.type]}`,
          hint,
        );
      }
      out[name] = { type: param.type, value };
    } else if (param.default !== undefined) {
      const value = param.type === 'timestamp' ? convert('timestamp', String(param.default)) : param.default;
      if (value === null) throw new UsageError(`hunt ${hunt.id}: default of ${name} is not a timestamp`);
      out[name] = { type: param.type, value };
    } else {
      throw new UsageError(`hunt ${hunt.id} needs --param ${name}=...`, hint);
    }
  }
  return out;
}

/** The text a value binds as; DuckDB casts it to the declared type (`$1::BIGINT`). */
export function bindText(param: BoundParam): string {
  return param.value instanceof Date ? param.value.toISOString() : String(param.value);
}
