/**
 * Decides how a file's records are laid out from its first bytes (already decompressed), never
 * from its name: exports get renamed, and `.json` files hold NDJSON as often as arrays.
 */
export type FileLayout =
  /** `{"Records":[...]}` (CloudTrail) or `{"records":[...]}` (Azure diagnostic export); DuckDB reads it directly. */
  | { kind: 'keyed-array'; key: 'Records' | 'records' }
  /** A top-level JSON array of records (`gcloud logging read --format=json`, Log Analytics rows). */
  | { kind: 'array' }
  /** One JSON value per line (sink exports, PT1H.json, bare events); lines may themselves be containers. */
  | { kind: 'ndjson' }
  /** A single JSON document of another shape (CloudWatch Logs envelope, query result tables, one pretty record). */
  | { kind: 'document' }
  /** A CloudTrail digest file: integrity data, not events. */
  | { kind: 'cloudtrail-digest' }
  | { kind: 'empty' }
  | { kind: 'not-json'; reason: string };

const FIRST_KEY = /^\{\s*"((?:[^"\\]|\\.)*)"\s*:/;

/**
 * @param head the first bytes of the file as text (the whole file when `complete`)
 * @param complete true when `head` is the entire file
 */
export function sniffLayout(head: string, complete: boolean): FileLayout {
  const text = head.charCodeAt(0) === 0xfeff ? head.slice(1) : head;
  const start = text.search(/\S/);
  if (start < 0)
    return complete
      ? { kind: 'empty' }
      : { kind: 'not-json', reason: 'starts with more than 64 KiB of whitespace' };
  const body = text.slice(start);
  const first = body[0];
  if (first === '[') return { kind: 'array' };
  if (first !== '{') {
    return { kind: 'not-json', reason: `not JSON: starts with ${JSON.stringify(body.slice(0, 20))}` };
  }
  if (/"digestStartTime"\s*:/.test(body.slice(0, 4096)) && /"logFiles"\s*:/.test(body)) {
    return { kind: 'cloudtrail-digest' };
  }
  const key = FIRST_KEY.exec(body)?.[1];
  if (key === 'Records' || key === 'records') {
    // A keyed file holding one container per line is NDJSON of containers, handled line by line.
    return firstLineIsWholeValue(body) && hasSecondValue(body)
      ? { kind: 'ndjson' }
      : { kind: 'keyed-array', key };
  }
  if (firstLineIsWholeValue(body)) return { kind: 'ndjson' };
  return { kind: 'document' };
}

function firstLineIsWholeValue(body: string): boolean {
  const end = body.indexOf('\n');
  const line = (end < 0 ? body : body.slice(0, end)).trim();
  if (line.length === 0) return false;
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

function hasSecondValue(body: string): boolean {
  const end = body.indexOf('\n');
  return end >= 0 && /\S/.test(body.slice(end + 1));
}
