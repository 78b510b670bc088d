import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load-config.js';
import { YamlError } from '../../src/config/yaml-source.js';

function issuesOf(text: string, env: NodeJS.ProcessEnv = {}) {
  try {
    parseConfig(text, 'auditlake.yaml', env);
  } catch (error) {
    if (error instanceof YamlError) return error.issues;
    throw error;
  }
  throw new Error('expected an error');
}

describe('config', () => {
  it('defaults everything when there is no file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'auditlake-cfg-'));
    const loaded = loadConfig({ cwd: dir });
    expect(loaded.file).toBeNull();
    expect(loaded.config.detection).toEqual({
      params: {},
      suppressions: [],
      timeout_seconds: 300,
      parallel: 2,
    });
  });

  it('reads ./auditlake.yaml, and fails on a missing --config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'auditlake-cfg-'));
    writeFileSync(join(dir, 'auditlake.yaml'), 'detection:\n  timeout_seconds: 30\n');
    expect(loadConfig({ cwd: dir }).config.detection.timeout_seconds).toBe(30);
    expect(() => loadConfig({ cwd: dir, path: 'nope.yaml' })).toThrow(/config file nope.yaml not found/);
  });

  it('parses params and suppressions; a bare expiry date lasts through that day', () => {
    const { config, lineOf } = parseConfig(
      [
        'detection:',
        '  params:',
        '    aws/api-burst:',
        '      min_events: 10',
        '  suppressions:',
        '    - detector: aws/*',
        "      actor: 'arn:aws:iam::*:role/scanner'",
        '      reason: scanner role',
        '      expires: 2026-03-31',
        '      by: secops',
      ].join('\n'),
      'auditlake.yaml',
    );
    expect(config.detection.params).toEqual({ 'aws/api-burst': { min_events: 10 } });
    expect(config.detection.suppressions[0]?.expires?.toISOString()).toBe('2026-04-01T00:00:00.000Z');
    expect(lineOf(['detection', 'params', 'aws/api-burst', 'min_events'])).toBe(4);
  });

  it('names the key and line of an unknown key, a bad value and a missing reason', () => {
    const issues = issuesOf(
      [
        'detection:',
        '  paramz: {}',
        '  suppressions:',
        '    - detector: aws/x',
        '      expires: next week',
      ].join('\n'),
    );
    expect(issues.map((i) => [i.key, i.line])).toEqual([
      ['detection.paramz', 2],
      ['detection.suppressions[0].reason', 4],
      ['detection.suppressions[0].expires', 5],
    ]);
    expect(issues.find((i) => i.key.endsWith('expires'))?.message).toContain('expected a date');
  });

  it('takes 1 to 16 parallel detection connections, whole numbers only', () => {
    const issue = (value: string) => issuesOf(['detection:', `  parallel: ${value}`].join('\n'));
    for (const bad of ['0', '17', '1.5', 'many']) {
      expect(issue(bad).map((i) => [i.key, i.line])).toEqual([['detection.parallel', 2]]);
    }
    expect(parseConfig('detection:\n  parallel: 4', 'auditlake.yaml', {}).config.detection.parallel).toBe(4);
  });

  it('reports YAML syntax errors with their line', () => {
    const issues = issuesOf('detection:\n  params: {\n');
    expect(issues[0]?.line).toBeGreaterThanOrEqual(2);
    expect(issues[0]?.message).toMatch(/^invalid YAML/);
  });

  it('expands environment references after parsing and names a missing variable', () => {
    const text = `detection:\n  suppressions:\n    - detector: aws/x\n      reason: \${WHY}\n      by: \${WHO}\n`;
    const { config } = parseConfig(text, 'auditlake.yaml', { WHY: 'a: b # not YAML', WHO: 'ops' });
    expect(config.detection.suppressions[0]).toMatchObject({ reason: 'a: b # not YAML', by: 'ops' });
    const issues = issuesOf(text, { WHY: 'x' });
    expect(issues).toEqual([
      {
        file: 'auditlake.yaml',
        line: 5,
        key: 'detection.suppressions[0].by',
        message: 'environment variable WHO is not set',
      },
    ]);
  });
});
