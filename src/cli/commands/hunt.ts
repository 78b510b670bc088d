import type { Command } from 'commander';
import { formatIssue } from '../../config/yaml-source.js';
import { displayPath } from '../../detect/load-detectors.js';
import { UsageError } from '../../errors.js';
import { huntOutputRows, runHuntOnStore } from '../../hunt/hunt-on-store.js';
import { parseParamFlags, resolveHuntParams } from '../../hunt/hunt-params.js';
import { defaultHuntsRoot, findHunt, type LoadedHunts, loadHunts } from '../../hunt/load-hunts.js';
import { huntWindow } from '../../hunt/run-hunt.js';
import { resolveDbPath } from '../../store/open-store.js';
import { storeOptionsFromEnvironment } from '../../store/store-key.js';
import type { CommandResult, GlobalOptions } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { chooseFormat, type OutputFormat, renderRows } from '../output.js';
import { parseTimeoutFlag, parseWindowFlags } from './detect.js';

interface HuntOptions {
  list?: boolean;
  param: string[];
  since?: string;
  until?: string;
  hunts?: string;
  timeout?: string;
  format?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function listRows(library: LoadedHunts, format: OutputFormat): Record<string, unknown>[] {
  const table = format === 'table' || format === 'csv';
  return library.hunts.map((h) => {
    const params = Object.entries(h.header.params);
    return {
      id: h.id,
      title: h.header.title,
      params: table
        ? params
            .map(([name, p]) => `${name}:${p.type}${p.default === undefined ? '' : `=${String(p.default)}`}`)
            .join(' ')
        : Object.fromEntries(params),
      window: table
        ? h.header.window === undefined
          ? 'all'
          : `${h.header.window / 86_400_000}d`
        : (h.header.window ?? null),
      sources: table ? h.header.sources.join(' ') : h.header.sources,
      ...(table
        ? {}
        : { description: h.header.description, examples: h.header.examples, file: displayPath(h.file) }),
    };
  });
}

export function registerHunt(
  program: Command,
  globals: () => GlobalOptions,
  done: (r: CommandResult) => void,
): void {
  program
    .command('hunt')
    .description('run a saved hunt from queries/hunts/ by name (read-only), or list them')
    .argument('[name]', 'the hunt to run, e.g. principal-activity')
    .option('--list', 'list the saved hunts with their params')
    .option('--param <name=value>', 'a hunt param (repeatable)', collect, [])
    .option('--since <time>', "window start (default: the hunt's window back from --until, else all time)")
    .option('--until <time>', 'window end (default: now)')
    .option('--hunts <dir>', 'hunt folder (default: the queries/hunts/ shipped with auditlake)')
    .option('--timeout <seconds>', 'interrupt the hunt after this long')
    .option('--format <format>', 'table, json, csv or ndjson (default: table on a terminal, json when piped)')
    .addHelpText(
      'after',
      `
Examples:
  auditlake hunt --list
  auditlake hunt principal-activity --param principal=alice@acme.example --since 2026-11-01
  auditlake hunt ip-activity --param ip=203.0.113.50 --format csv > ip.csv`,
    )
    .action(async (name: string | undefined, opts: HuntOptions) => {
      const format = chooseFormat(opts.format, Boolean(process.stdout.isTTY));
      const library = loadHunts(opts.hunts ?? defaultHuntsRoot());
      if (opts.list) {
        if (name !== undefined) throw new UsageError('--list takes no hunt name');
        const problems = library.problems.flatMap((p) => p.issues.map(formatIssue));
        const rows = listRows(library, format);
        const output =
          format === 'table' && rows.length === 0
            ? `no hunts in ${displayPath(library.root)}\n`
            : renderRows(rows, format);
        const warn =
          problems.length > 0 ? `\n${problems.length} invalid hunt file(s): ${problems.join('; ')}\n` : '';
        done({
          output: format === 'table' ? output + warn : output,
          exitCode: problems.length ? EXIT.failed : EXIT.ok,
        });
        return;
      }
      if (name === undefined)
        throw new UsageError('name a hunt to run', 'list them with `auditlake hunt --list`');
      const hunt = findHunt(library, name);
      const params = resolveHuntParams(hunt, parseParamFlags(opts.param));
      const { since, until } = parseWindowFlags(opts);
      const timeoutMs = parseTimeoutFlag(opts.timeout);
      const result = await runHuntOnStore(hunt, {
        store: { path: resolveDbPath(globals().db), ...storeOptionsFromEnvironment() },
        window: huntWindow(hunt, since, until, new Date()),
        params,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
      const rows = huntOutputRows(result, format === 'json' || format === 'ndjson');
      done({ output: renderRows(rows, format, result.columns), exitCode: EXIT.ok });
    });
}
