/**
 * Reads SQL text as the shell receives it, line by line, and tells where statements end: at a `;`
 * outside string literals, quoted identifiers, comments and dollar-quoted strings. Pure; the
 * shell keeps the unfinished rest and shows a continuation prompt until its `;` arrives.
 */

/** What a piece of SQL text is, lexically. */
export type SegmentKind =
  | 'code'
  | 'string'
  | 'identifier'
  | 'line-comment'
  | 'block-comment'
  | 'dollar-string';

export interface Segment {
  readonly kind: SegmentKind;
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

export interface LexedSql {
  readonly segments: readonly Segment[];
  /** The construct still open at the end of the text ('code' when none). */
  readonly open: SegmentKind;
}

export interface SplitStatements {
  /** Complete statements, each with its terminating `;`, trimmed; blank ones (`;;`, comments) dropped. */
  readonly statements: string[];
  /** Text after the last terminating `;`: a statement still being typed ('' when only comments). */
  readonly rest: string;
}

const IDENTIFIER_CHAR = /[A-Za-z0-9_$]/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/;

/**
 * Cuts `text` into code, literals and comments. Handles `''` and `""` doubling, backslash escapes
 * in `E'...'` strings, nested block comments (as DuckDB and PostgreSQL do) and `$tag$...$tag$`
 * strings; a `$1` parameter is code.
 */
export function lexSql(text: string): LexedSql {
  const segments: Segment[] = [];
  let codeStart = 0;
  let i = 0;
  const closeCode = (at: number): void => {
    if (at > codeStart) segments.push({ kind: 'code', start: codeStart, end: at });
  };
  while (i < text.length) {
    const ch = text[i];
    const next = text[i + 1];
    let kind: SegmentKind | null = null;
    let end = -1;
    if (ch === "'") {
      kind = 'string';
      end = endOfQuoted(text, i, "'", isEscapeString(text, i));
    } else if (ch === '"') {
      kind = 'identifier';
      end = endOfQuoted(text, i, '"', false);
    } else if (ch === '-' && next === '-') {
      kind = 'line-comment';
      const newline = text.indexOf('\n', i + 2);
      end = newline === -1 ? -1 : newline;
    } else if (ch === '/' && next === '*') {
      kind = 'block-comment';
      end = endOfBlockComment(text, i);
    } else if (ch === '$' && !IDENTIFIER_CHAR.test(text[i - 1] ?? '')) {
      const tag = DOLLAR_TAG.exec(text.slice(i))?.[0];
      if (tag) {
        kind = 'dollar-string';
        const close = text.indexOf(tag, i + tag.length);
        end = close === -1 ? -1 : close + tag.length;
      }
    }
    if (kind === null) {
      i++;
      continue;
    }
    closeCode(i);
    if (end === -1) {
      segments.push({ kind, start: i, end: text.length });
      return { segments, open: kind };
    }
    segments.push({ kind, start: i, end });
    i = end;
    codeStart = end;
  }
  closeCode(text.length);
  return { segments, open: 'code' };
}

/** `E'...'` (not part of a longer name such as `table'`): backslash escapes apply inside. */
function isEscapeString(text: string, quoteAt: number): boolean {
  const prefix = text[quoteAt - 1];
  return (prefix === 'e' || prefix === 'E') && !IDENTIFIER_CHAR.test(text[quoteAt - 2] ?? '');
}

/** Index just past the closing quote, or -1 when the text ends first. */
function endOfQuoted(text: string, openAt: number, quote: string, backslashEscapes: boolean): number {
  let i = openAt + 1;
  while (i < text.length) {
    const ch = text[i];
    if (backslashEscapes && ch === '\\') {
      i += 2;
      continue;
    }
    if (ch === quote) {
      if (text[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return -1;
}

function endOfBlockComment(text: string, openAt: number): number {
  let depth = 0;
  let i = openAt;
  while (i < text.length) {
    if (text[i] === '/' && text[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (text[i] === '*' && text[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return -1;
}

/** Splits `text` into the complete statements it holds and the unfinished rest. */
export function splitStatements(text: string): SplitStatements {
  const { segments } = lexSql(text);
  const statements: string[] = [];
  let start = 0;
  for (const segment of segments) {
    if (segment.kind !== 'code') continue;
    for (let i = segment.start; i < segment.end; i++) {
      if (text[i] !== ';') continue;
      const statement = text.slice(start, i + 1).trim();
      if (!isBlankStatement(statement)) statements.push(statement);
      start = i + 1;
    }
  }
  const rest = text.slice(start);
  // A comment typed on its own needs no continuation prompt; an open `/* ...` does.
  const nothingPending = isBlankStatement(rest) && lexSql(rest).open !== 'block-comment';
  return { statements, rest: nothingPending ? '' : rest };
}

/** True when `text` holds nothing to run: whitespace, comments and semicolons only. */
export function isBlankStatement(text: string): boolean {
  return lexSql(text).segments.every(
    (s) =>
      s.kind === 'line-comment' ||
      s.kind === 'block-comment' ||
      (s.kind === 'code' && /^[\s;]*$/.test(text.slice(s.start, s.end))),
  );
}
