import type { DuckDBConnection } from '@duckdb/node-api';
import { plainValue } from '../detect/plain-value.js';
import { describeError } from '../errors.js';
import { loadPublicKeys, recordLogHashes, storePublicKeys } from './digest-store.js';
import {
  type DigestFacts,
  type DigestStatus,
  evaluateChain,
  type LogFileEntry,
  type LogFileState,
} from './evaluate-chain.js';
import { type CloudTrailPublicKey, verifySha256WithRsa } from './public-keys.js';

/**
 * Checks the digests recorded in a run (and their neighbours in each chain) and writes each one's
 * status: `cloudtrail_digests.status`, the per-log-file results, and rows for digests that are
 * referenced but gone. Idempotent: rerunning judges the same facts the same way.
 */

/** How to learn what the store does not know yet; each is optional (offline: none). */
export interface DigestResolvers {
  /** The state of a log file the store holds no hash of (fetch and hash it, or say it is gone). */
  logFile?: (file: { logKey: string; bucket: string | null; object: string | null }) => Promise<LogFileState>;
  /** CloudTrail public keys of a region for a time range (ListPublicKeys). */
  publicKeys?: (region: string, from: Date, to: Date) => Promise<CloudTrailPublicKey[]>;
}

export interface DigestCheckSummary {
  /** Digests judged in this run, by status (missing ones included). */
  digests: number;
  statuses: Partial<Record<DigestStatus, number>>;
  /** Public keys fetched or read from config and newly stored. */
  public_keys_added: number;
  /** What could not be fetched (ListPublicKeys refused, a log object unreadable), one line each. */
  problems: string[];
}

const HOUR_MS = 3_600_000;
/** Rows loaded around the judged digests: their neighbours in an hourly chain are well inside. */
const MARGIN_MS = 48 * HOUR_MS;

interface Chain {
  account: string;
  region: string;
  trail: string;
}

export async function verifyDigests(
  c: DuckDBConnection,
  runId: number,
  options: { resolvers?: DigestResolvers; configKeys?: readonly CloudTrailPublicKey[] } = {},
): Promise<DigestCheckSummary> {
  const resolvers = options.resolvers ?? {};
  const keysAdded = options.configKeys?.length ? await storePublicKeys(c, options.configKeys) : 0;
  const summary: DigestCheckSummary = { digests: 0, statuses: {}, public_keys_added: 0, problems: [] };

  // Judged: digests recorded in this run, those listing a log file hashed in this run, and those
  // still unverifiable whose public key is known by now (a key from config or a later ListPublicKeys,
  // or the newest digest of a chain, whose signature its successor brings).
  const touched = await rows(
    c,
    `select digest_key from cloudtrail_digests where present and run_id = $1
union
select l.digest_key
from cloudtrail_digest_log_files l
join cloudtrail_log_hashes h on h.log_key = l.log_key and h.run_id = $1
union
select digest_key
from cloudtrail_digests
where present
  and status = 'unverifiable'
  and fingerprint in (select fingerprint from cloudtrail_public_keys)`,
    [runId],
  );
  if (touched.length === 0) return { ...summary, public_keys_added: keysAdded };
  await judgeTouched(c, runId, touched, resolvers, summary, keysAdded);
  return summary;
}

async function judgeTouched(
  c: DuckDBConnection,
  runId: number,
  touched: Record<string, unknown>[],
  resolvers: DigestResolvers,
  summary: DigestCheckSummary,
  keysAddedBefore: number,
): Promise<void> {
  let keysAdded = keysAddedBefore;
  await c.run('create or replace temp table digest_judged (digest_key varchar)');
  await appendKeys(
    c,
    'digest_judged',
    touched.map((r) => String(r.digest_key)),
  );

  const chains = await rows(
    c,
    `select d.account, d.region, d.trail, min(epoch_ms(d.digest_end)) as lo, max(epoch_ms(d.digest_end)) as hi
from cloudtrail_digests d
join temp.digest_judged j using (digest_key)
group by all`,
  );

  // Missing public keys are fetched once per region before any signature is checked.
  if (resolvers.publicKeys) {
    const known = await loadPublicKeys(c);
    const wanted = await rows(
      c,
      `select d.region, min(epoch_ms(d.digest_end)) as lo, max(epoch_ms(d.digest_end)) as hi, list(distinct d.fingerprint) as fingerprints
from cloudtrail_digests d
join temp.digest_judged j using (digest_key)
where d.fingerprint is not null
group by d.region`,
    );
    for (const w of wanted) {
      const fingerprints = (w.fingerprints as string[]).filter((f) => !known.has(f));
      if (fingerprints.length === 0) continue;
      try {
        const keys = await resolvers.publicKeys(
          String(w.region),
          new Date(Number(w.lo) - 2 * HOUR_MS),
          new Date(Number(w.hi) + HOUR_MS),
        );
        keysAdded += await storePublicKeys(c, keys);
      } catch (error) {
        summary.problems.push(
          `ListPublicKeys in ${String(w.region)} failed: ${describeError(error).split('\n')[0]}`,
        );
      }
    }
  }
  summary.public_keys_added = keysAdded;
  const keys = await loadPublicKeys(c);
  const check = (fingerprint: string, data: string, signature: string): boolean | 'no-key' => {
    const key = keys.get(fingerprint);
    return key ? verifySha256WithRsa(key, data, signature) : 'no-key';
  };

  await c.run(
    `create or replace temp table digest_verdicts (digest_key varchar, status varchar, detail varchar, signature_checked varchar, signature_ok boolean)`,
  );
  await c.run(
    'create or replace temp table digest_log_verdicts (digest_key varchar, log_key varchar, status varchar, actual_sha256 varchar)',
  );
  for (const chain of chains) {
    await judgeChain(
      c,
      chain as unknown as Chain & { lo: number; hi: number },
      check,
      resolvers,
      runId,
      summary,
    );
  }
  await c.run(`update cloudtrail_digests d
set status = v.status, detail = v.detail, signature_checked = v.signature_checked, signature_ok = v.signature_ok, checked_at = now()
from temp.digest_verdicts v
where d.digest_key = v.digest_key
  and d.present`);
  await c.run(`update cloudtrail_digest_log_files l
set status = v.status, actual_sha256 = v.actual_sha256, checked_at = now()
from temp.digest_log_verdicts v
where l.digest_key = v.digest_key
  and l.log_key = v.log_key`);
  for (const t of ['digest_verdicts', 'digest_log_verdicts', 'digest_judged'])
    await c.run(`drop table temp.${t}`);
}

