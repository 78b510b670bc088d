import { Command } from 'commander';
import type { CommandResult, GlobalOptions } from '../../src/cli/command.js';
import { registerInit } from '../../src/cli/commands/init.js';
import { registerRun } from '../../src/cli/commands/run.js';
import { registerRuns } from '../../src/cli/commands/runs.js';

/**
 * The operations commands on a program built like main.ts builds it (global --db, the same
 * register functions), run in this process: main.ts runs the CLI when imported, so tests that
 * need no separate process use this, and the others spawn src/cli/main.ts.
 */
export function opsProgram(onResult: (r: CommandResult) => void): Command {
  const program = new Command()
    .name('auditlake')
    .option('--db <path>')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  registerInit(program, onResult);
  registerRun(program, globals, onResult);
  registerRuns(program, globals, onResult);
  return program;
}

export async function runOps(argv: readonly string[]): Promise<CommandResult> {
  let result: CommandResult | null = null;
  await opsProgram((r) => {
    result = r;
  }).parseAsync([...argv], { from: 'user' });
  if (result === null) throw new Error(`no result from ${argv.join(' ')}`);
  return result;
}
