/**
 * The shell's own commands: a line starting with `.` when no statement is being typed. Parsing is
 * pure; the shell runs what comes back.
 */

/** How results print: the query command's formats plus `line` (one `column = value` per line). */
export type ShellMode = 'table' | 'csv' | 'json' | 'ndjson' | 'line';
export const SHELL_MODES: readonly ShellMode[] = ['table', 'csv', 'json', 'ndjson', 'line'];

export type DotCommand =
  | { readonly kind: 'tables' }
  | { readonly kind: 'schema'; readonly name: string | null }
  | { readonly kind: 'detectors' }
  | { readonly kind: 'hunts' }
  | { readonly kind: 'mode'; readonly mode: ShellMode | null }
  | { readonly kind: 'timer'; readonly on: boolean | null }
  | { readonly kind: 'maxrows'; readonly rows: number | null }
  | { readonly kind: 'help' }
  | { readonly kind: 'quit' };

export type ParsedDotCommand =
  | { readonly ok: true; readonly command: DotCommand }
  | { readonly ok: false; readonly message: string };

interface DotCommandSpec {
  readonly name: string;
  readonly args: string;
  readonly help: string;
}

/** Every dot command with its usage, in the order `.help` shows them (also the completer's list). */
export const DOT_COMMANDS: readonly DotCommandSpec[] = [
  { name: '.tables', args: '', help: 'list tables and views' },
  { name: '.schema', args: '[TABLE]', help: 'show the CREATE statement of a table or view (all when none)' },
  { name: '.detectors', args: '', help: 'list detectors: id, severity, title' },
  { name: '.hunts', args: '', help: 'list saved hunts in queries/hunts/' },
  { name: '.mode', args: '[table|csv|json|ndjson|line]', help: 'set (or show) the output format' },
  { name: '.timer', args: '[on|off]', help: 'print each statement run time (on stderr)' },
  { name: '.maxrows', args: '[N]', help: 'rows shown in table and line modes; 0 shows all' },
  { name: '.help', args: '', help: 'this list' },
  { name: '.quit', args: '', help: 'leave the shell (also .exit, Ctrl-D)' },
  { name: '.exit', args: '', help: 'leave the shell' },
];

/** True when `line` is a dot command rather than SQL (only meaningful outside a statement). */
export function isDotCommand(line: string): boolean {
  return line.trimStart().startsWith('.');
}

/** Parses one dot-command line; unknown commands and bad arguments come back as a message. */
export function parseDotCommand(line: string): ParsedDotCommand {
  const words = splitArguments(line.trim());
  const name = (words[0] ?? '').toLowerCase();
  const args = words.slice(1);
  const fail = (message: string): ParsedDotCommand => ({ ok: false, message });
  const ok = (command: DotCommand): ParsedDotCommand => ({ ok: true, command });
  const noArgs = (command: DotCommand): ParsedDotCommand =>
    args.length === 0 ? ok(command) : fail(`${name} takes no arguments`);
  switch (name) {
    case '.tables':
      return noArgs({ kind: 'tables' });
    case '.schema':
      if (args.length > 1) return fail('usage: .schema [TABLE]');
      return ok({ kind: 'schema', name: args[0] ?? null });
    case '.detectors':
      return noArgs({ kind: 'detectors' });
    case '.hunts':
      return noArgs({ kind: 'hunts' });
    case '.mode': {
      if (args.length === 0) return ok({ kind: 'mode', mode: null });
      const mode = (args[0] ?? '').toLowerCase();
      if (args.length > 1 || !(SHELL_MODES as readonly string[]).includes(mode)) {
        return fail(`usage: .mode ${SHELL_MODES.join('|')}`);
      }
      return ok({ kind: 'mode', mode: mode as ShellMode });
    }
    case '.timer': {
      if (args.length === 0) return ok({ kind: 'timer', on: null });
      const value = (args[0] ?? '').toLowerCase();
      if (args.length > 1 || (value !== 'on' && value !== 'off')) return fail('usage: .timer on|off');
      return ok({ kind: 'timer', on: value === 'on' });
    }
    case '.maxrows': {
      if (args.length === 0) return ok({ kind: 'maxrows', rows: null });
      const value = args[0] ?? '';
      if (args.length > 1 || !/^\d+$/.test(value)) return fail('usage: .maxrows N (0 shows all rows)');
      return ok({ kind: 'maxrows', rows: Number(value) });
    }
    case '.help':
      return noArgs({ kind: 'help' });
    case '.quit':
    case '.exit':
      return noArgs({ kind: 'quit' });
    default:
      return fail(`unknown command ${words[0] ?? line.trim()}; .help lists the commands`);
  }
}

/** Words separated by blanks; a word in single or double quotes may hold blanks (`.schema "My View"`). */
export function splitArguments(text: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"]|"")*)"|'((?:[^']|'')*)'|(\S+)/g;
  for (const match of text.matchAll(pattern)) {
    if (match[1] !== undefined) words.push(match[1].replaceAll('""', '"'));
    else if (match[2] !== undefined) words.push(match[2].replaceAll("''", "'"));
    else words.push(match[3] ?? '');
  }
  return words;
}

/** The `.help` text. */
export function dotCommandHelp(): string {
  const usage = DOT_COMMANDS.map((c) => (c.args ? `${c.name} ${c.args}` : c.name));
  const width = Math.max(...usage.map((u) => u.length));
  const lines = DOT_COMMANDS.map((c, i) => `${(usage[i] ?? '').padEnd(width)}  ${c.help}`);
  return [
    ...lines,
    '',
    'SQL statements end with ";" and may span lines. Tab completes table, view and column names,',
    'SQL keywords and these commands. Ctrl-C cancels the statement being typed or run; Ctrl-D quits.',
    '',
  ].join('\n');
}
