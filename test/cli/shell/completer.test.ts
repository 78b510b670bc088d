import { describe, expect, it } from 'vitest';
import { type Catalog, complete, quoteIdentifier } from '../../../src/cli/shell/completer.js';

const catalog: Catalog = {
  relations: [
    {
      schema: null,
      name: 'events',
      kind: 'table',
      columns: ['event_id', 'event_time', 'actor', 'action', 'source'],
    },
    { schema: null, name: 'ingest_errors', kind: 'table', columns: ['origin', 'message'] },
    { schema: null, name: 'findings', kind: 'table', columns: ['id', 'detector', 'actor'] },
    { schema: null, name: 'cloudtrail', kind: 'view', columns: ['event_name', 'event_source'] },
    { schema: null, name: 'My Notes', kind: 'table', columns: ['Note Text'] },
    { schema: 'staging', name: 'raw_rows', kind: 'table', columns: ['line'] },
  ],
  keywords: ['select', 'from', 'where', 'group', 'order', 'by', 'limit', 'as', 'join', 'on', 'source'],
};

const hits = (line: string, pending = ''): string[] => complete(line, pending, catalog)[0];

describe('complete: SQL', () => {
  it('completes a table name and says which text it replaces', () => {
    expect(complete('select * from ingest_e', '', catalog)).toEqual([['ingest_errors'], 'ingest_e']);
  });

  it('lists every table and view after FROM or JOIN, even before a letter is typed', () => {
    expect(hits('select * from ')).toEqual([
      '"My Notes"',
      'cloudtrail',
      'events',
      'findings',
      'ingest_errors',
      'staging.raw_rows',
    ]);
    expect(hits('select * from events e join f')).toEqual(['findings']);
  });

  it('offers the columns of the tables the statement names, not of every table', () => {
    expect(hits('select act', 'from events')).toEqual(['action', 'actor']);
    expect(hits('select * from findings where det')).toEqual(['detector']);
    // Before any FROM, every column is fair game.
    expect(hits('select me')).toEqual(['message']);
  });

  it('completes columns after a table name or an alias and a dot', () => {
    expect(complete('select e.ev', 'from events e', catalog)).toEqual([
      ['e.event_id', 'e.event_time'],
      'e.ev',
    ]);
    expect(hits('select f.', 'from events as e join findings f on e.actor = f.actor')).toEqual([
      'f.actor',
      'f.detector',
      'f.id',
    ]);
    expect(hits('select events.sou')).toEqual(['events.source']);
    expect(hits('select nobody.x')).toEqual([]);
  });

  it("uses the statement's earlier lines to find tables and aliases", () => {
    expect(hits('  and t.ev', 'select *\nfrom events t\nwhere t.actor is not null')).toEqual([
      't.event_id',
      't.event_time',
    ]);
  });

  it('completes keywords in the case they are typed, lower case by default', () => {
    expect(hits('sel')).toEqual(['select']);
    expect(hits('SEL')).toEqual(['SELECT']);
    expect(hits('select * from events gr')).toEqual(['group']);
    // A name that is also a keyword is offered once.
    expect(hits('select sou', 'from events')).toEqual(['source']);
  });

  it('quotes names that need quoting', () => {
    expect(quoteIdentifier('events')).toBe('events');
    expect(quoteIdentifier('My Notes')).toBe('"My Notes"');
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
    expect(hits('select * from "My')).toEqual(['"My Notes"']);
    expect(hits('select "No', 'from "My Notes"')).toEqual(['"Note Text"']);
  });

  it('offers nothing inside string literals and comments, or for an empty word', () => {
    expect(hits("select * from events where actor = 'ev")).toEqual([]);
    expect(hits('select 1 -- from ev')).toEqual([]);
    expect(hits('select ')).toEqual([]);
  });

  it('does not take names inside literals for tables', () => {
    expect(hits("select * from ingest_errors where message = 'from findings' and det")).toEqual([]);
    expect(hits("select * from ingest_errors where message = 'from findings' and mes")).toEqual(['message']);
  });
});

describe('complete: dot commands', () => {
  it('completes dot commands at the start of a line', () => {
    expect(complete('.sch', '', catalog)).toEqual([['.schema'], '.sch']);
    expect(hits('.t')).toEqual(['.tables', '.timer']);
    expect(hits('.')).toContain('.detectors');
  });

  it('completes their arguments', () => {
    expect(complete('.mode js', '', catalog)).toEqual([['json'], 'js']);
    expect(hits('.timer o')).toEqual(['off', 'on']);
    expect(hits('.schema ev')).toEqual(['events']);
    expect(hits('.tables x')).toEqual([]);
  });

  it('treats a dot inside a statement being typed as SQL', () => {
    expect(hits('.sch', 'select 1')).toEqual([]);
  });
});
