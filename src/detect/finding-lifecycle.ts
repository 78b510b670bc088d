/**
 * Finding statuses and the moves between them, in one place. People move findings with
 * `auditlake findings ack|suppress|resolve`; the engine moves them when a detector fires again.
 */
export const FINDING_STATUSES = ['open', 'acknowledged', 'suppressed', 'resolved'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

export type ManualAction = 'ack' | 'suppress' | 'resolve';

const TARGET: Record<ManualAction, FindingStatus> = {
  ack: 'acknowledged',
  suppress: 'suppressed',
  resolve: 'resolved',
};

/** Which statuses each action may start from. */
const ALLOWED_FROM: Record<ManualAction, readonly FindingStatus[]> = {
  ack: ['open'],
  suppress: ['open', 'acknowledged'],
  resolve: ['open', 'acknowledged', 'suppressed'],
};

/** The new status, or an explanation of why the move is not allowed. */
export function manualTransition(
  from: FindingStatus,
  action: ManualAction,
): { ok: true; to: FindingStatus } | { ok: false; reason: string } {
  if (ALLOWED_FROM[action].includes(from)) return { ok: true, to: TARGET[action] };
  return {
    ok: false,
    reason: `the finding is ${from}; ${action} applies to ${ALLOWED_FROM[action].join(' or ')} findings`,
  };
}

export interface HitState {
  readonly status: FindingStatus;
  /** True when the current suppression came from an auditlake.yaml rule (not a person). */
  readonly suppressedByRule: boolean;
}

export interface Hit {
  /** An active auditlake.yaml rule matches this hit. */
  readonly suppressed: boolean;
  /** The hit brought evidence the finding did not have (a rerun of a seen window brings none). */
  readonly newEvidence: boolean;
}

export type HitChange = 'none' | 'suppressed' | 'reopened' | 'unsuppressed';

/**
 * What a detector firing again does to an existing finding:
 * - a matching rule suppresses open and acknowledged findings (rules are reviewed config);
 * - a rule-suppressed finding whose rule expired or was removed reopens on new evidence;
 * - a resolved finding reopens on new evidence (suppressed instead, if a rule matches);
 * - a person's suppression or acknowledgement stands.
 * Without new evidence nothing reopens, so rerunning an old window changes no status.
 */
export function onHit(state: HitState, hit: Hit): { status: FindingStatus; change: HitChange } {
  switch (state.status) {
    case 'open':
    case 'acknowledged':
      return hit.suppressed
        ? { status: 'suppressed', change: 'suppressed' }
        : { status: state.status, change: 'none' };
    case 'suppressed':
      if (state.suppressedByRule && !hit.suppressed && hit.newEvidence)
        return { status: 'open', change: 'unsuppressed' };
      return { status: 'suppressed', change: 'none' };
    case 'resolved':
      if (!hit.newEvidence) return { status: 'resolved', change: 'none' };
      return hit.suppressed
        ? { status: 'suppressed', change: 'reopened' }
        : { status: 'open', change: 'reopened' };
  }
}
