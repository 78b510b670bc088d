import type { ExitCode } from './exit-codes.js';

/** Options every command understands. */
export interface GlobalOptions {
  db?: string;
}

/** What a command hands back to main: the text to print and the exit code. */
export interface CommandResult {
  output: string;
  exitCode: ExitCode;
}
