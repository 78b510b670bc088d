import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShellMode } from '../../../src/cli/shell/dot-commands.js';
import { HistoryFile } from '../../../src/cli/shell/history.js';
import { CONTINUATION_PROMPT, PROMPT, runShell } from '../../../src/cli/shell/shell.js';
import { defaultQueriesRoot } from '../../../src/detect/load-detectors.js';
import { openStore, type Store } from '../../../src/store/open-store.js';
import { ingest, trailRecord } from '../../detect/helpers.js';

/** Cursor-movement escapes readline draws with, stripped to read the screen as text. */
const ANSI_ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');

let dir: string;
let db: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-shell-'));
  db = join(dir, 'store.duckdb');
  const store = await openStore({ path: db });
  await ingest(store, [
    trailRecord(1),
    trailRecord(2, { eventName: 'StopLogging' }),
    trailRecord(3, { eventName: 'StopLogging' }),
  ]);
  store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function collect(stream: PassThrough): { text: () => string } {
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return { text: () => text };
}

async function withStore<T>(run: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ path: db, readOnly: true });
  try {
    return await run(store);
  } finally {
    store.close();
  }
}

/** Runs the shell as `echo ... | auditlake query` does: statements from a pipe, no prompts. */
async function piped(
  input: string,
  options: { mode?: ShellMode; queriesRoot?: string } = {},
): Promise<{ code: number; out: string; err: string }> {
  return withStore(async (store) => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out = collect(stdout);
    const err = collect(stderr);
    stdin.end(input);
    const code = await runShell({
      connection: store.connection,
      input: stdin,
      output: stdout,
      messages: stderr,
      interactive: false,
      mode: options.mode ?? 'json',
      history: null,
      queriesRoot: options.queriesRoot ?? defaultQueriesRoot(),
    });
    return { code, out: out.text(), err: err.text() };
  });
}

/** Splits the concatenated JSON arrays the shell prints in json mode, one per statement. */
function jsonResults(text: string): unknown[] {
  return text
    .split(/(?<=^\])\n/m)
    .filter((part) => part.trim() !== '')
    .map((part) => JSON.parse(part) as unknown);
}

