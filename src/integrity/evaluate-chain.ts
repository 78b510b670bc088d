import { parseDigestKey, signingString } from './cloudtrail-digest.js';

/**
 * Judges the digests of one chain (account, region, trail) from what is known of them: their
 * fields, signatures, the next digest's record of each, and the log files' hashes. Pure: the
 * signature check is passed in.
 */

export const DIGEST_STATUSES = [
  'valid',
  'bad_signature',
  'chain_broken',
  'log_hash_mismatch',
  'log_file_missing',
  'missing',
  'unverifiable',
] as const;
export type DigestStatus = (typeof DIGEST_STATUSES)[number];

/** Worst first: the status a digest gets when several problems apply. */
const PRECEDENCE: readonly DigestStatus[] = [
  'bad_signature',
  'chain_broken',
  'log_hash_mismatch',
  'log_file_missing',
  'unverifiable',
  'valid',
];

/** What the store holds of a digest that was read. */
export interface DigestFacts {
  digestKey: string;
  backfill: boolean;
  end: Date;
  /** Null when the file could not be parsed (then `unreadable` says why). */
  bucket: string | null;
  object: string | null;
  endText: string | null;
  sha256: string;
  fingerprint: string | null;
  metaSignature: string | null;
  previousKey: string | null;
  previousSha256: string | null;
  previousSignature: string | null;
  unreadable: string | null;
  /** The signature last verified and its result (null: never checked). */
  signatureChecked: string | null;
  signatureOk: boolean | null;
}

export type LogFileState =
  /** sha256 of the file's uncompressed content. */
  | { kind: 'hashed'; sha256: string }
  | { kind: 'absent' }
  /** Not looked at (not among the files ingested, no way to fetch it). */
  | { kind: 'unknown' };

export interface LogFileEntry {
  digestKey: string;
  logKey: string;
  expectedSha256: string;
  state: LogFileState;
}

export type LogFileStatus = 'valid' | 'hash_mismatch' | 'missing' | 'unchecked';

/** true / false: verified or not; 'no-key': no public key with that fingerprint is known. */
export type SignatureCheck = (fingerprint: string, data: string, signatureHex: string) => boolean | 'no-key';

export interface DigestVerdict {
  digestKey: string;
  status: DigestStatus;
  detail: string;
  signatureChecked: string | null;
  signatureOk: boolean | null;
}

export interface MissingDigest {
  digestKey: string;
  homeRegion: string;
  end: Date;
  referencedBy: string;
}

export interface ChainContext {
  /** The chain's earliest hourly digest in the store (epoch ms), when more than `digests` is stored. */
  earliest?: number;
  /** Keys of digests stored but not among `digests` (older than what was loaded). */
  presentElsewhere?: ReadonlySet<string>;
}

export interface ChainVerdict {
  digests: DigestVerdict[];
  missing: MissingDigest[];
  logFiles: { digestKey: string; logKey: string; status: LogFileStatus; actualSha256: string | null }[];
}