async function judgeChain(
  c: DuckDBConnection,
  chain: Chain & { lo: number; hi: number },
  check: (fingerprint: string, data: string, signature: string) => boolean | 'no-key',
  resolvers: DigestResolvers,
  runId: number,
  summary: DigestCheckSummary,
): Promise<void> {
  const where = 'account = $1 and region = $2 and trail = $3';
  const params = [chain.account, chain.region, chain.trail];
  const [bounds] = await rows(
    c,
    `select min(epoch_ms(digest_end)) as earliest from cloudtrail_digests where ${where} and present and not backfill`,
    params,
  );
  const loaded = await rows(
    c,
    `select digest_key, backfill, epoch_ms(digest_end) as end_ms, digest_bucket, digest_object, digest_end_text, sha256,
  fingerprint, meta_signature, previous_key, previous_sha256, previous_signature, signature_checked, signature_ok, detail,
  digest_key in (select digest_key from temp.digest_judged) as judged
from cloudtrail_digests
where ${where}
  and present
  and digest_end between to_timestamp($4 / 1000) and to_timestamp($5 / 1000)`,
    [...params, chain.lo - MARGIN_MS, chain.hi + MARGIN_MS],
  );
  const facts: DigestFacts[] = loaded.map((r) => ({
    digestKey: String(r.digest_key),
    backfill: Boolean(r.backfill),
    end: new Date(Number(r.end_ms)),
    bucket: str(r.digest_bucket),
    object: str(r.digest_object),
    endText: str(r.digest_end_text),
    sha256: String(r.sha256),
    fingerprint: str(r.fingerprint),
    metaSignature: str(r.meta_signature),
    previousKey: str(r.previous_key),
    previousSha256: str(r.previous_sha256),
    previousSignature: str(r.previous_signature),
    unreadable:
      r.digest_object === null ? String(r.detail ?? 'unreadable').replace(/^unreadable: /, '') : null,
    signatureChecked: str(r.signature_checked),
    signatureOk: typeof r.signature_ok === 'boolean' ? r.signature_ok : null,
  }));
  // Judged: the touched digests and their neighbours (a new digest changes what is known of its
  // predecessor: its signature, and the hash recorded for it).
  const touched = new Set(loaded.filter((r) => r.judged).map((r) => String(r.digest_key)));
  const judged = new Set(touched);
  for (const f of facts) {
    if (touched.has(f.digestKey) && f.previousKey) judged.add(f.previousKey);
    if (f.previousKey && touched.has(f.previousKey)) judged.add(f.digestKey);
  }
  // A judged digest's predecessor older than the margin: is it in the store at all?
  const loadedKeys = new Set(facts.map((f) => f.digestKey));
  const elsewhere = new Set<string>();
  for (const f of facts) {
    if (!judged.has(f.digestKey) || !f.previousKey || loadedKeys.has(f.previousKey)) continue;
    const found = await rows(c, 'select 1 from cloudtrail_digests where digest_key = $1 and present', [
      f.previousKey,
    ]);
    if (found.length > 0) elsewhere.add(f.previousKey);
  }

  const entries = await logEntries(c, [...judged], resolvers, runId, summary);
  const verdict = evaluateChain(facts, entries, check, {
    earliest: Number(bounds?.earliest ?? Number.POSITIVE_INFINITY),
    presentElsewhere: elsewhere,
  });

  const appender = await c.createAppender('digest_verdicts', 'main', 'temp');
  try {
    for (const v of verdict.digests) {
      if (!judged.has(v.digestKey)) continue;
      appender.appendVarchar(v.digestKey);
      appender.appendVarchar(v.status);
      appender.appendVarchar(v.detail);
      if (v.signatureChecked === null) appender.appendNull();
      else appender.appendVarchar(v.signatureChecked);
      if (v.signatureOk === null) appender.appendNull();
      else appender.appendBoolean(v.signatureOk);
      appender.endRow();
      summary.digests++;
      summary.statuses[v.status] = (summary.statuses[v.status] ?? 0) + 1;
    }
  } finally {
    appender.closeSync();
  }
  const logAppender = await c.createAppender('digest_log_verdicts', 'main', 'temp');
  try {
    for (const l of verdict.logFiles) {
      if (!judged.has(l.digestKey)) continue;
      logAppender.appendVarchar(l.digestKey);
      logAppender.appendVarchar(l.logKey);
      logAppender.appendVarchar(l.status);
      if (l.actualSha256 === null) logAppender.appendNull();
      else logAppender.appendVarchar(l.actualSha256);
      logAppender.endRow();
    }
  } finally {
    logAppender.closeSync();
  }
  // Digests referenced by a judged successor but gone: one row each, replaced on every judgement.
  for (const m of verdict.missing) {
    if (!judged.has(m.referencedBy)) continue;
    await c.run('delete from cloudtrail_digests where digest_key = $1 and not present', [m.digestKey]);
    await c.run(
      `insert into cloudtrail_digests (digest_key, account, region, trail, home_region, digest_end, backfill, present,
  status, detail, recorded_at, checked_at, run_id)
values ($1, $2, $3, $4, $5, $6::timestamptz, false, false, 'missing', $7, now(), now(), $8)`,
      [
        m.digestKey,
        chain.account,
        chain.region,
        chain.trail,
        m.homeRegion,
        m.end.toISOString(),
        `referenced as the previous digest by ${m.referencedBy}, but not found: deleted, or never copied here`,
        runId,
      ],
    );
    summary.digests++;
    summary.statuses.missing = (summary.statuses.missing ?? 0) + 1;
  }
}