describe('the shell reading statements from a pipe', () => {
  it('runs multi-line statements, dot commands, switches modes, and carries on after an error', async () => {
    const script = [
      'select action,',
      '  count(*) as n -- a comment; not the end',
      'from events',
      'group by all',
      'order by action;',
      '.tables',
      '.schema events',
      'select nope from events;',
      "select 'still here' as status;",
      '.mode csv',
      "select 1 as a, 'x;y' as b;",
      '',
    ].join('\n');
    const { code, out, err } = await piped(script);
    const [counts, tables, ...rest] = out.split(/(?<=^\])\n/m);
    expect(JSON.parse(counts ?? '')).toEqual([
      { action: 'DeleteTrail', n: '1' },
      { action: 'StopLogging', n: '2' },
    ]);
    const relations = JSON.parse(tables ?? '') as { name: string; type: string }[];
    expect(relations).toContainEqual({ name: 'events', type: 'table' });
    expect(relations).toContainEqual({ name: 'ingest_errors', type: 'table' });
    expect(relations.every((r) => r.type === 'table' || r.type === 'view')).toBe(true);
    const after = rest.join('\n');
    expect(after).toMatch(/^CREATE TABLE events \(\n {2}event_id VARCHAR NOT NULL,\n/);
    expect(after).toContain('  raw JSON,\n');
    expect(after).toContain('[\n  {\n    "status": "still here"\n  }\n]\n');
    expect(after.endsWith('a,b\n1,x;y\n')).toBe(true);
    expect(err).toMatch(/^Error: Binder Error: Referenced column "nope" not found/);
    expect(err.split('\n').filter((l) => l.startsWith('Error')).length).toBe(1);
    // The session had an error: a script piping statements in can tell.
    expect(code).toBe(1);
  });

  it('exits 0 when every statement ran, and runs a last statement that lacks its semicolon', async () => {
    const { code, out, err } = await piped('select 1 as one;\nselect 2 as two');
    expect(err).toBe('');
    expect(jsonResults(out)).toEqual([[{ one: 1 }], [{ two: 2 }]]);
    expect(code).toBe(0);
  });

  it('prints rows as records in line mode and limits what table and line modes show', async () => {
    const { out, err } = await piped(
      [
        '.mode line',
        "select event_id, action from events where event_id = 'evt-2';",
        '.maxrows 2',
        '.mode table',
        'select x from range(5) t(x) order by x;',
        '.mode json',
        'select count(*)::int as n from range(5);',
      ].join('\n'),
    );
    expect(out).toContain('event_id = evt-2\n  action = StopLogging\n');
    expect(out).toContain('x\n-\n0\n1\n(2 rows)\n');
    expect(err).toContain('(only the first 2 rows are shown; .maxrows 0 shows all)');
    // Machine formats are exports: never cut.
    expect(out.endsWith('[\n  {\n    "n": 5\n  }\n]\n')).toBe(true);
  });

  it('lists detectors with id, severity and title', async () => {
    const { out } = await piped('.detectors\n');
    const detectors = JSON.parse(out) as { id: string; severity: string; title: string }[];
    expect(detectors.find((d) => d.id === 'aws/root-account-usage')).toMatchObject({
      severity: expect.stringMatching(/^(info|low|medium|high|critical)$/),
      title: expect.any(String),
    });
    expect(Object.keys(detectors[0] ?? {})).toEqual(['id', 'severity', 'title']);
  });

  it('lists saved hunts when queries/hunts exists, and says so when it does not', async () => {
    const root = join(dir, 'queries');
    mkdirSync(join(root, 'hunts'), { recursive: true });
    writeFileSync(
      join(root, 'hunts', 'principal-activity.sql'),
      "-- ---\n-- title: 'Everything one principal did'\n",
    );
    writeFileSync(join(root, 'hunts', 'by-ip.sql'), 'select 1;\n');
    const listed = await piped('.hunts\n', { queriesRoot: root });
    expect(JSON.parse(listed.out)).toEqual([
      { id: 'by-ip', title: '' },
      { id: 'principal-activity', title: 'Everything one principal did' },
    ]);
    const none = await piped('.hunts\n', { queriesRoot: join(dir, 'no-queries') });
    expect(none.out).toBe('');
    expect(none.err).toMatch(/no saved hunts: .*hunts does not exist/);
  });

  it('reports unknown dot commands and bad arguments, then keeps going', async () => {
    const { code, out, err } = await piped('.tabels\n.mode xml\nselect 3 as three;\n');
    expect(err).toBe(
      'unknown command .tabels; .help lists the commands\nusage: .mode table|csv|json|ndjson|line\n',
    );
    expect(JSON.parse(out)).toEqual([{ three: 3 }]);
    expect(code).toBe(1);
  });

  it('reports run times with .timer on, on the message stream', async () => {
    const { out, err } = await piped('.timer on\nselect 1 as a;\n.timer off\nselect 2 as b;\n');
    expect(err).toMatch(/^Run Time: \d+\.\d{3} s\n$/);
    expect(jsonResults(out)).toEqual([[{ a: 1 }], [{ b: 2 }]]);
  });

  it('shows a view with its columns, and knows about views created in the session', async () => {
    const { code, out, err } = await piped(
      [
        'create temp view recent as select event_id, action from events;',
        '.schema recent',
        '.schema nothing_here',
        '.tables',
      ].join('\n'),
    );
    expect(out).toContain(
      '-- columns:\n--   event_id  VARCHAR\n--   action    VARCHAR\nCREATE TEMP VIEW recent AS SELECT',
    );
    expect(JSON.parse(out.slice(out.indexOf('\n[') + 1))).toContainEqual({ name: 'recent', type: 'view' });
    expect(err).toBe('no table or view named nothing_here; .tables lists them\n');
    expect(code).toBe(1);
  });

  it('stops at .quit', async () => {
    const { out } = await piped('select 1 as a;\n.quit\nselect 2 as b;\n');
    expect(jsonResults(out)).toEqual([[{ a: 1 }]]);
  });
});

/** A terminal session driven key by key through readline's terminal mode. */
class Session {
  readonly stdin = new PassThrough();
  private readonly screen = new PassThrough();
  private readonly errors = new PassThrough();
  private readonly screenText = collect(this.screen);
  private readonly errorText = collect(this.errors);
  private seen = 0;
  readonly done: Promise<number>;

  constructor(store: Store, history: HistoryFile | null) {
    this.done = runShell({
      connection: store.connection,
      input: this.stdin,
      output: this.screen,
      messages: this.errors,
      interactive: true,
      terminal: this.screen,
      mode: 'table',
      history,
      queriesRoot: defaultQueriesRoot(),
      banner: 'test shell',
    });
  }

  /** The screen without cursor-movement escapes. */
  get text(): string {
    return this.screenText.text().replace(ANSI_ESCAPE, '');
  }

  get messages(): string {
    return this.errorText.text();
  }

