import { describe, expect, it } from 'vitest';
import { isBlankStatement, lexSql, splitStatements } from '../../../src/cli/shell/statement-splitter.js';

describe('splitStatements', () => {
  it('ends a statement at a semicolon and keeps what follows as the unfinished rest', () => {
    expect(splitStatements('select 1; select 2;')).toEqual({
      statements: ['select 1;', 'select 2;'],
      rest: '',
    });
    expect(splitStatements('select 1; select')).toEqual({ statements: ['select 1;'], rest: ' select' });
    expect(splitStatements('select *\nfrom events\nwhere source = ')).toEqual({
      statements: [],
      rest: 'select *\nfrom events\nwhere source = ',
    });
  });

  it('joins a statement typed over several lines', () => {
    const text = ['select action,', '  count(*) as n', 'from events', 'group by all;'].join('\n');
    expect(splitStatements(text).statements).toEqual([text]);
  });

  it('ignores semicolons inside string literals, doubled quotes included', () => {
    expect(splitStatements("select 'a;b';").statements).toEqual(["select 'a;b';"]);
    expect(splitStatements("select 'it''s; fine';").statements).toEqual(["select 'it''s; fine';"]);
    expect(splitStatements("select 'open;\nstill open;")).toEqual({
      statements: [],
      rest: "select 'open;\nstill open;",
    });
  });

  it('honours backslash escapes only in E strings', () => {
    expect(splitStatements("select E'a\\';b';").statements).toEqual(["select E'a\\';b';"]);
    // In a plain string a backslash is an ordinary character: the quote after it closes the literal.
    expect(splitStatements("select 'a\\'; select 2;").statements).toEqual(["select 'a\\';", 'select 2;']);
    // `table'` is a name followed by a quote, not an E string.
    expect(splitStatements("select code'a\\';").statements).toEqual(["select code'a\\';"]);
  });

  it('ignores semicolons inside quoted identifiers', () => {
    expect(splitStatements('select 1 as "a;b";').statements).toEqual(['select 1 as "a;b";']);
    expect(splitStatements('select 1 as "x"";y";').statements).toEqual(['select 1 as "x"";y";']);
  });

  it('ignores semicolons in line comments and (nested) block comments', () => {
    expect(splitStatements('select 1 -- not; the end\n;').statements).toEqual([
      'select 1 -- not; the end\n;',
    ]);
    expect(splitStatements('select /* a; /* nested; */ still; */ 1;').statements).toEqual([
      'select /* a; /* nested; */ still; */ 1;',
    ]);
    expect(splitStatements('select /* open;')).toEqual({ statements: [], rest: 'select /* open;' });
  });

  it('ignores semicolons in dollar-quoted strings but treats $1 parameters as code', () => {
    expect(splitStatements('select $$a;b$$;').statements).toEqual(['select $$a;b$$;']);
    expect(splitStatements('select $tag$ $$; $tag$;').statements).toEqual(['select $tag$ $$; $tag$;']);
    expect(splitStatements('select $1; select 2;').statements).toEqual(['select $1;', 'select 2;']);
  });

  it('drops empty statements and leaves nothing pending for a comment alone', () => {
    expect(splitStatements(';; select 1;;')).toEqual({ statements: ['select 1;'], rest: '' });
    expect(splitStatements('-- just a note')).toEqual({ statements: [], rest: '' });
    expect(splitStatements('select 1; -- trailing note')).toEqual({ statements: ['select 1;'], rest: '' });
    expect(splitStatements('/* a note */')).toEqual({ statements: [], rest: '' });
  });
});

describe('lexSql', () => {
  it('reports the construct left open at the end of the text', () => {
    expect(lexSql('select 1').open).toBe('code');
    expect(lexSql("select 'abc").open).toBe('string');
    expect(lexSql('select "ab').open).toBe('identifier');
    expect(lexSql('select 1 -- note').open).toBe('line-comment');
    expect(lexSql('select /* x').open).toBe('block-comment');
    expect(lexSql('select $$ x').open).toBe('dollar-string');
  });

  it('covers the whole text with contiguous segments', () => {
    const text = 'select \'a\' as "b" -- c\n/* d */ from t';
    const { segments } = lexSql(text);
    expect(segments.map((s) => text.slice(s.start, s.end)).join('')).toBe(text);
    expect(segments.map((s) => s.kind)).toEqual([
      'code',
      'string',
      'code',
      'identifier',
      'code',
      'line-comment',
      'code',
      'block-comment',
      'code',
    ]);
  });
});

describe('isBlankStatement', () => {
  it('is true only for whitespace, comments and semicolons', () => {
    expect(isBlankStatement(' ; -- x\n /* y */ ;')).toBe(true);
    expect(isBlankStatement("';'")).toBe(false);
    expect(isBlankStatement('select 1')).toBe(false);
  });
});
