import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { restrictForDetection } from '../../src/detect/detection-connection.js';
import { loadDetectors } from '../../src/detect/load-detectors.js';
import { UsageError } from '../../src/errors.js';
import { resolveHuntParams } from '../../src/hunt/hunt-params.js';
import { loadHunts } from '../../src/hunt/load-hunts.js';
import { huntWindow, runHunt } from '../../src/hunt/run-hunt.js';
import { openStore } from '../../src/store/open-store.js';
import { queriesRoot } from '../detect/helpers.js';

function hunt(id: string, lines: string[], body = 'select 1 as one'): Record<string, string> {
  const header = ['-- ---', `-- id: ${id}`, ...lines.map((l) => `-- ${l}`), '-- ---', body, ''].join('\n');
  return { [`hunts/${id}.sql`]: header };
}

const TYPED = [
  'title: Typed',
  'description: Every param type.',
  'window: 7d',
  'params:',
  '  who: { type: string, description: a principal }',
  '  n: { type: integer, description: a count, default: 5 }',
  '  ratio: { type: number, description: a ratio, default: 0.5 }',
  '  flag: { type: boolean, description: a switch, default: false }',
  '  at: { type: timestamp, description: an instant, default: "2026-11-01" }',
];

const TYPED_SQL = `select
  getvariable('who') as who, typeof(getvariable('who')) as who_type,
  getvariable('n') + 1 as next, typeof(getvariable('n')) as n_type,
  getvariable('ratio') * 2 as double_ratio,
  not getvariable('flag') as not_flag,
  getvariable('at') + interval 1 day as day_after,
  getvariable('window_end') - getvariable('window_start') as span`;

describe('hunt files', () => {
  it('loads hunts from queries/hunts/, which the detector loader skips', () => {
    const root = queriesRoot({
      ...hunt('typed', TYPED, TYPED_SQL),
      ...hunt('wrong-id', ['title: T', 'description: D']),
      'hunts/wrong-name.sql': hunt('other', ['title: T', 'description: D'])['hunts/other.sql'] ?? '',
      ...hunt('bad-default', [
        'title: T',
        'description: D',
        'params:',
        '  n: { type: integer, description: n, default: "x" }',
      ]),
      ...hunt('reserved', [
        'title: T',
        'description: D',
        'params:',
        '  window_start: { type: string, description: no }',
      ]),
      ...hunt('severity', ['title: T', 'description: D', 'severity: high']),
    });
    const detectors = loadDetectors(root);
    expect(detectors.detectors).toEqual([]);
    expect(detectors.problems).toEqual([]);
    const loaded = loadHunts(join(root, 'hunts'));
    expect(loaded.hunts.map((h) => h.id)).toEqual(['typed', 'wrong-id']);
    const problems = Object.fromEntries(
      loaded.problems.map((p) => [p.id, p.issues.map((i) => `${i.key}: ${i.message}`)]),
    );
    expect(problems['wrong-name']).toEqual([
      'id: "other" does not match the file name; expected "wrong-name"',
    ]);
    expect(problems['bad-default']).toEqual(['params.n.default: the default is not of type integer']);
    expect(problems.reserved?.[0]).toMatch(/^params\.window_start: /);
    expect(problems.severity).toEqual(['severity: unknown key']);
  });

  it('converts --param values to their declared types and binds them typed', async () => {
    const root = queriesRoot(hunt('typed', TYPED, TYPED_SQL));
    const [typed] = loadHunts(join(root, 'hunts')).hunts;
    if (!typed) throw new Error('not loaded');
    expect(() => resolveHuntParams(typed, {})).toThrow(UsageError);
    expect(() => resolveHuntParams(typed, { who: 'x', flag: 'maybe' })).toThrow(/is not a boolean/);
    expect(() => resolveHuntParams(typed, { who: 'x', at: 'yesterday' })).toThrow(/is not a timestamp/);
    expect(() => resolveHuntParams(typed, { who: 'x', n: '1.5' })).toThrow(/is not an integer/);
    const params = resolveHuntParams(typed, { who: "it's; a -- test", n: '41', flag: 'yes' });
    const window = huntWindow(typed, undefined, new Date('2026-11-08T00:00:00Z'), new Date());
    expect(window.start.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    const store = await openStore({ path: ':memory:' });
    try {
      await restrictForDetection(store.connection);
      const result = await runHunt(store.connection, typed, { window, params });
      expect(result.rows).toHaveLength(1);
      expect(result.rows[0]).toMatchObject({
        who: "it's; a -- test",
        who_type: 'VARCHAR',
        next: 42,
        n_type: 'BIGINT',
        double_ratio: 1,
        not_flag: false,
        day_after: new Date('2026-11-02T00:00:00Z'),
        span: '7 days',
      });
      // Variables do not outlive the run.
      const left = await store.connection.runAndReadAll(
        "select getvariable('who'), getvariable('window_start')",
      );
      expect(left.getRows()).toEqual([[null, null]]);
    } finally {
      store.close();
    }
  });

  it('runs only a single SELECT', async () => {
    const root = queriesRoot({
      ...hunt('copy', ['title: T', 'description: D'], "copy (select 1) to '/tmp/auditlake-hunt-copy.csv'"),
      ...hunt('two', ['title: T', 'description: D'], 'select 1; select 2'),
      ...hunt('attach', ['title: T', 'description: D'], "attach '/tmp/x.duckdb' as x"),
    });
    const store = await openStore({ path: ':memory:' });
    try {
      await restrictForDetection(store.connection);
      const window = { start: new Date(0), end: new Date() };
      const byId = Object.fromEntries(loadHunts(join(root, 'hunts')).hunts.map((h) => [h.id, h]));
      const run = (id: string) => {
        const h = byId[id];
        if (!h) throw new Error(`no ${id}`);
        return runHunt(store.connection, h, { window, params: {} });
      };
      await expect(run('copy')).rejects.toThrow(/refused: the statement is COPY, not a SELECT/);
      await expect(run('two')).rejects.toThrow(/holds 2 SQL statements/);
      await expect(run('attach')).rejects.toThrow(/refused: the statement is ATTACH/);
    } finally {
      store.close();
    }
  });
});
