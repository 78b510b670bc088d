import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AuditlakeError } from '../errors.js';
import { type AuditlakeConfig, configSchema } from './config-schema.js';
import { applyEnvOverrides, type EnvOverride, isUnder, readEnvOverrides } from './env-overrides.js';
import { expandEnv } from './expand-env.js';
import {
  formatPath,
  parseYamlSource,
  YamlError,
  type YamlIssue,
  type YamlPath,
  type YamlSource,
  zodIssues,
} from './yaml-source.js';

export const CONFIG_FILE = 'auditlake.yaml';

/** The validated config, with where it came from so later checks can name a line too. */
export interface LoadedConfig {
  readonly config: AuditlakeConfig;
  /** The file read, or null when none exists and defaults apply. */
  readonly file: string | null;
  lineOf(path: YamlPath): number | undefined;
  /** The AUDITLAKE__* variables that overrode the file (env-overrides.ts), sorted. */
  readonly overrides?: readonly string[];
}

export interface LoadConfigOptions {
  /** --config PATH; must exist when given. */
  path?: string | undefined;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Reads --config PATH, else ./auditlake.yaml when present, else defaults. */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const file = options.path ? resolve(cwd, options.path) : resolve(cwd, CONFIG_FILE);
  if (!existsSync(file)) {
    if (options.path) {
      throw new AuditlakeError('config', `config file ${options.path} not found`, {
        context: { file },
        hint: `omit --config to use ./${CONFIG_FILE} (optional)`,
      });
    }
    const overrides = readEnvOverrides(env);
    const source: YamlSource = { file: '(no config file)', value: {}, lineOf: () => undefined };
    const config = validateWithOverrides(source, {}, overrides);
    return { config, file: null, lineOf: () => undefined, overrides: overrides.map((o) => o.variable) };
  }
  return parseConfig(readFileSync(file, 'utf8'), file, env);
}

/**
 * Parses and validates config text; `${ENV}` references are expanded after parsing, then the
 * AUDITLAKE__* variables override what the file says (env-overrides.ts).
 */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const source = parseYamlSource(text, file, 'config');
  // An empty file is a valid config: every setting has a default.
  const parsed = source.value ?? {};
  const expanded = expandEnv(parsed, env);
  if (expanded.missing.length > 0) {
    throw new YamlError(
      'config',
      expanded.missing.map((m) => ({
        file,
        line: source.lineOf(m.path),
        key: formatPath(m.path),
        message: `environment variable ${m.name} is not set`,
      })),
      'export the variable or write the value in the file',
    );
  }
  const overrides = readEnvOverrides(env);
  const config = validateWithOverrides(source, expanded.value, overrides);
  return {
    config,
    file,
    lineOf: (path) => source.lineOf(path),
    overrides: overrides.map((o) => o.variable),
  };
}

/**
 * Validates the document with the overrides applied. An override whose YAML reading is not a
 * string where the schema wants one (an account id of digits) is retried as its plain text. Issues
 * under an overridden key name the variable instead of a file line that no longer holds the value.
 */
function validateWithOverrides(
  source: YamlSource,
  document: unknown,
  overrides: readonly EnvOverride[],
): AuditlakeConfig {
  const attempt = (useRaw: ReadonlySet<string>) =>
    configSchema.safeParse(applyEnvOverrides(document, overrides, useRaw));
  let result = attempt(new Set());
  if (!result.success && overrides.length > 0) {
    const issues = result.error.issues;
    const wantText = overrides.filter(
      (o) =>
        typeof o.value !== 'string' &&
        issues.some(
          (i) =>
            i.code === 'invalid_type' && i.expected === 'string' && formatPath(i.path) === formatPath(o.path),
        ),
    );
    if (wantText.length > 0) result = attempt(new Set(wantText.map((o) => o.variable)));
  }
  if (result.success) return result.data;
  const issues: YamlIssue[] = zodIssues(source, result.error.issues).map((issue) => {
    const by = [...overrides].reverse().find((o) => isUnder(pathOf(issue.key), o.path));
    return by ? { ...issue, file: `environment ${by.variable}`, line: undefined } : issue;
  });
  throw new YamlError('config', issues);
}

/** A formatted key path back into segments (`reports[0].period` → ['reports', 0, 'period']). */
function pathOf(key: string): YamlPath {
  return [...key.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) =>
    m[2] === undefined ? (m[1] ?? '') : Number(m[2]),
  );
}
