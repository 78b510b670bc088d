import { type Command, InvalidArgumentError } from 'commander';
import { type StoreBusyError, setStoreAccess } from '../store/store-busy.js';

/**
 * `--wait [seconds]` for every command that opens the store, added in one place (main.ts) rather
 * than in each command: when another process holds the store, wait until it is free instead of
 * failing with StoreBusyError (docs/reliability.md, "Store busy").
 */

/** Top-level commands that open the store; each of their leaf commands gets `--wait`. */
export const STORE_COMMANDS: readonly string[] = [
  'query',
  'ingest',
  'detect',
  'report',
  'verify',
  'findings',
  'sources',
  'demo',
  'hunt',
  'export',
  'runs',
  'store',
];

const WAITING = new WeakSet<Command>();

/** Bare `--wait`: as long as it takes; `--wait N`: up to N seconds. */
export function parseWaitSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new InvalidArgumentError(
      'expected a number of seconds; before an argument that is not one, write --wait=SECONDS or put --wait last',
    );
  }
  return seconds;
}

function leaves(command: Command): Command[] {
  return command.commands.length === 0 ? [command] : command.commands.flatMap(leaves);
}

/** Adds `--wait` to the leaf commands of STORE_COMMANDS that do not have a `--wait` of their own. */
export function addStoreWaitOptions(program: Command): void {
  for (const top of program.commands.filter((c) => STORE_COMMANDS.includes(c.name()))) {
    for (const command of leaves(top)) {
      if (command.options.some((o) => o.long === '--wait')) continue;
      command.option(
        '--wait [seconds]',
        'if another process holds the store, wait until it is free (bare: as long as it takes)',
        parseWaitSeconds,
      );
      WAITING.add(command);
    }
  }
}

/** `auditlake ingest files`: the command's path from the root, for the store's owner file. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Sets how the command about to run opens the store: its name for the owner file, and `--wait`. */
export function applyStoreWait(command: Command, stderr: NodeJS.WritableStream = process.stderr): void {
  const wait: unknown = WAITING.has(command) ? command.opts().wait : undefined;
  const waitSeconds = wait === true ? Number.POSITIVE_INFINITY : typeof wait === 'number' ? wait : 0;
  setStoreAccess({
    command: commandPath(command),
    waitSeconds,
    onWait: (error: StoreBusyError, seconds: number) => {
      const limit = Number.isFinite(seconds) ? `up to ${seconds} s` : 'until it is free';
      stderr.write(`auditlake: ${error.message}; waiting ${limit}\n`);
    },
  });
}
