import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';

describe('the README configuration example', () => {
  it('is a valid auditlake.yaml', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(yaml).toBeDefined();
    const loaded = parseConfig(yaml ?? '', 'README.md', {});
    expect(loaded.config.sources.aws.map((s) => s.mode)).toEqual(['api', 's3']);
    expect(loaded.config.detection.suppressions[0]?.detector).toBe('aws/root-account-usage');
  });
});