  type(keys: string): void {
    this.stdin.write(keys);
  }

  /**
   * Waits until `text` appears on the screen after what earlier waits consumed. The deadline only
   * turns a hang into a failure that shows the screen; nothing here measures time.
   */
  async waitFor(text: string, where: 'screen' | 'messages' = 'screen'): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const all = where === 'screen' ? this.text : this.messages;
      const at = all.indexOf(text, where === 'screen' ? this.seen : 0);
      if (at !== -1) {
        if (where === 'screen') this.seen = at + text.length;
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `never saw ${JSON.stringify(text)}; screen: ${JSON.stringify(this.text)}; messages: ${JSON.stringify(this.messages)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

describe('the shell at a terminal', () => {
  it('completes names with Tab, including tables created in the session', async () => {
    await withStore(async (store) => {
      const session = new Session(store, null);
      await session.waitFor(PROMPT);
      session.type('select count(*) from ingest_e\t');
      await session.waitFor('ingest_errors');
      session.type(';\r');
      await session.waitFor('(1 row)');

      session.type('create temp table notes as select 1 as note_id;\r');
      await session.waitFor('note_id;');
      await session.waitFor(PROMPT);
      session.type('select note_\t');
      await session.waitFor('note_id');
      session.type(' from notes;\r');
      await session.waitFor('(1 row)');

      session.type('.sch\t');
      await session.waitFor('.schema');
      session.type(' notes\r');
      await session.waitFor('note_id INTEGER');
      session.type('\x04');
      expect(await session.done).toBe(0);
      expect(session.messages).toBe('');
    });
  });

  it('prompts for continuation, recalls a whole statement with Up, and keeps secrets out of the history file', async () => {
    const historyPath = join(dir, 'history');
    writeFileSync(historyPath, '.tables\n', { mode: 0o644 });
    await withStore(async (store) => {
      const session = new Session(store, new HistoryFile(historyPath));
      await session.waitFor(PROMPT);
      session.type('select 1 as a,\r');
      await session.waitFor(CONTINUATION_PROMPT);
      session.type('  2 as b;\r');
      await session.waitFor('(1 row)');
      session.type("select 'AKIAIOSFODNN7EXAMPLE' as key_id;\r");
      await session.waitFor('(1 row)');
      session.type('\x1b[A\x1b[A');
      await session.waitFor('select 1 as a, 2 as b;');
      session.type('\r');
      await session.waitFor('(1 row)');
      // Running the statement just run again adds nothing.
      session.type('\x1b[A\r');
      await session.waitFor('(1 row)');
      // The history loaded from the file is there too.
      session.type('\x1b[A\x1b[A\x1b[A\x1b[A');
      await session.waitFor('.tables');
      session.type('\x04');
      expect(await session.done).toBe(0);
    });
    expect(readFileSync(historyPath, 'utf8')).toBe(
      '.tables\nselect 1 as a, 2 as b;\nselect 1 as a, 2 as b;\n',
    );
    expect(statSync(historyPath).mode & 0o777).toBe(0o600);
  });

  it('clears the statement being typed on Ctrl-C', async () => {
    await withStore(async (store) => {
      const session = new Session(store, null);
      await session.waitFor(PROMPT);
      session.type('select\r');
      await session.waitFor(CONTINUATION_PROMPT);
      session.type('1 as abandoned\x03');
      await session.waitFor('^C');
      await session.waitFor(PROMPT);
      session.type('select 7 as seven;\r');
      await session.waitFor('seven');
      await session.waitFor('(1 row)');
      session.type('.quit\r');
      expect(await session.done).toBe(0);
      // Had the abandoned lines stayed, "select\n1 as abandoned\nselect 7 ..." would be an error.
      expect(session.messages).toBe('');
    });
  });

  it('cancels a running query on Ctrl-C and stays usable', async () => {
    await withStore(async (store) => {
      const session = new Session(store, null);
      await session.waitFor(PROMPT);
      session.type('select count(*) from range(1000000000000) t(x) where x % 7 = 3;\r');
      // Ctrl-C until the query is seen cancelled: one pressed before it starts only clears a line.
      const presses = setInterval(() => session.type('\x03'), 50);
      try {
        await session.waitFor('query cancelled', 'messages');
      } finally {
        clearInterval(presses);
      }
      session.type('select 1 as after;\r');
      await session.waitFor('after');
      await session.waitFor('(1 row)');
      session.type('\x04');
      expect(await session.done).toBe(0);
      expect(session.messages).not.toMatch(/Error/);
    });
  });
});
