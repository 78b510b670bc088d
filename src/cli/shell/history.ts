import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, restrictToOwner, writePrivateFile } from '../../util/private-files.js';
import { redact } from '../../util/redact.js';
import { lexSql } from './statement-splitter.js';

export const HISTORY_ENV = 'AUDITLAKE_HISTORY';
export const HISTORY_FILE_NAME = '.auditlake_history';
/** Entries kept; the file is trimmed back to this when it has grown to twice as many. */
export const HISTORY_LIMIT = 1000;

/** The history file: $AUDITLAKE_HISTORY, else ~/.auditlake_history; null (none kept) when the variable is empty. */
export function historyFilePath(
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string | null {
  const override = env[HISTORY_ENV];
  if (override !== undefined) return override.trim() === '' ? null : override;
  return join(home, HISTORY_FILE_NAME);
}

/**
 * One history entry for a whole statement typed over several lines, so Up brings the statement
 * back at once: line comments dropped (joined onto one line they would swallow the rest) and
 * line breaks outside literals turned into spaces.
 */
export function historyEntry(text: string): string {
  const { segments } = lexSql(text);
  let out = '';
  let run = '';
  // Whitespace is collapsed only in runs of code and comments; literals stay byte for byte.
  const flush = (): void => {
    out += run.replace(/\s+/g, ' ');
    run = '';
  };
  for (const s of segments) {
    const piece = text.slice(s.start, s.end);
    if (s.kind === 'line-comment') run += ' ';
    else if (s.kind === 'code' || s.kind === 'block-comment') run += piece;
    else {
      flush();
      out += piece;
    }
  }
  flush();
  return out.trim();
}

/** DuckDB's CREATE SECRET carries cloud credentials whatever its key names look like. */
const CREATE_SECRET = /\bcreate\s+(?:or\s+replace\s+)?(?:persistent\s+|temp(?:orary)?\s+)?secret\b/i;

/**
 * Whether an entry may be written to the history file: never anything that looks like a
 * credential (the same detection that masks them in messages, plus CREATE SECRET), and never a
 * line typed with a leading space (the shell convention for "do not remember this").
 */
export function isRememberable(typed: string, entry: string): boolean {
  if (entry === '' || /^\s/.test(typed)) return false;
  if (entry.includes('\n')) return false;
  if (CREATE_SECRET.test(entry)) return false;
  return redact(entry) === entry;
}

/** The persisted history: read once at start, appended to as statements are entered. */
export class HistoryFile {
  private warned = false;
  readonly path: string;
  private readonly onWarning: (message: string) => void;

  constructor(path: string, onWarning: (message: string) => void = () => {}) {
    this.path = path;
    this.onWarning = onWarning;
  }

  /** Entries newest first (as readline wants them), at most HISTORY_LIMIT. */
  load(): string[] {
    if (!existsSync(this.path)) return [];
    let text: string;
    try {
      // A history file someone else can read is tightened before anything is added to it.
      restrictToOwner(this.path);
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      this.warn(`cannot read the history file ${this.path}: ${(error as Error).message}`);
      return [];
    }
    const lines = text.split('\n').filter((line) => line.trim() !== '' && isRememberable(line, line));
    if (lines.length > 2 * HISTORY_LIMIT) this.rewrite(lines.slice(-HISTORY_LIMIT));
    return lines.slice(-HISTORY_LIMIT).reverse();
  }

  append(entry: string): void {
    try {
      appendFileSync(this.path, `${entry}\n`, { mode: PRIVATE_FILE_MODE });
    } catch (error) {
      this.warn(`cannot write the history file ${this.path}: ${(error as Error).message}`);
    }
  }

  private rewrite(entries: readonly string[]): void {
    try {
      writePrivateFile(this.path, `${entries.join('\n')}\n`);
    } catch (error) {
      this.warn(`cannot trim the history file ${this.path}: ${(error as Error).message}`);
    }
  }

  /** One warning per session: a read-only home should not repeat it after every statement. */
  private warn(message: string): void {
    if (this.warned) return;
    this.warned = true;
    this.onWarning(message);
  }
}
