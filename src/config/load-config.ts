import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AuditlakeError } from '../errors.js';
import { type AuditlakeConfig, configSchema } from './config-schema.js';
import { expandEnv } from './expand-env.js';
import { formatPath, parseYamlSource, validateYamlSource, YamlError, type YamlPath } from './yaml-source.js';

export const CONFIG_FILE = 'auditlake.yaml';

/** The validated config, with where it came from so later checks can name a line too. */
export interface LoadedConfig {
  readonly config: AuditlakeConfig;
  /** The file read, or null when none exists and defaults apply. */
  readonly file: string | null;
  lineOf(path: YamlPath): number | undefined;
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
    return { config: configSchema.parse({}), file: null, lineOf: () => undefined };
  }
  return parseConfig(readFileSync(file, 'utf8'), file, env);
}

/** Parses and validates config text; `${ENV}` references are expanded after parsing. */
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
  const config = validateYamlSource({ ...source, value: expanded.value }, configSchema, 'config');
  return { config, file, lineOf: (path) => source.lineOf(path) };
}
