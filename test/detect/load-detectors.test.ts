import { describe, expect, it } from 'vitest';
import { loadDetectors } from '../../src/detect/load-detectors.js';
import { GOOD_ROOT, queriesRoot } from './helpers.js';

const FIXTURES = '{ "positive": [], "negative": [] }';

function header(lines: string[], body = 'select 1'): string {
  return ['-- ---', ...lines.map((l) => (l === '' ? '--' : `-- ${l}`)), '-- ---', body, ''].join('\n');
}

const VALID = [
  'id: aws/x',
  'title: X',
  'severity: high',
  'sources: [aws]',
  'attack: [T1078.004]',
  'controls:',
  "  cis_aws_v4.0.0: ['4.3']",
  'method: match',
  'description: Something.',
];

/** Loads one file `aws/x.sql` and returns its single problem's issues. */
function problemsOf(lines: string[], options: { fixtures?: boolean; body?: string } = {}) {
  const files: Record<string, string> = { 'aws/x.sql': header(lines, options.body) };
  if (options.fixtures !== false) files['aws/x.fixtures.json'] = FIXTURES;
  const loaded = loadDetectors(queriesRoot(files));
  return { loaded, issues: loaded.problems[0]?.issues ?? [] };
}

describe('loadDetectors', () => {
  it('loads valid detectors with defaults, ids from paths and a version hash', () => {
    const loaded = loadDetectors(GOOD_ROOT);
    expect(loaded.problems).toEqual([]);
    expect(loaded.detectors.map((d) => d.id)).toEqual(['aws/api-burst', 'aws/delete-trail']);
    const trail = loaded.detectors.find((d) => d.id === 'aws/delete-trail');
    expect(trail?.header.keys).toEqual(['actor', 'account']);
    expect(trail?.header.controls).toEqual({ 'cis_aws_v4.0.0': ['3.1'], nist_800_53_r5: ['AU-6'] });
    expect(trail?.version).toMatch(/^[0-9a-f]{64}$/);
    const burst = loaded.detectors.find((d) => d.id === 'aws/api-burst');
    expect(burst?.header.params).toEqual({ min_events: 5 });
  });

  it('accepts a valid header', () => {
    const { loaded } = problemsOf(VALID);
    expect(loaded.problems).toEqual([]);
    expect(loaded.detectors[0]?.header.attack).toEqual(['T1078.004']);
  });

  it('reports an unknown key at its line', () => {
    const { issues } = problemsOf([...VALID, 'tags: [x]']);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 11, key: 'tags', message: 'unknown key' });
    expect(issues[0]?.file).toMatch(/aws[/\\]x\.sql$/);
  });

  it('reports a bad severity and a bad method at their lines', () => {
    const lines = VALID.map((l) => (l === 'severity: high' ? 'severity: severe' : l)).map((l) =>
      l === 'method: match' ? 'method: magic' : l,
    );
    const { issues } = problemsOf(lines);
    expect(issues.map((i) => [i.key, i.line])).toEqual([
      ['severity', 4],
      ['method', 9],
    ]);
  });

  it('reports an id that does not match the path', () => {
    const { issues } = problemsOf(VALID.map((l) => (l === 'id: aws/x' ? 'id: aws/y' : l)));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 2, key: 'id' });
    expect(issues[0]?.message).toContain('expected "aws/x"');
  });

  it('reports a missing fixtures file', () => {
    const { issues } = problemsOf(VALID, { fixtures: false });
    expect(issues[0]?.message).toMatch(/no fixtures file .*x\.fixtures\.json/);
  });

  it('reports ATT&CK ids outside the pinned version and unknown framework keys', () => {
    const lines = VALID.map((l) => (l === 'attack: [T1078.004]' ? 'attack: [T9999]' : l)).map((l) =>
      l === "  cis_aws_v4.0.0: ['4.3']" ? "  cis_aws_v9: ['4.3']" : l,
    );
    const { issues } = problemsOf(lines);
    expect(issues.map((i) => i.key)).toEqual(['attack[0]', 'controls.cis_aws_v9']);
    expect(issues[0]?.message).toContain('not in ATT&CK v17');
    expect(issues[1]?.line).toBe(8);
  });

  it('reports a file without a header, and a header line without the comment prefix', () => {
    const noHeader = loadDetectors(queriesRoot({ 'aws/x.sql': 'select 1', 'aws/x.fixtures.json': FIXTURES }));
    expect(noHeader.problems[0]?.issues[0]).toMatchObject({ line: 1 });
    expect(noHeader.problems[0]?.issues[0]?.message).toContain('no YAML header');
    const text = header(VALID).replace('-- title: X', 'title: X');
    const badLine = loadDetectors(queriesRoot({ 'aws/x.sql': text, 'aws/x.fixtures.json': FIXTURES }));
    expect(badLine.problems[0]?.issues[0]).toMatchObject({ line: 3 });
  });

  it('reports a param shadowing the window variables', () => {
    const { issues } = problemsOf([...VALID, 'params:', '  window_start: 1']);
    expect(issues[0]).toMatchObject({ key: 'params.window_start', line: 12 });
  });

  it('keeps loading the other files when one is broken', () => {
    const root = queriesRoot({
      'aws/a.sql': header(VALID.map((l) => (l === 'id: aws/x' ? 'id: aws/a' : l))),
      'aws/a.fixtures.json': FIXTURES,
      'aws/b.sql': header(VALID.map((l) => (l === 'id: aws/x' ? 'id: aws/b' : l)).concat('oops: 1')),
      'aws/b.fixtures.json': FIXTURES,
    });
    const loaded = loadDetectors(root);
    expect(loaded.detectors.map((d) => d.id)).toEqual(['aws/a']);
    expect(loaded.problems.map((p) => p.id)).toEqual(['aws/b']);
  });

  it('treats a missing queries folder as an empty library', () => {
    expect(loadDetectors('/nonexistent/queries').detectors).toEqual([]);
  });
});
