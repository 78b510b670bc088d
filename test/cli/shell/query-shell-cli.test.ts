import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../../src/cli/commands/query.js';
import { openStore } from '../../../src/store/open-store.js';
import { ingest, trailRecord } from '../../detect/helpers.js';

/** Cursor-movement escapes readline draws with, stripped to read the screen as text. */
const ANSI_ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');

/** `auditlake` from source, as detection-cli.test.ts runs it (no build needed). */
const CLI = [process.execPath, '--import', 'tsx', 'src/cli/main.ts'];

let dir: string;
let db: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-shell-cli-'));
  db = join(dir, 'store.duckdb');
  const store = await openStore({ path: db });
  await ingest(store, [trailRecord(1), trailRecord(2), trailRecord(3)]);
  store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('auditlake query SQL', () => {
  it("returns the last statement's rows when given several", async () => {
    const result = await runQuery(
      db,
      "set variable w = 5;\nselect getvariable('w') as w, count(*) as n from events -- done",
    );
    expect(result).toEqual({ columns: ['w', 'n'], rows: [{ w: 5, n: '3' }] });
  });
});

describe('auditlake query without SQL', () => {
  it('reads statements from a piped stdin and prints only results', () => {
    const [node = process.execPath, ...args] = CLI;
    const run = spawnSync(node, [...args, '--db', db, 'query', '--format', 'csv'], {
      input: 'select count(*) as n\nfrom events;\nselect nope;\nselect 5 as five\n',
      encoding: 'utf8',
    });
    expect(run.stdout).toBe('n\n3\nfive\n5\n');
    expect(run.stderr).toMatch(/^Error: Binder Error: Referenced column "nope"/);
    expect(run.status).toBe(1);
  });
});

/** `script` (util-linux) gives the CLI a pseudo-terminal, so readline runs as it does for a person. */
const SCRIPT = spawnSync('script', ['--version'], { encoding: 'utf8' });
const haveScript = SCRIPT.status === 0 && /util-linux/.test(SCRIPT.stdout);

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

describe.skipIf(!haveScript)('auditlake query at a pseudo-terminal (needs util-linux script)', () => {
  it('prompts, completes a table name on Tab, runs it, keeps history and quits on Ctrl-D', async () => {
    const history = join(dir, 'pty-history');
    const command = [...CLI, '--db', db, 'query'].map(shellQuote).join(' ');
    const child: ChildProcess = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { ...process.env, AUDITLAKE_HISTORY: history },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let raw = '';
    let seen = 0;
    child.stdout?.on('data', (chunk: Buffer) => {
      raw += chunk.toString('utf8');
    });
    const screenText = (): string => raw.replace(ANSI_ESCAPE, '');
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const waitFor = async (text: string): Promise<void> => {
      // A deadline turns a hang into a failure that shows the screen; nothing here measures time.
      // Generous: the first prompt waits for tsx to compile the CLI on a machine shared with other jobs.
      const deadline = Date.now() + 90_000;
      for (;;) {
        const screen = screenText();
        const at = screen.indexOf(text, seen);
        if (at !== -1) {
          seen = at + text.length;
          return;
        }
        if (Date.now() > deadline)
          throw new Error(`never saw ${JSON.stringify(text)}; screen: ${JSON.stringify(screen)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const type = (keys: string): void => {
      child.stdin?.write(keys);
    };
    try {
      await waitFor('auditlake> ');
      type('select count(*) as n from ingest_e\t');
      await waitFor('from ingest_errors');
      type(';\r');
      await waitFor('(1 row)');
      type('\x04');
      expect(await exited).toBe(0);
    } finally {
      child.kill();
    }
    expect(screenText()).toContain('auditlake query shell on');
    expect(readFileSync(history, 'utf8')).toBe('select count(*) as n from ingest_errors;\n');
    expect(statSync(history).mode & 0o777).toBe(0o600);
  }, 180_000);
});
