import { closeSync, openSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { CONFIG_FILE, loadConfig } from '../../config/load-config.js';
import { starterConfig } from '../../config/starter-config.js';
import { UsageError } from '../../errors.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE, writePrivateFile } from '../../util/private-files.js';
import type { CommandResult } from '../command.js';
import { EXIT } from '../exit-codes.js';

interface InitOptions {
  aws?: boolean;
  gcp?: boolean;
  azure?: boolean;
  out: string;
  force?: boolean;
}

/** Writes the file, refusing to replace one unless forced (O_EXCL: no check-then-write race). */
function writeConfigFile(path: string, text: string, force: boolean): void {
  if (force) {
    writePrivateFile(path, text);
    return;
  }
  ensurePrivateDir(dirname(path));
  let fd: number;
  try {
    fd = openSync(path, 'wx', PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UsageError(
        `${path} already exists`,
        'pass --force to replace it, or --out to write elsewhere',
      );
    }
    throw error;
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

export function registerInit(program: Command, done: (r: CommandResult) => void): void {
  program
    .command('init')
    .description('write a commented starter auditlake.yaml (every section explained, secrets by reference)')
    .option('--aws', 'with an active AWS CloudTrail source to fill in')
    .option('--gcp', 'with an active Google Cloud source to fill in')
    .option('--azure', 'with an active Azure Log Analytics source to fill in')
    .option('--out <file>', 'where to write it', CONFIG_FILE)
    .option('--force', 'replace an existing file')
    .addHelpText(
      'after',
      `
Examples:
  auditlake init
  auditlake init --aws --azure --out /etc/auditlake/auditlake.yaml`,
    )
    .action((opts: InitOptions) => {
      const text = starterConfig({
        aws: Boolean(opts.aws),
        gcp: Boolean(opts.gcp),
        azure: Boolean(opts.azure),
      });
      const path = resolve(opts.out);
      writeConfigFile(path, text, Boolean(opts.force));
      // What was written must load: a starter that does not validate would be a bug to catch here.
      loadConfig({ path, env: {} });
      const clouds = (['aws', 'gcp', 'azure'] as const).filter((c) => opts[c]);
      done({
        output:
          `wrote ${opts.out}${clouds.length ? ` with ${clouds.join(', ')} source(s) to fill in` : ''}\n` +
          'next: replace the placeholder ids, then `auditlake doctor` and `auditlake run`\n',
        exitCode: EXIT.ok,
      });
    });
}
