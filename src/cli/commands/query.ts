import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { defaultQueriesRoot } from '../../detect/load-detectors.js';
import { AuditlakeError, describeError, UsageError } from '../../errors.js';
import { openStore, resolveDbPath } from '../../store/open-store.js';
import { storeOptionsFromEnvironment } from '../../store/store-key.js';
import type { CommandResult, GlobalOptions } from '../command.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { chooseFormat, type OutputFormat, type Row, renderRows } from '../output.js';
import { HistoryFile, historyFilePath } from '../shell/history.js';
import { runShell } from '../shell/shell.js';
import { splitStatements } from '../shell/statement-splitter.js';

/** Runs SQL against the store opened read-only; returns the last statement's rows. */
export async function runQuery(dbPath: string, sql: string): Promise<{ columns: string[]; rows: Row[] }> {
  const store = await openStore({ path: dbPath, readOnly: true, ...storeOptionsFromEnvironment() });
  try {
    // DuckDB runs every statement of a multi-statement string but hands back the first result;
    // running them one by one returns the last (`set variable ...; select ...` from a detector file).
    const { statements, rest } = splitStatements(sql);
    let result: { columns: string[]; rows: Row[] } = { columns: [], rows: [] };
    for (const statement of rest === '' ? statements : [...statements, rest]) {
      const reader = await store.connection.runAndReadAll(statement);
      result = { columns: reader.columnNames(), rows: reader.getRowObjectsJson() as Row[] };
    }
    return result;
  } catch (error) {
    throw new AuditlakeError('usage', `query failed: ${describeError(error).split('\n')[0]}`, {
      hint: 'the schema is in docs/schema.md; try: auditlake query "describe events"',
      cause: error,
    });
  } finally {
    store.close();
  }
}

/**
 * The shell on the store opened read-only, on this process's stdin and stdout: interactive when
 * stdin is a terminal, else statements are read from the pipe and only results are printed.
 */
export async function runQueryShell(dbPath: string, format: OutputFormat): Promise<ExitCode> {
  const store = await openStore({ path: dbPath, readOnly: true, ...storeOptionsFromEnvironment() });
  try {
    const interactive = Boolean(process.stdin.isTTY);
    const historyPath = interactive ? historyFilePath() : null;
    return await runShell({
      connection: store.connection,
      input: process.stdin,
      output: process.stdout,
      messages: process.stderr,
      interactive,
      // Prompts stay off a redirected stdout (`auditlake query > rows.json`).
      terminal: process.stdout.isTTY ? process.stdout : process.stderr,
      mode: format,
      history: historyPath
        ? new HistoryFile(historyPath, (message) => process.stderr.write(`auditlake: ${message}\n`))
        : null,
      queriesRoot: defaultQueriesRoot(),
      banner: `auditlake query shell on ${store.path} (read-only). Statements end with ";". .help lists commands, Ctrl-D quits.`,
    });
  } finally {
    store.close();
  }
}

export function registerQuery(
  program: Command,
  globals: () => GlobalOptions,
  done: (r: CommandResult) => void,
): void {
  program
    .command('query')
    .description('run SQL on the store (read-only) and print the result; without SQL, an interactive shell')
    .argument('[sql]', 'the SQL to run (none: the shell, reading statements from the terminal or stdin)')
    .option('-f, --file <file>', 'read the SQL from a file')
    .option('--format <format>', 'table, json, csv or ndjson (default: table on a terminal, json when piped)')
    .addHelpText(
      'after',
      `
Examples:
  auditlake query "select source, count(*) from events group by all"
  auditlake query -f hunt.sql --format csv > evidence.csv
  auditlake query                                  # the shell: .help, .tables, .schema events, Tab completes
  echo "select count(*) from events;" | auditlake query --format csv

Shell history: ~/.auditlake_history (AUDITLAKE_HISTORY=PATH moves it, AUDITLAKE_HISTORY= keeps none).`,
    )
    .action(async (sqlArg: string | undefined, opts: { file?: string; format?: string }) => {
      const format = chooseFormat(opts.format, Boolean(process.stdout.isTTY));
      if (sqlArg === undefined && opts.file === undefined) {
        const exitCode = await runQueryShell(resolveDbPath(globals().db), format);
        done({ output: '', exitCode });
        return;
      }
      const sql = opts.file ? await readFile(opts.file, 'utf8') : sqlArg;
      if (!sql || sql.trim() === '')
        throw new UsageError(
          'no SQL given',
          'pass the SQL as an argument, with -f FILE, or none for the shell',
        );
      const result = await runQuery(resolveDbPath(globals().db), sql);
      done({ output: renderRows(result.rows, format, result.columns), exitCode: EXIT.ok });
    });
}
