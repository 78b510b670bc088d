import type { ParamValue } from '../config/config-schema.js';
import type { LoadedConfig } from '../config/load-config.js';
import { YamlError, type YamlIssue } from '../config/yaml-source.js';
import type { Detector } from './load-detectors.js';

function kind(value: ParamValue): string {
  return Array.isArray(value) ? 'list' : typeof value;
}

/**
 * Checks `detection.params` of auditlake.yaml against the detectors: an override for a detector or
 * param that does not exist, or of another type than the header default, is an error naming the
 * line (a typo must not silently leave the default in force). `knownIds` are detectors whose
 * files exist, loaded or not, so a broken file does not turn its overrides into errors too.
 */
export function checkParamOverrides(
  loaded: LoadedConfig,
  detectors: readonly Detector[],
  knownIds: readonly string[] = detectors.map((d) => d.id),
): void {
  const file = loaded.file ?? 'auditlake.yaml';
  const byId = new Map(detectors.map((d) => [d.id, d]));
  const issues: YamlIssue[] = [];
  for (const [id, params] of Object.entries(loaded.config.detection.params)) {
    const path = ['detection', 'params', id];
    const detector = byId.get(id);
    if (!detector) {
      if (!knownIds.includes(id)) {
        issues.push({ file, line: loaded.lineOf(path), key: path.join('.'), message: `no detector ${id}` });
      }
      continue;
    }
    for (const [name, value] of Object.entries(params)) {
      const defaults = detector.header.params;
      const fallback = Object.hasOwn(defaults, name) ? defaults[name] : undefined;
      const key = [...path, name];
      if (fallback === undefined) {
        const known = Object.keys(defaults);
        issues.push({
          file,
          line: loaded.lineOf(key),
          key: key.join('.'),
          message: `${id} has no param ${name}${known.length ? ` (it has: ${known.join(', ')})` : ' (it has none)'}`,
        });
      } else if (kind(value) !== kind(fallback)) {
        issues.push({
          file,
          line: loaded.lineOf(key),
          key: key.join('.'),
          message: `expected a ${kind(fallback)} like the default (${JSON.stringify(fallback)}), got ${JSON.stringify(value)}`,
        });
      }
    }
  }
  if (issues.length > 0) throw new YamlError('config', issues);
}

/** The params a detector runs with: header defaults, then auditlake.yaml overrides. */
export function resolveParams(
  detector: Detector,
  overrides: Readonly<Record<string, Readonly<Record<string, ParamValue>>>> = {},
): Record<string, ParamValue> {
  return { ...detector.header.params, ...(overrides[detector.id] ?? {}) };
}
