import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type DuckDBConnection, ResultReturnType, StatementType } from '@duckdb/node-api';
import { HUNTS_DIR, loadDetectors } from '../../detect/load-detectors.js';
import { describeError } from '../../errors.js';
import { redact } from '../../util/redact.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { type Row, renderRecordLines, renderRows } from '../output.js';
import { readCatalog, readRelationDefinitions } from './catalog.js';
import { type Catalog, complete, relationReference } from './completer.js';
import {
  type DotCommand,
  dotCommandHelp,
  isDotCommand,
  parseDotCommand,
  type ShellMode,
} from './dot-commands.js';
import { HISTORY_LIMIT, type HistoryFile, historyEntry, isRememberable } from './history.js';
import { listHuntFiles } from './hunt-files.js';
import { formatCreateStatement, formatViewDefinition } from './schema-text.js';
import { splitStatements } from './statement-splitter.js';

export const PROMPT = 'auditlake> ';
export const CONTINUATION_PROMPT = '      ...> ';
/** Rows shown in table and line modes unless `.maxrows` says otherwise: a terminal is not an export. */
export const DEFAULT_MAX_ROWS = 1000;

export interface ShellOptions {
  readonly connection: DuckDBConnection;
  readonly input: NodeJS.ReadableStream;
  /** Where results go. */
  readonly output: NodeJS.WritableStream;
  /** Where errors, notices and timings go, so results stay machine-readable when piped. */
  readonly messages: NodeJS.WritableStream;
  /**
   * A person at a terminal: prompts, line editing, history, tab completion and Ctrl-C handling.
   * Off when statements come from a pipe or a file: no prompts, and the exit code says whether
   * any statement failed.
   */
  readonly interactive: boolean;
  /** Where prompts and the edited line are drawn when interactive (default: output). */
  readonly terminal?: NodeJS.WritableStream;
  readonly mode: ShellMode;
  /** Persisted history (interactive sessions only); null keeps none. */
  readonly history: HistoryFile | null;
  /** The queries/ folder: `.detectors` and `.hunts` read it. */
  readonly queriesRoot: string;
  /** Printed once when an interactive session starts. */
  readonly banner?: string;
}

/** Statements after which the tables, views or columns may differ: completion re-reads the catalog. */
const CATALOG_CHANGING: ReadonlySet<StatementType> = new Set([
  StatementType.CREATE,
  StatementType.DROP,
  StatementType.ALTER,
  StatementType.ATTACH,
  StatementType.DETACH,
  StatementType.SET,
]);

interface ShellState {
  mode: ShellMode;
  timer: boolean;
  maxRows: number;
  /** The unfinished statement typed so far ('' when none). */
  pending: string;
  /** The first line of the pending statement as typed (a leading space keeps it out of the history file). */
  pendingFirstLine: string;
  catalog: Catalog;
  running: boolean;
  cancelRequested: boolean;
  failed: boolean;
  quit: boolean;
}

/**
 * The interactive SQL shell of `auditlake query` (docs/query-shell.md): reads lines, runs each
 * complete statement on the store connection, prints its rows in the current mode, and keeps going
 * after errors. Returns the exit code: 0, or 1 when a non-interactive session had an error.
 */
