import { dirname, resolve } from 'node:path';
import type { LoadedConfig } from '../config/load-config.js';
import { type CloudTrailPublicKey, readPublicKeyFile } from './public-keys.js';
import type { DigestCheckSummary } from './verify-digests.js';

/** The public keys `integrity.cloudtrail_public_keys` names (relative to the config file), or none. */
export function configPublicKeys(loaded: LoadedConfig, cwd = process.cwd()): CloudTrailPublicKey[] {
  const file = loaded.config.integrity.cloudtrail_public_keys;
  if (!file) return [];
  return readPublicKeyFile(resolve(loaded.file ? dirname(loaded.file) : cwd, file));
}

/** One line for the ingest summary: how many digests were checked and what came of it. */
export function digestSummaryLine(summary: DigestCheckSummary): string {
  const counts = Object.entries(summary.statuses)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([status, n]) => `${n} ${status.replaceAll('_', ' ')}`)
    .join(', ');
  const failed = ['bad_signature', 'chain_broken', 'log_hash_mismatch', 'log_file_missing', 'missing'].some(
    (s) => (summary.statuses as Record<string, number | undefined>)[s],
  );
  const problems = summary.problems.map((p) => `\n  ${p}`).join('');
  return `cloudtrail digests: ${summary.digests} checked (${counts || 'none'})${
    failed ? ' - see `auditlake query "select * from cloudtrail_digests where status <> \'valid\'"`' : ''
  }${problems}`;
}
