import { parse as parseYaml } from 'yaml';
import { AuditlakeError } from '../errors.js';
import type { YamlPath } from './yaml-source.js';

/**
 * Environment variables that override auditlake.yaml: `AUDITLAKE__` then the key path with `__`
 * between keys, upper case: `AUDITLAKE__DETECTION__TIMEOUT_SECONDS=60` sets
 * `detection.timeout_seconds`; a number indexes a list (`AUDITLAKE__REPORTS__0__PERIOD=previous-week`).
 *
 * Why this scheme rather than a fixed list: every setting (present and future) is reachable without
 * a table to keep in step with the schema, the name spells the YAML path a reader already knows,
 * and the double underscore cannot collide with the existing single-underscore variables
 * (AUDITLAKE_DB, AUDITLAKE_DB_KEY, AUDITLAKE_MEMORY_LIMIT). Keys that are not plain identifiers
 * (detector ids under `detection.params`) cannot be spelt this way: they stay in the file.
 */
export const OVERRIDE_PREFIX = 'AUDITLAKE__';

export interface EnvOverride {
  /** The variable, for messages. */
  readonly variable: string;
  readonly path: YamlPath;
  /** The value as a YAML scalar or flow collection (30 → number, true → boolean, [a, b] → list). */
  readonly value: unknown;
  /** The variable's text, used when the setting turns out to want a string (an account id). */
  readonly raw: string;
}

const SEGMENT = /^[A-Z0-9][A-Z0-9_]*$/;

/** The overrides in `env`, sorted by variable name so the outcome does not depend on env order. */
export function readEnvOverrides(env: NodeJS.ProcessEnv): EnvOverride[] {
  const out: EnvOverride[] = [];
  for (const [variable, raw] of Object.entries(env)) {
    if (!variable.startsWith(OVERRIDE_PREFIX) || raw === undefined) continue;
    const segments = variable.slice(OVERRIDE_PREFIX.length).split('__');
    if (segments.some((s) => !SEGMENT.test(s))) {
      throw new AuditlakeError('config', `${variable}: not a config key path`, {
        context: { variable },
        hint: 'spell the YAML path in upper case with __ between keys, e.g. AUDITLAKE__DETECTION__TIMEOUT_SECONDS',
      });
    }
    const path = segments.map((s) => (/^\d+$/.test(s) ? Number(s) : s.toLowerCase()));
    out.push({ variable, path, value: scalarValue(raw), raw });
  }
  return out.sort((a, b) => (a.variable < b.variable ? -1 : a.variable > b.variable ? 1 : 0));
}

/** An empty variable is an empty string; otherwise YAML decides, falling back to the text itself. */
function scalarValue(raw: string): unknown {
  if (raw.trim() === '') return raw;
  try {
    const value = parseYaml(raw);
    return value === null || value === undefined ? raw : value;
  } catch {
    return raw;
  }
}

/**
 * A copy of the parsed config with the overrides written in, creating the maps and list items the
 * paths need. `useRaw` names the variables whose text is wanted as is (see parseConfig).
 */
export function applyEnvOverrides(
  document: unknown,
  overrides: readonly EnvOverride[],
  useRaw: ReadonlySet<string> = new Set(),
): unknown {
  let root: unknown = structuredClone(document ?? {});
  for (const o of overrides) {
    root = setAt(root, o.path, useRaw.has(o.variable) ? o.raw : o.value, o.variable);
  }
  return root;
}

function setAt(node: unknown, path: YamlPath, value: unknown, variable: string): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (typeof head === 'number') {
    const list = Array.isArray(node) ? [...node] : [];
    if (!Array.isArray(node) && node !== undefined && node !== null) {
      throw new AuditlakeError('config', `${variable}: ${describe(node)} is not a list`, {
        context: { variable },
      });
    }
    if (head > list.length) {
      throw new AuditlakeError(
        'config',
        `${variable}: the list has ${list.length} item(s), so the next index is ${list.length}`,
        { context: { variable } },
      );
    }
    list[head] = setAt(list[head], rest, value, variable);
    return list;
  }
  const map: Record<string, unknown> =
    node !== null && typeof node === 'object' && !Array.isArray(node)
      ? { ...(node as Record<string, unknown>) }
      : {};
  if (node !== undefined && node !== null && (typeof node !== 'object' || Array.isArray(node))) {
    throw new AuditlakeError('config', `${variable}: ${describe(node)} has no keys to set`, {
      context: { variable },
    });
  }
  map[String(head)] = setAt(map[String(head)], rest, value, variable);
  return map;
}

function describe(node: unknown): string {
  return Array.isArray(node) ? 'a list' : `the value ${JSON.stringify(node)}`;
}

/** True when `path` is `prefix` or lies under it. */
export function isUnder(path: YamlPath, prefix: YamlPath): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => String(segment) === String(path[i]));
}
