import type { DuckDBConnection } from '@duckdb/node-api';
import { type RetentionConfig, retentionDays } from '../config/ops-schema.js';
import { describeError } from '../errors.js';
import { pruneEvents } from '../store/chain-prune.js';

const DAY_MS = 86_400_000;

/** What a run's retention step did; `policy` is the configured `retention.events`. */
export interface RetentionOutcome {
  policy: string;
  /** Events of UTC days before this one (YYYY-MM-DD) are pruned; null when nothing is. */
  cutoff: string | null;
  events_deleted: number;
  days_pruned: number;
  error: string | null;
}

/** The first UTC day kept: whole days only, so an event is kept at least `days` days. */
export function retentionCutoff(days: number, now: Date): Date {
  return new Date((Math.floor(now.getTime() / DAY_MS) - days) * DAY_MS);
}

/**
 * Prunes events older than the policy through `pruneEvents`, which records each pruned day's root
 * so `auditlake verify` still passes, and refuses when the days to prune do not verify. Findings,
 * detection runs and reports are never touched. A failure is returned, not thrown: the run's other
 * results stand, and the run is reported partial with the reason.
 */
export async function applyRetention(
  connection: DuckDBConnection,
  retention: RetentionConfig,
  now: Date,
): Promise<RetentionOutcome> {
  const days = retentionDays(retention);
  if (days === null) {
    return { policy: retention.events, cutoff: null, events_deleted: 0, days_pruned: 0, error: null };
  }
  const cutoff = retentionCutoff(days, now);
  const cutoffDay = cutoff.toISOString().slice(0, 10);
  try {
    const outcome = await pruneEvents(connection, cutoff);
    return {
      policy: retention.events,
      cutoff: outcome.before,
      events_deleted: outcome.events_deleted,
      days_pruned: outcome.days.length,
      error: null,
    };
  } catch (error) {
    return {
      policy: retention.events,
      cutoff: cutoffDay,
      events_deleted: 0,
      days_pruned: 0,
      error: describeError(error).split('\n')[0] ?? 'pruning failed',
    };
  }
}