export function evaluateChain(
  digests: readonly DigestFacts[],
  logFiles: readonly LogFileEntry[],
  check: SignatureCheck,
  context: ChainContext = {},
): ChainVerdict {
  const byKey = new Map(digests.map((d) => [d.digestKey, d]));
  // The digest after each one in the hourly chain: backfill digests stand outside it.
  const nextOf = new Map<string, DigestFacts>();
  for (const d of digests) if (!d.backfill && d.previousKey) nextOf.set(d.previousKey, d);
  const chained = digests.filter((d) => !d.backfill);
  const earliest = chained.reduce<number>(
    (min, d) => Math.min(min, d.end.getTime()),
    context.earliest ?? Number.POSITIVE_INFINITY,
  );
  const elsewhere = context.presentElsewhere ?? new Set<string>();

  const logsOf = new Map<string, LogFileEntry[]>();
  for (const e of logFiles) logsOf.set(e.digestKey, [...(logsOf.get(e.digestKey) ?? []), e]);

  const out: ChainVerdict = { digests: [], missing: [], logFiles: [] };
  for (const d of digests) {
    const problems = new Map<DigestStatus, string[]>();
    const add = (status: DigestStatus, text: string) =>
      problems.set(status, [...(problems.get(status) ?? []), text]);
    const notes: string[] = [];
    let signatureChecked = d.signatureChecked;
    let signatureOk = d.signatureOk;

    if (d.unreadable) add('bad_signature', `unreadable digest file: ${d.unreadable}`);
    const next = nextOf.get(d.digestKey);
    if (!d.unreadable) {
      // The signature: from the object's S3 metadata, else as the next digest records it (file
      // copies lose S3 metadata, so offline the newest digest waits for its successor).
      const fromNext = next?.previousSignature ?? null;
      const candidates = [...new Set([d.metaSignature, fromNext].filter((s): s is string => Boolean(s)))];
      if (d.metaSignature && fromNext && d.metaSignature !== fromNext) {
        add(
          'chain_broken',
          `the next digest ${next?.digestKey} records a different signature for this one than its S3 metadata holds`,
        );
      }
      if (candidates.length === 0) {
        add(
          'unverifiable',
          'no signature yet: files copied from S3 lose the x-amz-meta-signature metadata, so the newest digest is checked when the next one arrives',
        );
      }
      for (const signature of candidates) {
        let ok: boolean | 'no-key';
        if (signatureChecked === signature && signatureOk !== null) ok = signatureOk;
        else {
          const data = signingString({
            endText: d.endText as string,
            bucket: d.bucket as string,
            object: d.object as string,
            sha256: d.sha256,
            previousSignature: d.previousSignature,
          });
          ok = check(d.fingerprint as string, data, signature);
          if (ok !== 'no-key') {
            signatureChecked = signature;
            signatureOk = ok;
          }
        }
        if (ok === 'no-key') {
          add(
            'unverifiable',
            `no CloudTrail public key with fingerprint ${d.fingerprint} (give integrity.cloudtrail_public_keys, or read the bucket with cloudtrail:ListPublicKeys)`,
          );
        } else if (!ok) {
          const where =
            signature === d.metaSignature
              ? 'the signature in its S3 metadata'
              : `the signature the next digest (${next?.digestKey}) records for it`;
          add('bad_signature', `${where} does not verify: this digest (or the next) was altered`);
        }
      }
    }

    // Chain: the next digest recorded this one's hash; a digest changed after delivery differs.
    if (!d.backfill && next && next.previousSha256 && next.previousSha256 !== d.sha256) {
      add(
        'chain_broken',
        `its content differs from the hash the next digest (${next.digestKey}) recorded for it`,
      );
    }
    if (!d.backfill && d.previousKey && !byKey.has(d.previousKey) && !elsewhere.has(d.previousKey)) {
      const previous = parseDigestKey(d.previousKey);
      if (previous && previous.end.getTime() > earliest) {
        out.missing.push({
          digestKey: d.previousKey,
          homeRegion: previous.homeRegion,
          end: previous.end,
          referencedBy: d.digestKey,
        });
        notes.push(`its previous digest ${d.previousKey} is missing`);
      } else notes.push('its previous digest is not in the store (before the period ingested)');
    }
    if (!d.backfill && !d.previousKey && !d.unreadable && d.end.getTime() > earliest) {
      notes.push('the chain restarts here: log file validation or logging was off before it');
    }

    let checkedLogs = 0;
    let uncheckedLogs = 0;
    for (const e of logsOf.get(d.digestKey) ?? []) {
      let status: LogFileStatus;
      let actual: string | null = null;
      if (e.state.kind === 'hashed') {
        actual = e.state.sha256;
        status = actual === e.expectedSha256 ? 'valid' : 'hash_mismatch';
      } else status = e.state.kind === 'absent' ? 'missing' : 'unchecked';
      out.logFiles.push({ digestKey: d.digestKey, logKey: e.logKey, status, actualSha256: actual });
      if (status === 'hash_mismatch')
        add('log_hash_mismatch', `log file ${e.logKey} does not have the hash the digest records`);
      else if (status === 'missing') add('log_file_missing', `log file ${e.logKey} is gone`);
      else if (status === 'unchecked') uncheckedLogs++;
      else checkedLogs++;
    }
    if (uncheckedLogs > 0) notes.push(`${uncheckedLogs} log file(s) not checked: not among the files read`);
    const status = PRECEDENCE.find((s) => problems.has(s)) ?? 'valid';
    const lines = PRECEDENCE.flatMap((s) => problems.get(s) ?? []);
    if (status === 'valid') lines.push(`signature verified; ${checkedLogs} log file(s) match`);
    else if (checkedLogs > 0) notes.push(`${checkedLogs} log file(s) match`);
    out.digests.push({
      digestKey: d.digestKey,
      status,
      detail: [...lines, ...notes].join('; '),
      signatureChecked,
      signatureOk,
    });
  }
  return out;
}
