import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyEnvOverrides, readEnvOverrides } from '../../src/config/env-overrides.js';
import { loadConfig, parseConfig } from '../../src/config/load-config.js';
import { YamlError } from '../../src/config/yaml-source.js';

const FILE = [
  'detection:',
  '  timeout_seconds: 300',
  'reports:',
  '  - framework: pci_dss_v4.0',
  '    period: previous-day',
  'sources:',
  '  aws:',
  '    - mode: api',
  '      accounts: [{ id: "111122223333" }]',
  '',
].join('\n');

function issuesOf(text: string, env: NodeJS.ProcessEnv) {
  try {
    parseConfig(text, 'auditlake.yaml', env);
  } catch (error) {
    if (error instanceof YamlError) return error.issues;
    throw error;
  }
  throw new Error('expected an error');
}

describe('AUDITLAKE__ environment overrides', () => {
  it('override file values by key path, typed by YAML, and are listed on the loaded config', () => {
    const loaded = parseConfig(FILE, 'auditlake.yaml', {
      AUDITLAKE__DETECTION__TIMEOUT_SECONDS: '30',
      AUDITLAKE__REPORTS__0__PERIOD: 'previous-week',
      AUDITLAKE__REPORTS__0__FORMATS: '[pdf, json]',
      AUDITLAKE__RETENTION__EVENTS: '400d',
      AUDITLAKE_DB: 'not/an/override.duckdb',
    });
    expect(loaded.config.detection.timeout_seconds).toBe(30);
    expect(loaded.config.reports[0]).toMatchObject({ period: 'previous-week', formats: ['pdf', 'json'] });
    expect(loaded.config.retention.events).toBe('400d');
    expect(loaded.overrides).toEqual([
      'AUDITLAKE__DETECTION__TIMEOUT_SECONDS',
      'AUDITLAKE__REPORTS__0__FORMATS',
      'AUDITLAKE__REPORTS__0__PERIOD',
      'AUDITLAKE__RETENTION__EVENTS',
    ]);
  });

  it('apply without a config file too, so a container can be configured by environment alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'auditlake-env-'));
    const loaded = loadConfig({
      cwd: dir,
      env: { AUDITLAKE__RUN__LOCK_STALE_AFTER: '2h', AUDITLAKE__SOURCES__FILES__0__PATHS: '[/exports]' },
    });
    expect(loaded.file).toBeNull();
    expect(loaded.config.run.lock_stale_after).toBe('2h');
    expect(loaded.config.sources.files).toEqual([{ paths: ['/exports'] }]);
  });

  it('keep digits as text where the setting is a string (an account id), and numbers where it is a number', () => {
    const loaded = parseConfig(FILE, 'auditlake.yaml', {
      AUDITLAKE__SOURCES__AWS__0__ACCOUNTS__0__ID: '444455556666',
      AUDITLAKE__REPORT__MAX_FINDINGS_PER_DETECTOR: '5',
    });
    expect(loaded.config.sources.aws[0]?.accounts[0]?.id).toBe('444455556666');
    expect(loaded.config.report.max_findings_per_detector).toBe(5);
  });

  it('name the variable, not a file line, when an overridden value is invalid', () => {
    const issues = issuesOf(FILE, { AUDITLAKE__DETECTION__TIMEOUT_SECONDS: 'soon' });
    expect(issues).toEqual([
      {
        file: 'environment AUDITLAKE__DETECTION__TIMEOUT_SECONDS',
        line: undefined,
        key: 'detection.timeout_seconds',
        message: expect.stringMatching(/number/),
      },
    ]);
    // A typo in the key path is an unknown key, as it would be in the file.
    const typo = issuesOf(FILE, { AUDITLAKE__DETECTION__TIMEOUT: '30' });
    expect(typo[0]).toMatchObject({
      file: 'environment AUDITLAKE__DETECTION__TIMEOUT',
      message: 'unknown key',
    });
  });

  it('refuse names that are not key paths and list indexes past the end', () => {
    expect(() => readEnvOverrides({ AUDITLAKE__DETECTION____X: '1' })).toThrow(/not a config key path/);
    expect(() =>
      parseConfig(FILE, 'auditlake.yaml', { AUDITLAKE__REPORTS__3__PERIOD: 'previous-day' }),
    ).toThrow(/the list has 1 item\(s\), so the next index is 1/);
  });

  it('leave the parsed document untouched and an empty variable an empty string', () => {
    const document = { detection: { timeout_seconds: 300 } };
    const out = applyEnvOverrides(document, readEnvOverrides({ AUDITLAKE__REPORT__ORGANIZATION: '' }));
    expect(document).toEqual({ detection: { timeout_seconds: 300 } });
    expect(out).toEqual({ detection: { timeout_seconds: 300 }, report: { organization: '' } });
  });
});
