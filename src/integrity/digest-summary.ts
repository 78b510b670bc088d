import type { DuckDBConnection } from '@duckdb/node-api';
import { plainValue } from '../detect/plain-value.js';

/** What CloudTrail digest validation (docs/integrity.md) has recorded, for `auditlake verify`. */
export interface DigestSummary {
  /** Digests recorded, by status (valid, unverifiable, bad_signature, chain_broken, ...). */
  readonly by_status: Readonly<Record<string, number>>;
  /** Digests whose status says the source's logs or digests were altered or are missing. */
  readonly problems: number;
  /** The first problems, newest first. */
  readonly first_problems: readonly DigestProblem[];
}

export interface DigestProblem {
  readonly account: string;
  readonly region: string;
  readonly trail: string;
  readonly digest_end: string;
  readonly status: string;
  readonly detail: string | null;
}

/** Statuses that are not a problem: verified, or not verifiable here (no public key, newest digest). */
const FINE = ['valid', 'unverifiable'];

export async function digestSummary(connection: DuckDBConnection, limit = 10): Promise<DigestSummary> {
  const counts = await connection.runAndReadAll(
    'select status, count(*)::integer from cloudtrail_digests group by status order by status',
  );
  const byStatus = Object.fromEntries(counts.getRows().map(([s, n]) => [String(s), Number(n)]));
  const problems = Object.entries(byStatus)
    .filter(([s]) => !FINE.includes(s))
    .reduce((sum, [, n]) => sum + n, 0);
  const reader = await connection.runAndReadAll(
    `select account, region, trail, strftime(digest_end, '%Y-%m-%dT%H:%M:%SZ'), status, detail
from cloudtrail_digests
where status not in ('valid', 'unverifiable')
order by digest_end desc, account, region, trail
limit $1`,
    [limit],
  );
  const first = reader.getRows().map(([account, region, trail, end, status, detail]) => ({
    account: String(account),
    region: String(region),
    trail: String(trail),
    digest_end: String(end),
    status: String(status),
    detail: detail === null ? null : String(plainValue(detail ?? null)),
  }));
  return { by_status: byStatus, problems, first_problems: first };
}