/** The log files of the judged digests with what is known of each, asking the resolver for the rest. */
async function logEntries(
  c: DuckDBConnection,
  digestKeys: readonly string[],
  resolvers: DigestResolvers,
  runId: number,
  summary: DigestCheckSummary,
): Promise<LogFileEntry[]> {
  if (digestKeys.length === 0) return [];
  await c.run('create or replace temp table digest_log_scope (digest_key varchar)');
  await appendKeys(c, 'digest_log_scope', digestKeys);
  const found = await rows(
    c,
    `select l.digest_key, l.log_key, l.log_bucket, l.log_object, l.expected_sha256, h.sha256 as hashed, h.log_key is not null as known
from cloudtrail_digest_log_files l
join temp.digest_log_scope s using (digest_key)
left join cloudtrail_log_hashes h on h.log_key = l.log_key
order by l.digest_key, l.log_key`,
  );
  await c.run('drop table temp.digest_log_scope');
  const resolved = new Map<string, LogFileState>();
  const newHashes: { location: string; origin: string; sha256: string | null }[] = [];
  const out: LogFileEntry[] = [];
  for (const r of found) {
    const logKey = String(r.log_key);
    let state: LogFileState;
    if (r.known)
      state = r.hashed === null ? { kind: 'absent' } : { kind: 'hashed', sha256: String(r.hashed) };
    else if (resolved.has(logKey)) state = resolved.get(logKey) as LogFileState;
    else if (resolvers.logFile) {
      try {
        state = await resolvers.logFile({ logKey, bucket: str(r.log_bucket), object: str(r.log_object) });
      } catch (error) {
        summary.problems.push(`log file ${logKey} could not be read: ${describeError(error).split('\n')[0]}`);
        state = { kind: 'unknown' };
      }
      resolved.set(logKey, state);
      if (state.kind !== 'unknown') {
        newHashes.push({
          location: logKey,
          origin: r.log_bucket ? `s3://${String(r.log_bucket)}/${String(r.log_object)}` : logKey,
          sha256: state.kind === 'hashed' ? state.sha256 : null,
        });
      }
    } else state = { kind: 'unknown' };
    out.push({ digestKey: String(r.digest_key), logKey, expectedSha256: String(r.expected_sha256), state });
  }
  await recordLogHashes(c, newHashes, runId);
  return out;
}

function str(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

async function rows(
  c: DuckDBConnection,
  sql: string,
  params: (string | number | boolean | null)[] = [],
): Promise<Record<string, unknown>[]> {
  const reader = await c.runAndReadAll(sql, params);
  return reader
    .getRowObjects()
    .map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plainValue(v ?? null)])));
}

async function appendKeys(c: DuckDBConnection, table: string, keys: readonly string[]): Promise<void> {
  const appender = await c.createAppender(table, 'main', 'temp');
  try {
    for (const k of new Set(keys)) {
      appender.appendVarchar(k);
      appender.endRow();
    }
  } finally {
    appender.closeSync();
  }
}
