import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  HISTORY_LIMIT,
  HistoryFile,
  historyEntry,
  historyFilePath,
  isRememberable,
} from '../../../src/cli/shell/history.js';

describe('historyFilePath', () => {
  it('defaults to ~/.auditlake_history, follows AUDITLAKE_HISTORY, and keeps none when it is empty', () => {
    expect(historyFilePath({}, '/home/dana')).toBe('/home/dana/.auditlake_history');
    expect(historyFilePath({ AUDITLAKE_HISTORY: '/srv/hist' }, '/home/dana')).toBe('/srv/hist');
    expect(historyFilePath({ AUDITLAKE_HISTORY: '' }, '/home/dana')).toBeNull();
  });
});

describe('historyEntry', () => {
  it('puts a multi-line statement on one line without its line comments', () => {
    const typed = 'select action, -- what\n  count(*) as n\nfrom events\ngroup by all;';
    expect(historyEntry(typed)).toBe('select action, count(*) as n from events group by all;');
  });

  it('keeps string literals byte for byte', () => {
    expect(historyEntry('select  \'a  b\',\n  "x  y";')).toBe('select \'a  b\', "x  y";');
  });
});

describe('isRememberable', () => {
  it('keeps ordinary statements', () => {
    expect(isRememberable('select 1;', 'select 1;')).toBe(true);
    expect(isRememberable('.tables', '.tables')).toBe(true);
  });

  it('never keeps what looks like a credential', () => {
    for (const entry of [
      "create secret (type s3, key_id 'AKIAIOSFODNN7EXAMPLE', secret 'wJalrXUtnFEMI');",
      'CREATE PERSISTENT SECRET s (TYPE gcs, TOKEN t);',
      "attach 'x.duckdb' as x (encryption_key 'correct-horse-battery');",
      "select * from events where actor = 'AKIAIOSFODNN7EXAMPLE';",
      "select 'Bearer abcdef0123456789abcdef';",
      "set variable password = 'hunter2!';",
    ]) {
      expect(isRememberable(entry, entry), entry).toBe(false);
    }
  });

  it('skips a statement typed with a leading space, and entries that span lines', () => {
    expect(isRememberable(' select 1;', 'select 1;')).toBe(false);
    expect(isRememberable("select 'a\nb';", "select 'a\nb';")).toBe(false);
  });
});

describe('HistoryFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auditlake-history-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends entries to an owner-only file and loads them newest first', () => {
    const path = join(dir, 'hist');
    const history = new HistoryFile(path);
    expect(history.load()).toEqual([]);
    history.append('select 1;');
    history.append('.tables');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe('select 1;\n.tables\n');
    expect(new HistoryFile(path).load()).toEqual(['.tables', 'select 1;']);
  });

  it('tightens a history file others can read, and drops secret lines found in it', () => {
    const path = join(dir, 'hist');
    writeFileSync(path, "select 1;\nselect 'AKIAIOSFODNN7EXAMPLE';\n");
    chmodSync(path, 0o644);
    expect(new HistoryFile(path).load()).toEqual(['select 1;']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('trims a file that has grown past twice the limit', () => {
    const path = join(dir, 'hist');
    const lines = Array.from({ length: 2 * HISTORY_LIMIT + 5 }, (_, i) => `select ${i};`);
    writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o600 });
    const loaded = new HistoryFile(path).load();
    expect(loaded).toHaveLength(HISTORY_LIMIT);
    expect(loaded[0]).toBe(`select ${2 * HISTORY_LIMIT + 4};`);
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(HISTORY_LIMIT);
  });

  it('warns once, and carries on, when the file cannot be written', () => {
    const warnings: string[] = [];
    const history = new HistoryFile(join(dir, 'missing-dir', 'hist'), (m) => warnings.push(m));
    history.append('select 1;');
    history.append('select 2;');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/cannot write the history file/);
  });
});
