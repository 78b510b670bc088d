import { Command, CommanderError } from 'commander';
import { AuditlakeError, describeError } from '../errors.js';
import { redact } from '../util/redact.js';
import type { CommandResult, GlobalOptions } from './command.js';
import { registerDemo } from './commands/demo.js';
import { registerDetect } from './commands/detect.js';
import { registerDetectors } from './commands/detectors.js';
import { registerExport } from './commands/export.js';
import { registerFindings } from './commands/findings.js';
import { registerHunt } from './commands/hunt.js';
import { registerIngestFiles } from './commands/ingest-files.js';
import { registerIngestSources } from './commands/ingest-sources.js';
import { registerInit } from './commands/init.js';
import { registerKeys } from './commands/keys.js';
import { registerQuery } from './commands/query.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerRuns } from './commands/runs.js';
import { registerStore } from './commands/store.js';
import { registerVerify } from './commands/verify.js';
import { registerVerifyReport } from './commands/verify-report.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { addStoreWaitOptions, applyStoreWait } from './store-wait.js';

function buildProgram(done: (r: CommandResult) => void): Command {
  const program = new Command();
  program
    .name('auditlake')
    .description('Cloud audit logs in one local DuckDB store: ingest, detect, report.')
    .option('--db <path>', 'the store (default: $AUDITLAKE_DB or data/auditlake.duckdb)')
    .showHelpAfterError()
    .exitOverride();
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  const ingest = program.command('ingest').description('bring audit events into the store');
  registerIngestFiles(ingest, globals, done);
  registerIngestSources(ingest, program, globals, done);
  registerQuery(program, globals, done);
  registerDemo(program, globals, done);
  registerDetect(program, globals, done);
  registerDetectors(program, globals, done);
  registerFindings(program, globals, done);
  registerReport(program, globals, done);
  registerVerify(program, globals, done);
  registerInit(program, done);
  registerRun(program, globals, done);
  registerRuns(program, globals, done);
  registerHunt(program, globals, done);
  registerExport(program, globals, done);
  registerVerifyReport(program, done);
  registerKeys(program, done);
  registerStore(program, globals, done);
  // Last, so it reaches every command registered above: `--wait` for a store another process holds.
  addStoreWaitOptions(program);
  program.hook('preAction', (_program, command) => applyStoreWait(command));
  return program;
}

/** Runs the CLI and returns the exit code; the one place errors become messages. */
export async function main(argv: readonly string[]): Promise<ExitCode> {
  let result: CommandResult | null = null;
  const program = buildProgram((r) => {
    result = r;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
      ) {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    if (error instanceof AuditlakeError) {
      process.stderr.write(`auditlake: ${redact(error.message)}\n`);
      if (error.hint) process.stderr.write(`hint: ${redact(error.hint)}\n`);
      return error.code === 'usage' ? EXIT.usage : EXIT.failed;
    }
    process.stderr.write(`auditlake: unexpected error: ${redact(describeError(error))}\n`);
    if (process.env.AUDITLAKE_DEBUG && error instanceof Error)
      process.stderr.write(`${redact(String(error.stack))}\n`);
    return EXIT.failed;
  }
  const finished = result as CommandResult | null;
  if (finished) process.stdout.write(finished.output);
  return finished?.exitCode ?? EXIT.ok;
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
