import { chmodSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { AuditlakeError, UsageError } from '../../errors.js';
import { generateSigningKeyPair } from '../../report/signing-key.js';
import { writePrivateFile } from '../../util/private-files.js';
import type { CommandResult } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { chooseFormat, renderDocument } from '../output.js';

export interface GeneratedKeyFiles {
  algorithm: 'ed25519';
  private_key: string;
  public_key: string;
  fingerprint: string;
}

/**
 * Writes a new Ed25519 key pair: NAME.key.pem (PKCS#8, owner-only) and NAME.pub.pem (SPKI, meant
 * to be published). Never overwrites a key unless `force`: a lost signing key cannot be recovered.
 */
export function generateKeyFiles(dir: string, name: string, force: boolean): GeneratedKeyFiles {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) {
    throw new UsageError(
      `--name "${name}" is not a plain file name`,
      'use letters, digits, ".", "_" and "-"',
    );
  }
  const privatePath = resolve(join(dir, `${name}.key.pem`));
  const publicPath = resolve(join(dir, `${name}.pub.pem`));
  for (const path of [privatePath, publicPath]) {
    if (existsSync(path) && !force) {
      throw new AuditlakeError('input', `${path} already exists`, {
        context: { file: path },
        hint: 'choose another --name or --out; --force replaces it (reports signed with the old key then need its .pub.pem to verify)',
      });
    }
  }
  const pair = generateSigningKeyPair();
  writePrivateFile(privatePath, pair.privateKeyPem);
  writePrivateFile(publicPath, pair.publicKeyPem);
  // The public key is for sharing; only the private key stays owner-only.
  chmodSync(publicPath, 0o644);
  return {
    algorithm: 'ed25519',
    private_key: privatePath,
    public_key: publicPath,
    fingerprint: pair.fingerprint,
  };
}

function text(k: GeneratedKeyFiles): string {
  return [
    `private key (keep secret, mode 0600): ${k.private_key}`,
    `public key (publish it for verify-report --public-key): ${k.public_key}`,
    `fingerprint: ${k.fingerprint}`,
    '',
    'Sign reports with it by adding to auditlake.yaml:',
    '  report:',
    '    signing:',
    `      key_file: ${k.private_key}`,
    '',
  ].join('\n');
}

export function registerKeys(program: Command, done: (r: CommandResult) => void): void {
  const keys = program.command('keys').description('signing keys for reports (docs/reports.md)');
  keys
    .command('generate')
    .description('create an Ed25519 key pair for signing reports')
    .requiredOption('--out <dir>', 'directory for NAME.key.pem (owner-only) and NAME.pub.pem')
    .option('--name <name>', 'file name stem', 'report-signing')
    .option('--force', 'replace existing key files')
    .option('--format <format>', 'table (text) or json (default: table on a terminal, json when piped)')
    .addHelpText(
      'after',
      `
Example:
  auditlake keys generate --out keys
  # then in auditlake.yaml:  report: { signing: { key_file: keys/report-signing.key.pem } }`,
    )
    .action((opts: { out: string; name: string; force?: boolean; format?: string }) => {
      const format = chooseFormat(opts.format, Boolean(process.stdout.isTTY));
      const generated = generateKeyFiles(opts.out, opts.name, Boolean(opts.force));
      done({ output: renderDocument(generated, format, () => text(generated)), exitCode: EXIT.ok });
    });
}