export async function runShell(options: ShellOptions): Promise<ExitCode> {
  const { connection, interactive } = options;
  const terminal = options.terminal ?? options.output;
  const state: ShellState = {
    mode: options.mode,
    timer: false,
    maxRows: DEFAULT_MAX_ROWS,
    pending: '',
    pendingFirstLine: '',
    catalog: await readCatalog(connection),
    running: false,
    cancelRequested: false,
    failed: false,
    quit: false,
  };
  const history = interactive && options.history ? options.history.load() : [];
  const rl = createInterface({
    input: options.input,
    ...(interactive ? { output: terminal } : {}),
    terminal: interactive,
    // One entry per statement, added by remember() below rather than one per typed line: with
    // historySize 0 readline adds nothing itself but still walks this array on Up/Down (it keeps the
    // array it is given; the Up-arrow test in test/cli/shell/shell.test.ts would notice a change).
    history,
    historySize: 0,
    crlfDelay: Number.POSITIVE_INFINITY,
    ...(interactive
      ? { completer: (line: string): [string[], string] => complete(line, state.pending, state.catalog) }
      : {}),
  });

  const write = async (stream: NodeJS.WritableStream, text: string): Promise<void> => {
    if (text !== '' && !stream.write(text)) await once(stream, 'drain');
  };
  const say = (text: string): Promise<void> =>
    write(options.messages, text.endsWith('\n') ? text : `${text}\n`);
  const fail = async (text: string): Promise<void> => {
    state.failed = true;
    await say(text);
  };

  const queue: string[] = [];
  let closed = false;
  let wake: (() => void) | undefined;
  rl.on('line', (line) => {
    queue.push(line);
    wake?.();
  });
  rl.on('close', () => {
    closed = true;
    wake?.();
  });

  const prompt = (): void => {
    rl.setPrompt(state.pending === '' ? PROMPT : CONTINUATION_PROMPT);
    rl.prompt();
  };

  if (interactive) {
    rl.on('SIGINT', () => {
      if (state.running) {
        state.cancelRequested = true;
        queue.length = 0;
        connection.interrupt();
        return;
      }
      const typed = rl.line.length > 0 || state.pending !== '';
      state.pending = '';
      state.pendingFirstLine = '';
      terminal.write(typed ? '^C\n' : '^C (.quit or Ctrl-D to leave)\n');
      rl.setPrompt(PROMPT);
      // Readline's own keys for "end of line" then "delete to start": the documented way to clear it.
      rl.write(null, { ctrl: true, name: 'e' });
      rl.write(null, { ctrl: true, name: 'u' });
      prompt();
    });
  }

  const remember = (firstLine: string, entry: string): void => {
    // Running the same statement again (often recalled with Up) adds nothing.
    if (!interactive || entry === '' || history[0] === entry) return;
    history.unshift(entry);
    if (history.length > HISTORY_LIMIT) history.length = HISTORY_LIMIT;
    if (options.history && isRememberable(firstLine, entry)) options.history.append(entry);
  };

  const render = (rows: readonly Row[], columns: readonly string[]): string =>
    state.mode === 'line' ? renderRecordLines(rows, columns) : renderRows(rows, state.mode, columns);

  const execute = async (sql: string): Promise<void> => {
    const limit = state.mode === 'table' || state.mode === 'line' ? state.maxRows : 0;
    state.running = true;
    state.cancelRequested = false;
    const started = performance.now();
    try {
      // Streaming stops reading after the rows a terminal can show; exports read everything.
      const reader =
        limit > 0 ? await connection.streamAndReadUntil(sql, limit + 1) : await connection.runAndReadAll(sql);
      if (reader.returnType === ResultReturnType.QUERY_RESULT) {
        const columns = reader.deduplicatedColumnNames();
        const all = reader.getRowsJson();
        const shown = limit > 0 ? all.slice(0, limit) : all;
        const rows = shown.map((values) => Object.fromEntries(columns.map((c, i) => [c, values[i]])));
        await write(options.output, render(rows, columns));
        if (shown.length < all.length) {
          await say(`(only the first ${limit} rows are shown; .maxrows 0 shows all)`);
        }
      }
      if (CATALOG_CHANGING.has(reader.statementType)) state.catalog = await readCatalog(connection);
    } catch (error) {
      if (state.cancelRequested) await say('query cancelled');
      else await fail(`Error: ${redact(describeError(error))}`);
    } finally {
      state.running = false;
      if (state.timer) await say(`Run Time: ${((performance.now() - started) / 1000).toFixed(3)} s`);
    }
  };

  const runDotCommand = async (command: DotCommand): Promise<void> => {
    switch (command.kind) {
      case 'tables': {
        const definitions = await readRelationDefinitions(connection);
        const rows = definitions.map((d) => ({ name: relationReference(d), type: d.kind }));
        await write(options.output, render(rows, ['name', 'type']));
        return;
      }
      case 'schema': {
        const definitions = await readRelationDefinitions(connection);
        const wanted = command.name?.toLowerCase();
        const chosen =
          wanted === undefined
            ? definitions
            : definitions.filter(
                (d) =>
                  d.name.toLowerCase() === wanted ||
                  relationReference(d).toLowerCase() === wanted ||
                  `${d.schema}.${d.name}`.toLowerCase() === wanted,
              );
        if (chosen.length === 0) {
          await fail(`no table or view named ${command.name}; .tables lists them`);
          return;
        }
        const text = chosen.map((d) => {
          const sql =
            d.kind === 'view' ? formatViewDefinition(d.sql, d.columns) : formatCreateStatement(d.sql);
          return sql.endsWith(';') ? sql : `${sql};`;
        });
        await write(options.output, `${text.join('\n')}\n`);
        return;
      }
      case 'detectors': {
        const library = loadDetectors(options.queriesRoot);
        const rows = library.detectors.map((d) => ({
          id: d.id,
          severity: d.header.severity,
          title: d.header.title,
        }));
        await write(options.output, render(rows, ['id', 'severity', 'title']));
        if (library.problems.length > 0) {
          await say(
            `(${library.problems.length} detector file(s) invalid: \`auditlake detectors list\` says why)`,
          );
        }
        return;
      }
      case 'hunts': {
        const hunts = listHuntFiles(join(options.queriesRoot, HUNTS_DIR));
        if (hunts === null)
          await say(`no saved hunts: ${join(options.queriesRoot, HUNTS_DIR)} does not exist`);
        else
          await write(
            options.output,
            render(
              hunts.map((h) => ({ id: h.id, title: h.title })),
              ['id', 'title'],
            ),
          );
        return;
      }
      case 'mode':
        if (command.mode === null) await say(`mode: ${state.mode}`);
        else state.mode = command.mode;
        return;
      case 'timer':
        if (command.on === null) await say(`timer: ${state.timer ? 'on' : 'off'}`);
        else state.timer = command.on;
        return;
      case 'maxrows':
        if (command.rows === null) await say(`maxrows: ${state.maxRows === 0 ? 'all' : state.maxRows}`);
        else state.maxRows = command.rows;
        return;
      case 'help':
        await write(options.output, dotCommandHelp());
        return;
      case 'quit':
        state.quit = true;
        return;
    }
  };

  const handleLine = async (line: string): Promise<void> => {
    if (state.pending === '' && isDotCommand(line)) {
      remember(line, line.trim());
      const parsed = parseDotCommand(line);
      if (!parsed.ok) {
        await fail(parsed.message);
        return;
      }
      try {
        await runDotCommand(parsed.command);
      } catch (error) {
        await fail(`Error: ${redact(describeError(error))}`);
      }
      return;
    }
    const firstLine = state.pending === '' ? line : state.pendingFirstLine;
    const text = state.pending === '' ? line : `${state.pending}\n${line}`;
    const { statements, rest } = splitStatements(text);
    if (statements.length > 0) remember(firstLine, historyEntry(text.slice(0, text.length - rest.length)));
    state.pending = rest;
    state.pendingFirstLine = rest === '' ? '' : statements.length > 0 ? line : firstLine;
    for (const statement of statements) {
      await execute(statement);
      if (state.cancelRequested) break;
    }
  };

  if (interactive) {
    if (options.banner)
      terminal.write(options.banner.endsWith('\n') ? options.banner : `${options.banner}\n`);
    prompt();
  }
  while (!state.quit) {
    const line = queue.shift();
    if (line === undefined) {
      if (closed) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
      continue;
    }
    await handleLine(line);
    if (interactive && !state.quit && !closed && queue.length === 0) prompt();
  }
  // From a pipe, a last statement without its `;` still runs (`echo "select 1" | auditlake query`).
  if (!interactive && !state.quit && state.pending !== '') await execute(state.pending);
  if (interactive && !state.quit) terminal.write('\n');
  rl.close();
  return !interactive && state.failed ? EXIT.failed : EXIT.ok;
}
