import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AuditlakeError, describeError, UsageError } from '../../errors.js';
import { openStore, resolveDbPath } from '../../store/open-store.js';
import { storeOptionsFromEnvironment } from '../../store/store-key.js';
import type { CommandResult, GlobalOptions } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { chooseFormat, type Row, renderRows } from '../output.js';

/** Runs SQL against the store opened read-only; returns the last statement's rows. */
export async function runQuery(dbPath: string, sql: string): Promise<{ columns: string[]; rows: Row[] }> {
  const store = await openStore({ path: dbPath, readOnly: true, ...storeOptionsFromEnvironment() });
  try {
    const reader = await store.connection.runAndReadAll(sql);
    return { columns: reader.columnNames(), rows: reader.getRowObjectsJson() as Row[] };
  } catch (error) {
    throw new AuditlakeError('usage', `query failed: ${describeError(error).split('\n')[0]}`, {
      hint: 'the schema is in docs/schema.md; try: auditlake query "describe events"',
      cause: error,
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
    .description('run SQL on the store (read-only) and print the result')
    .argument('[sql]', 'the SQL to run')
    .option('-f, --file <file>', 'read the SQL from a file')
    .option('--format <format>', 'table, json, csv or ndjson (default: table on a terminal, json when piped)')
    .addHelpText(
      'after',
      `
Examples:
  auditlake query "select source, count(*) from events group by all"
  auditlake query -f hunt.sql --format csv > evidence.csv`,
    )
    .action(async (sqlArg: string | undefined, opts: { file?: string; format?: string }) => {
      const sql = opts.file ? await readFile(opts.file, 'utf8') : sqlArg;
      if (!sql || sql.trim() === '')
        throw new UsageError('no SQL given', 'pass the SQL as an argument or with -f FILE');
      const format = chooseFormat(opts.format, Boolean(process.stdout.isTTY));
      const result = await runQuery(resolveDbPath(globals().db), sql);
      done({ output: renderRows(result.rows, format, result.columns), exitCode: EXIT.ok });
    });
}
