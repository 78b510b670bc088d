import { describe, expect, it } from 'vitest';
import { dotCommandHelp, parseDotCommand, splitArguments } from '../../../src/cli/shell/dot-commands.js';

describe('parseDotCommand', () => {
  it('parses each command and its arguments', () => {
    expect(parseDotCommand('.tables')).toEqual({ ok: true, command: { kind: 'tables' } });
    expect(parseDotCommand('.schema')).toEqual({ ok: true, command: { kind: 'schema', name: null } });
    expect(parseDotCommand('  .schema events  ')).toEqual({
      ok: true,
      command: { kind: 'schema', name: 'events' },
    });
    expect(parseDotCommand('.schema "My Notes"')).toEqual({
      ok: true,
      command: { kind: 'schema', name: 'My Notes' },
    });
    expect(parseDotCommand('.MODE JSON')).toEqual({ ok: true, command: { kind: 'mode', mode: 'json' } });
    expect(parseDotCommand('.mode')).toEqual({ ok: true, command: { kind: 'mode', mode: null } });
    expect(parseDotCommand('.timer on')).toEqual({ ok: true, command: { kind: 'timer', on: true } });
    expect(parseDotCommand('.timer off')).toEqual({ ok: true, command: { kind: 'timer', on: false } });
    expect(parseDotCommand('.maxrows 0')).toEqual({ ok: true, command: { kind: 'maxrows', rows: 0 } });
    expect(parseDotCommand('.detectors')).toEqual({ ok: true, command: { kind: 'detectors' } });
    expect(parseDotCommand('.hunts')).toEqual({ ok: true, command: { kind: 'hunts' } });
    expect(parseDotCommand('.help')).toEqual({ ok: true, command: { kind: 'help' } });
    expect(parseDotCommand('.quit')).toEqual({ ok: true, command: { kind: 'quit' } });
    expect(parseDotCommand('.exit')).toEqual({ ok: true, command: { kind: 'quit' } });
  });

  it('says what is wrong with unknown commands and bad arguments', () => {
    expect(parseDotCommand('.tabels')).toEqual({
      ok: false,
      message: 'unknown command .tabels; .help lists the commands',
    });
    expect(parseDotCommand('.mode xml')).toEqual({
      ok: false,
      message: 'usage: .mode table|csv|json|ndjson|line',
    });
    expect(parseDotCommand('.timer maybe')).toEqual({ ok: false, message: 'usage: .timer on|off' });
    expect(parseDotCommand('.maxrows -1')).toMatchObject({ ok: false });
    expect(parseDotCommand('.tables events')).toEqual({ ok: false, message: '.tables takes no arguments' });
    expect(parseDotCommand('.schema a b')).toEqual({ ok: false, message: 'usage: .schema [TABLE]' });
  });
});

describe('splitArguments', () => {
  it('splits on blanks and keeps quoted words whole', () => {
    expect(splitArguments(`.schema "a ""b"" c" 'it''s' plain`)).toEqual([
      '.schema',
      'a "b" c',
      "it's",
      'plain',
    ]);
  });
});

describe('dotCommandHelp', () => {
  it('lists every command with its usage', () => {
    const help = dotCommandHelp();
    for (const usage of [
      '.tables',
      '.schema [TABLE]',
      '.detectors',
      '.hunts',
      '.mode [table|csv|json|ndjson|line]',
      '.timer [on|off]',
      '.quit',
    ]) {
      expect(help).toContain(usage);
    }
  });
});
