/**
 * Masks credentials in text that leaves the process: error messages and hints, log lines, source
 * error descriptions, ingest error excerpts. Pure and regex-only; it runs on error paths, so it
 * favours masking a little too much inside key=value secrets over ever printing one, while leaving
 * identifiers an analyst needs (event ids, GUIDs, ARNs, object keys, hashes) readable.
 *
 * Not applied to events.raw: a stored event is evidence and must stay byte-for-byte what the cloud
 * sent (docs/security.md).
 */

export const REDACTED = '[REDACTED]';

/** Key names whose value is a secret, matched at the end of the name (camelCase, snake, kebab). */
const SECRET_NAME =
  '(?:secret|secret[_-]?access[_-]?key|password|passwd|pwd|token|api[_-]?key|account[_-]?key|shared[_-]?access[_-]?key|private[_-]?key|client[_-]?key|master[_-]?key|encryption[_-]?key|db[_-]?key|signature|sig)';

/** Token names that are pagination cursors, not credentials: their values stay readable. */
const CURSOR_NAME = /(?:page|next|continuation|sync|resume)[_-]?token$/i;

/** A value after `=` or `:`: a JSON/escaped-JSON string, a quoted string, or a bare run. */
const VALUE = String.raw`(\\"(?:(?!\\").)*\\"|"(?:[^"\\]|\\.)*"|'[^'\n]*'|[^\s,;&"'<>(){}\[\]]+)`;

const KEY_VALUE = new RegExp(
  // A name starting a word (not the `:secret:` inside an ARN or the end of a path), optionally
  // quoted (JSON, escaped JSON), then `=`, `:` or SQL's `KEY 'value'`, then the value.
  String.raw`(?<![A-Za-z0-9_.:/\\-])((?:\\?["'])?)([A-Za-z0-9_.-]*?${SECRET_NAME})\1(\s*[:=]\s*|\s+(?=\\?["']))${VALUE}`,
  'gi',
);

const PEM_PRIVATE_KEY =
  /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|[A-Za-z0-9+/=\s\\]*)/g;
const AWS_ACCESS_KEY_ID = /\b(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g;
/** A bearer token has a digit or punctuation; prose like "Bearer authentication failed" has none. */
const BEARER = /\b(Bearer)(\s+)(?=[A-Za-z0-9\-._~+/]*[0-9\-._~+/])[A-Za-z0-9\-._~+/]{12,}=*/g;
const BASIC_AUTH = /(Authorization["']?\s*[:=]\s*["']?Basic)(\s+)[A-Za-z0-9+/]{4,}=*/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const GOOGLE_OAUTH_TOKEN = /\bya29\.[A-Za-z0-9_-]{10,}/g;
const GOOGLE_API_KEY = /\bAIza[0-9A-Za-z_-]{35}\b/g;
/**
 * Slack incoming-webhook and workflow URLs: the path is the credential (anyone holding it can
 * post to the channel), so only the host and the kind of hook stay readable.
 */
const SLACK_WEBHOOK = /\b(hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9_/-]+/g;
/** scheme://user:password@host (database URLs, proxies). */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"']+):([^\s@/"']+)@/gi;

/** `text` with every credential it recognizes replaced by [REDACTED]. */
export function redact(text: string): string {
  if (text.length === 0) return text;
  let out = text.replace(
    PEM_PRIVATE_KEY,
    (_m, kind: string) => `-----BEGIN ${kind}PRIVATE KEY----- ${REDACTED}`,
  );
  out = out.replace(KEY_VALUE, (match, quote: string, name: string, sep: string, value: string) => {
    if (CURSOR_NAME.test(name) || !isSecretValue(value)) return match;
    // `name: word` is also prose ("no password: console login disabled"): a bare value after a
    // colon is masked only when it has a digit or symbol, as generated secrets do.
    if (sep.trim() === ':' && !/^\\?["']/.test(value) && /^[A-Za-z]+$/.test(value)) return match;
    const quoted = /^\\?["']/.test(value) ? value.slice(0, value.startsWith('\\') ? 2 : 1) : '';
    const close = quoted ? quoted : '';
    return `${quote}${name}${quote}${sep}${quoted}${REDACTED}${close}`;
  });
  out = out.replace(BEARER, (_m, scheme: string, space: string) => `${scheme}${space}${REDACTED}`);
  out = out.replace(BASIC_AUTH, (_m, scheme: string, space: string) => `${scheme}${space}${REDACTED}`);
  out = out.replace(JWT, REDACTED);
  out = out.replace(GOOGLE_OAUTH_TOKEN, REDACTED);
  out = out.replace(GOOGLE_API_KEY, REDACTED);
  out = out.replace(AWS_ACCESS_KEY_ID, (_m, prefix: string) => `${prefix}${REDACTED}`);
  out = out.replace(SLACK_WEBHOOK, (_m, head: string) => `${head}${REDACTED}`);
  out = out.replace(URL_PASSWORD, (_m, head: string) => `${head}:${REDACTED}@`);
  return out;
}

/** JSON-encodes `value` and redacts the text: for structured log lines. */
export function redactJson(value: unknown): string {
  return redact(JSON.stringify(value));
}

/** null, booleans, empty strings and already-masked values carry nothing worth hiding. */
function isSecretValue(value: string): boolean {
  const inner = value.replace(/^\\?["']|\\?["']$/g, '');
  if (inner.length === 0) return false;
  if (/^(?:null|true|false|undefined)$/i.test(inner)) return false;
  return !inner.includes(REDACTED);
}
