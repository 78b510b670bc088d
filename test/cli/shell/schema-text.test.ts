import { describe, expect, it } from 'vitest';
import { formatCreateStatement, formatViewDefinition } from '../../../src/cli/shell/schema-text.js';

describe('formatCreateStatement', () => {
  it('puts each column and constraint of a CREATE TABLE on its own line', () => {
    const sql =
      'CREATE TABLE runs(id BIGINT PRIMARY KEY, kind VARCHAR DEFAULT(\'a,b\'), amount DECIMAL(10,2), "odd, name" INTEGER, CHECK((amount > 0)));';
    expect(formatCreateStatement(sql)).toBe(
      [
        'CREATE TABLE runs (',
        '  id BIGINT PRIMARY KEY,',
        "  kind VARCHAR DEFAULT('a,b'),",
        '  amount DECIMAL(10,2),',
        '  "odd, name" INTEGER,',
        '  CHECK((amount > 0))',
        ');',
      ].join('\n'),
    );
  });

  it('leaves views and anything unusual as DuckDB wrote them', () => {
    const view = 'CREATE VIEW v AS SELECT a, b FROM t;';
    expect(formatCreateStatement(view)).toBe(view);
    expect(formatCreateStatement('CREATE TABLE broken(a INTEGER')).toBe('CREATE TABLE broken(a INTEGER');
  });
});

describe('formatViewDefinition', () => {
  it('lists the columns and their types before the CREATE VIEW statement', () => {
    const text = formatViewDefinition('CREATE VIEW v AS SELECT 1 AS a, \'x\' AS "Long Name";', [
      { name: 'a', type: 'INTEGER' },
      { name: 'Long Name', type: 'VARCHAR' },
    ]);
    expect(text).toBe(
      [
        '-- columns:',
        '--   a            INTEGER',
        '--   "Long Name"  VARCHAR',
        'CREATE VIEW v AS SELECT 1 AS a, \'x\' AS "Long Name";',
      ].join('\n'),
    );
  });
});
