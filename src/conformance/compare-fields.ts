/**
 * Pure rules for comparing one of our normalized events with the document Elastic's ingest
 * pipeline produced for the same input record. No I/O: elastic.ts feeds it, tests pin it.
 *
 * Verdicts per field:
 * - 'not-compared': Elastic left the field empty (absent, null or ''). Elastic's pipelines drop
 *   values they cannot type (non-IP source addresses, for one), so silence is not an answer.
 * - 'agree' / 'disagree': Elastic has a value; ours agrees under the field's rule below, or not.
 *   Ours being empty while Elastic has a value is a disagreement.
 */

/** The event columns compared, in table order. */
export const COMPARED_FIELDS = [
  'action',
  'outcome',
  'source_ip',
  'actor',
  'account',
  'region',
  'event_time',
] as const;
export type ComparedField = (typeof COMPARED_FIELDS)[number];

/** The columns of one of our events that the comparison reads. */
export interface OurFields {
  action: string | null;
  outcome: string | null;
  source_ip: string | null;
  actor: string | null;
  account: string | null;
  region: string | null;
  /** event_time as microseconds since the epoch (DuckDB's precision). */
  event_time_us: number | null;
}

/** How one corpus is compared: which Elastic fields carry the identity and the account. */
export interface CorpusRules {
  /**
   * Compare action, account, actor and region ignoring case: Azure treats operation names,
   * resource ids, GUIDs and UPNs case-insensitively and its exporters change their case.
   */
  caseInsensitive: boolean;
  /** Elastic fields that may hold the account; ours agrees with any present one. */
  accountFields: readonly string[];
  /** Elastic fields that name the principal; ours agrees with any present one (see actorAgrees). */
  identityFields: readonly string[];
}

/** An Elastic ECS document, as parsed from `*-expected.json`. */
export type ElasticDoc = Readonly<Record<string, unknown>>;

export type VerdictStatus = 'agree' | 'disagree' | 'not-compared';

