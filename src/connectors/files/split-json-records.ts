/**
 * Splits the records out of a JSON container without parsing them, keeping each record's exact
 * text and offset. Used to salvage files DuckDB's reader rejects: every complete record before a
 * defect is kept, and the defect is reported at its offset and line.
 */
export interface SplitRecord {
  /** 1-based index of the record within its container. */
  index: number;
  text: string;
  offset: number;
}

export interface SplitDefect {
  offset: number;
  line: number;
  reason: string;
}

export interface SplitResult {
  records: SplitRecord[];
  defect: SplitDefect | null;
}

const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Index just past the string starting at `i` (which is a quote), or -1 when it never closes. */
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === BACKSLASH) j++;
    else if (c === QUOTE) return j + 1;
  }
  return -1;
}

/**
 * Index just past the JSON value starting at `i`, or a defect. Only structure is checked here;
 * the record's own validity is checked when DuckDB parses it.
 */
function skipValue(text: string, i: number): number | string {
  const c = text.charCodeAt(i);
  if (c === QUOTE) {
    const end = skipString(text, i);
    return end < 0 ? 'unterminated string' : end;
  }
  if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
    let j = i;
    while (j < text.length) {
      const d = text.charCodeAt(j);
      if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isSpace(d)) break;
      j++;
    }
    if (j === i) return `unexpected character ${JSON.stringify(text[i] ?? 'end of data')}`;
    // A scalar that runs into the end of the text may be cut short ('fals'): not a whole record.
    return j >= text.length ? 'unexpected end of data (truncated file?)' : j;
  }
  const stack: number[] = [];
  for (let j = i; j < text.length; j++) {
    const d = text.charCodeAt(j);
    if (d === QUOTE) {
      const end = skipString(text, j);
      if (end < 0) return 'unterminated string';
      j = end - 1;
    } else if (d === OPEN_BRACE || d === OPEN_BRACKET) {
      stack.push(d === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET);
    } else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
      if (stack.pop() !== d) return `mismatched ${String.fromCharCode(d)}`;
      if (stack.length === 0) return j + 1;
    }
  }
  return 'unexpected end of data (truncated file?)';
}

function skipSpace(text: string, i: number): number {
  let j = i;
  while (j < text.length && isSpace(text.charCodeAt(j))) j++;
  return j;
}

/** Splits the elements of the array that starts at `open` (the '[' offset). */
function splitArray(text: string, open: number): SplitResult {
  const records: SplitRecord[] = [];
  const fail = (offset: number, reason: string): SplitResult => ({
    records,
    defect: { offset, line: lineAt(text, offset), reason },
  });
  let i = skipSpace(text, open + 1);
  if (text.charCodeAt(i) === CLOSE_BRACKET) return { records, defect: null };
  for (;;) {
    if (i >= text.length) return fail(i, 'unexpected end of data (truncated file?)');
    const end = skipValue(text, i);
    if (typeof end === 'string') return fail(i, `record ${records.length + 1}: ${end}`);
    records.push({ index: records.length + 1, text: text.slice(i, end), offset: i });
    i = skipSpace(text, end);
    const c = text.charCodeAt(i);
    if (c === CLOSE_BRACKET) return { records, defect: null };
    if (c !== COMMA) {
      return fail(
        i,
        i >= text.length ? 'unexpected end of data (truncated file?)' : 'expected , or ] between records',
      );
    }
    i = skipSpace(text, i + 1);
  }
}

/**
 * Records of a top-level array (`key` null) or of the array under top-level `key` in an object.
 * Other top-level keys are skipped.
 */
export function splitJsonRecords(text: string, key: string | null): SplitResult {
  const none = (offset: number, reason: string): SplitResult => ({
    records: [],
    defect: { offset, line: lineAt(text, offset), reason },
  });
  let i = skipSpace(text, 0);
  if (key === null) {
    if (text.charCodeAt(i) !== OPEN_BRACKET) return none(i, 'expected a JSON array');
    return splitArray(text, i);
  }
  if (text.charCodeAt(i) !== OPEN_BRACE) return none(i, 'expected a JSON object');
  i = skipSpace(text, i + 1);
  while (i < text.length && text.charCodeAt(i) !== CLOSE_BRACE) {
    if (text.charCodeAt(i) !== QUOTE) return none(i, 'expected a key');
    const keyEnd = skipString(text, i);
    if (keyEnd < 0) return none(i, 'unterminated key');
    const name = text.slice(i + 1, keyEnd - 1);
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) return none(i, 'expected :');
    i = skipSpace(text, i + 1);
    if (name === key) {
      if (text.charCodeAt(i) !== OPEN_BRACKET) return none(i, `"${key}" is not an array`);
      return splitArray(text, i);
    }
    const end = skipValue(text, i);
    if (typeof end === 'string') return none(i, end);
    i = skipSpace(text, end);
    if (text.charCodeAt(i) === COMMA) i = skipSpace(text, i + 1);
  }
  return none(i, `no "${key}" array in the document`);
}
