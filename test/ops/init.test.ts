import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandResult } from '../../src/cli/command.js';
import { registerInit } from '../../src/cli/commands/init.js';
import { configSchema } from '../../src/config/config-schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import { starterConfig } from '../../src/config/starter-config.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-init-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `auditlake init ...` through the real command registration (main.ts wires the same function). */
async function init(args: string[]): Promise<CommandResult | null> {
  let result: CommandResult | null = null;
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
  registerInit(program, (r) => {
    result = r;
  });
  await program.parseAsync(['init', ...args], { from: 'user' });
  return result;
}

const COMBINATIONS = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => ({
  aws: Boolean(n & 1),
  gcp: Boolean(n & 2),
  azure: Boolean(n & 4),
}));

describe('auditlake init', () => {
  it.each(COMBINATIONS)(
    'writes a starter file that loads and validates (aws=$aws gcp=$gcp azure=$azure)',
    async (c) => {
      const out = join(dir, `aws${+c.aws}-gcp${+c.gcp}-azure${+c.azure}.yaml`);
      const flags = (['aws', 'gcp', 'azure'] as const).filter((k) => c[k]).map((k) => `--${k}`);
      const result = await init([...flags, '--out', out]);
      expect(result?.exitCode).toBe(0);
      const { config } = loadConfig({ path: out, env: {} });
      expect(config.sources.aws.length > 0).toBe(c.aws);
      expect(config.sources.gcp.length > 0).toBe(c.gcp);
      expect(config.sources.azure.length > 0).toBe(c.azure);
      expect(config.reports).toEqual([
        { framework: 'pci_dss_v4.0', period: 'previous-day', formats: ['pdf'], out_dir: 'reports/out' },
      ]);
      expect(config.retention.events).toBe('forever');
      // Owner-only, like every file auditlake writes that says where evidence lives.
      if (process.platform !== 'win32') expect(statSync(out).mode & 0o077).toBe(0);
    },
  );

  it('explains every section, and holds secrets only by reference', () => {
    const text = starterConfig({ aws: true, gcp: true, azure: true });
    // Every top-level key of the schema, so a new section cannot be left out of the starter.
    for (const section of Object.keys(configSchema.shape).map((k) => `${k}:`)) {
      const at = text.indexOf(`\n${section}`);
      expect(at, section).toBeGreaterThan(0);
      // A comment right above each top-level section says what it is for.
      expect(text.slice(0, at).trimEnd().split('\n').at(-1)?.startsWith('#'), section).toBe(true);
    }
    expect(text).toMatch(/AUDITLAKE__DETECTION__TIMEOUT_SECONDS/);
    // No key, secret or password value: only *_env names and key files.
    expect(text).not.toMatch(/^\s*(secret|password|token|secret_access_key|client_secret)\s*:/im);
    expect(text).not.toMatch(/AKIA[A-Z0-9]{16}/);
  });

  it('refuses to replace an existing file unless --force', async () => {
    const out = join(dir, 'existing.yaml');
    writeFileSync(out, 'detection: {}\n');
    await expect(init(['--out', out])).rejects.toThrow(/already exists/);
    expect(readFileSync(out, 'utf8')).toBe('detection: {}\n');
    expect((await init(['--out', out, '--force']))?.exitCode).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^# auditlake.yaml/);
  });

  it('the README example of `auditlake run` configuration validates', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### `run`: the nightly job'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const path = join(dir, 'readme-run.yaml');
    writeFileSync(path, yaml);
    const { config } = loadConfig({ path, env: {} });
    expect(config.sources.files[0]?.paths).toEqual(['/srv/exports/AWSLogs']);
    expect(config.reports[0]).toMatchObject({ framework: 'pci_dss_v4.0', formats: ['pdf', 'json'] });
    expect(config.retention.events).toBe('400d');
  });

  it('rejects unknown flags', async () => {
    await expect(init(['--aws', '--oracle'])).rejects.toBeInstanceOf(CommanderError);
    expect(existsSync(join(dir, 'auditlake.yaml'))).toBe(false);
  });
});