export interface FieldVerdict {
  field: ComparedField;
  status: VerdictStatus;
  ours: string | null;
  elastic: string | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The value at a dotted ECS path. ECS documents may nest (`{"cloud":{"region":..}}`) or use dotted
 * keys (`{"cloud.region":..}`) at any level, so every split of the path is tried.
 */
export function getPath(doc: unknown, path: string): unknown {
  if (path === '') return doc;
  if (!isRecord(doc)) return undefined;
  const parts = path.split('.');
  for (let i = parts.length; i >= 1; i--) {
    const key = parts.slice(0, i).join('.');
    if (!(key in doc)) continue;
    const found = getPath(doc[key], parts.slice(i).join('.'));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The text values at a path: a string or number as one value, an array's scalars, '' dropped. */
export function textValues(doc: unknown, path: string): string[] {
  const value = getPath(doc, path);
  const items = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const item of items) {
    if (typeof item === 'string' && item.trim() !== '') out.push(item.trim());
    else if (typeof item === 'number' || typeof item === 'boolean') out.push(String(item));
  }
  return out;
}

function firstText(doc: unknown, path: string): string | null {
  return textValues(doc, path)[0] ?? null;
}

function same(a: string, b: string, caseInsensitive: boolean): boolean {
  return caseInsensitive ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** An ISO-8601 instant as epoch microseconds plus the number of fractional digits it gave (0-6). */
export interface ParsedInstant {
  us: number;
  digits: number;
}

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parses an ISO-8601 instant exactly (Date.parse stops at milliseconds and reads a zone-less value
 * in local time). A value without a zone is UTC, as both Elastic and the clouds write UTC.
 */
export function parseInstant(text: string): ParsedInstant | null {
  const m = ISO_INSTANT.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return null;
  const digits = Math.min(frac.length, 6);
  const fracUs = digits === 0 ? 0 : Number(frac.slice(0, 6).padEnd(6, '0'));
  let offsetMin = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const body = zone.slice(1).replace(':', '');
    offsetMin = sign * (Number(body.slice(0, 2)) * 60 + Number(body.slice(2, 4) || '0'));
  }
  return { us: (ms - offsetMin * 60_000) * 1000 + fracUs, digits };
}

/** Epoch microseconds as ISO-8601 UTC with six fractional digits, for messages. */
export function formatMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const micros = us - ms * 1000;
  return new Date(ms).toISOString().replace('Z', `${String(micros).padStart(3, '0')}Z`);
}

/**
 * Same instant: ours, truncated to the precision Elastic wrote, equals Elastic's. Elastic keeps
 * milliseconds and truncates (09:45:48.0729893 becomes .072), so rounding would misjudge.
 */
export function sameInstant(oursUs: number, elastic: ParsedInstant): boolean {
  const unit = 10 ** (6 - elastic.digits);
  return Math.floor(oursUs / unit) === Math.floor(elastic.us / unit);
}

/** The last segment of an ARN's resource ('arn:aws:sts::1:assumed-role/Role/session' -> 'session'). */
export function arnLastSegment(arn: string): string | null {
  if (!arn.startsWith('arn:')) return null;
  const resource = arn.split(':').slice(5).join(':');
  const last = resource.split(/[/:]/).at(-1);
  return last ? last : null;
}

/**
 * Identities Elastic gives for the principal: the corpus's identity fields, plus user.name joined
 * with user.domain, because Elastic splits a UPN ('jane@contoso.com') into those two fields.
 */
export function elasticIdentities(rules: CorpusRules, doc: ElasticDoc): string[] {
  const out = rules.identityFields.flatMap((path) => textValues(doc, path));
  const name = firstText(doc, 'user.name');
  const domain = firstText(doc, 'user.domain');
  if (name && domain && !name.includes('@')) out.push(`${name}@${domain}`);
  return [...new Set(out)];
}

/**
 * Our actor is an ARN, email, UPN or object id by design; Elastic spreads the principal over
 * several fields. Ours agrees when it equals any of Elastic's identities (ignoring case for the
 * corpus if it is case-insensitive, and always for emails/UPNs, whose case carries no meaning),
 * or when ours is an ARN whose last resource segment is Elastic's user.name (Elastic's bare user
 * or session name; the ARN says the same and more).
 */
export function actorAgrees(
  ours: string,
  identities: readonly string[],
  userName: string | null,
  rules: CorpusRules,
): boolean {
  for (const identity of identities) {
    const ignoreCase = rules.caseInsensitive || identity.includes('@');
    if (same(ours, identity, ignoreCase)) return true;
  }
  return userName !== null && arnLastSegment(ours) === userName;
}

function verdict(
  field: ComparedField,
  ours: string | null,
  elastic: string | null,
  agrees: (o: string) => boolean,
): FieldVerdict {
  if (elastic === null) return { field, status: 'not-compared', ours, elastic };
  if (ours === null || ours === '') return { field, status: 'disagree', ours, elastic };
  return { field, status: agrees(ours) ? 'agree' : 'disagree', ours, elastic };
}

/** Compares every field of ours with Elastic's document for the same record. */
export function compareFields(rules: CorpusRules, ours: OurFields, doc: ElasticDoc): FieldVerdict[] {
  const ci = rules.caseInsensitive;
  const verdicts: FieldVerdict[] = [];

  const action = firstText(doc, 'event.action');
  verdicts.push(verdict('action', ours.action, action, (o) => same(o, action ?? '', ci)));

  // ECS outcome is lowercase by definition; ours is too. Lowercasing guards against neither drifting.
  const outcome = firstText(doc, 'event.outcome');
  verdicts.push(verdict('outcome', ours.outcome, outcome, (o) => same(o, outcome ?? '', true)));

  // IPv6 hex digits have no case.
  const ip = firstText(doc, 'source.ip');
  verdicts.push(verdict('source_ip', ours.source_ip, ip, (o) => same(o, ip ?? '', true)));

  const identities = elasticIdentities(rules, doc);
  const userName = firstText(doc, 'user.name');
  verdicts.push(
    verdict('actor', ours.actor, identities.length > 0 ? identities.join(' | ') : null, (o) =>
      actorAgrees(o, identities, userName, rules),
    ),
  );

  const accounts = [...new Set(rules.accountFields.flatMap((path) => textValues(doc, path)))];
  verdicts.push(
    verdict('account', ours.account, accounts.length > 0 ? accounts.join(' | ') : null, (o) =>
      accounts.some((a) => same(o, a, ci)),
    ),
  );

  const region = firstText(doc, 'cloud.region');
  verdicts.push(verdict('region', ours.region, region, (o) => same(o, region ?? '', ci)));

  const timestamp = firstText(doc, '@timestamp');
  const instant = timestamp === null ? null : parseInstant(timestamp);
  const oursTime = ours.event_time_us === null ? null : formatMicros(ours.event_time_us);
  if (timestamp !== null && instant === null) {
    // An @timestamp we cannot read is Elastic's oddity, not a disagreement of ours.
    verdicts.push({ field: 'event_time', status: 'not-compared', ours: oursTime, elastic: timestamp });
  } else {
    verdicts.push(
      verdict('event_time', oursTime, timestamp, () =>
        instant !== null && ours.event_time_us !== null ? sameInstant(ours.event_time_us, instant) : false,
      ),
    );
  }
  return verdicts;
}

/** True for an expected document Elastic itself failed on or dropped: nothing to compare with. */
export function elasticRejected(doc: unknown): string | null {
  if (doc === null || doc === undefined) return 'Elastic dropped the record (no document)';
  if (!isRecord(doc)) return 'Elastic document is not an object';
  const message = firstText(doc, 'error.message');
  if (message !== null) return `Elastic pipeline error: ${message}`;
  if (firstText(doc, 'event.kind') === 'pipeline_error')
    return 'Elastic pipeline error (event.kind pipeline_error)';
  return null;
}
