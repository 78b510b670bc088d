import type { YamlPath } from './yaml-source.js';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface MissingVariable {
  readonly path: YamlPath;
  readonly name: string;
}

/**
 * Replaces `${NAME}` in every string of a parsed document with the environment variable's value.
 * Runs after parsing, so a value can never change the document's structure (no YAML injection).
 * Returns the expanded copy and the references that had no variable.
 */
export function expandEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
): { value: unknown; missing: MissingVariable[] } {
  const missing: MissingVariable[] = [];
  const walk = (v: unknown, path: PropertyKey[]): unknown => {
    if (typeof v === 'string') {
      return v.replaceAll(REFERENCE, (whole, name: string) => {
        const found = env[name];
        if (found === undefined) {
          missing.push({ path: [...path], name });
          return whole;
        }
        return found;
      });
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, [...path, k])]));
    }
    return v;
  };
  return { value: walk(value, []), missing };
}
