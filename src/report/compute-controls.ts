import type { Detector } from '../detect/load-detectors.js';
import { countBySeverity } from './compute-findings.js';
import type { CheckName, Framework, FrameworkControl } from './frameworks.js';
import { detectorServes } from './frameworks.js';
import type {
  ChainCheck,
  CheckResult,
  ControlResult,
  ControlStatus,
  Coverage,
  DetectorInForce,
  QueryEvidence,
  ReportFinding,
  ReviewRecord,
  SourceSummary,
} from './report-model.js';
import { chainBreakText, SEVERITY_ORDER } from './report-model.js';

/**
 * Control status for the period, from the evidence each control names:
 * - `not applicable`: the framework file says audit logs cannot evidence it (and why);
 * - `no evidence`: something it needs is missing: a source in scope without events, a detector
 *   serving it that did not run, a check without data, or no evidence defined at all;
 * - `findings`: unsuppressed findings of its detectors, or exceptions of its checks (silent days,
 *   days without review, undisposed high findings);
 * - `satisfied`: evidence present and nothing found.
 */

export interface CheckInputs {
  sources: readonly SourceSummary[];
  coverage: Coverage;
  review: ReviewRecord;
  findings: readonly ReportFinding[];
  digestEvents: number;
  verification: ChainCheck;
  retention: { oldest_event: string | null; days_held: number; days_required: number };
  periodDays: number;
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function evaluateChecks(inputs: CheckInputs): Record<CheckName, CheckResult> {
  const { sources, coverage, review, findings } = inputs;
  const missing = sources.filter((s) => s.missing).map((s) => s.source);
  const gaps = coverage.gap_count;
  const coverageCheck: CheckResult =
    sources.length === 0 || sources.every((s) => s.missing)
      ? {
          name: 'coverage',
          status: 'no data',
          detail: 'no events from any source in the period',
          exceptions: 0,
        }
      : missing.length > 0
        ? {
            name: 'coverage',
            status: 'no data',
            detail: `no events at all from ${missing.join(', ')} in the period`,
            exceptions: gaps,
          }
        : gaps > 0
          ? {
              name: 'coverage',
              status: 'exceptions',
              detail: `${plural(gaps, 'silent day')} across ${plural(
                coverage.streams.filter((s) => s.gap_days.length > 0).length,
                'stream',
              )} of ${coverage.streams.length}`,
              exceptions: gaps,
            }
          : {
              name: 'coverage',
              status: 'pass',
              detail: `all ${plural(coverage.streams.length, 'stream')} delivered events every day`,
              exceptions: 0,
            };
  const notReviewed = review.days_not_reviewed.length;
  const reviewCheck: CheckResult =
    review.days_reviewed === 0
      ? {
          name: 'review',
          status: 'no data',
          detail: 'no detection run covered any day of the period',
          exceptions: 0,
        }
      : notReviewed > 0
        ? {
            name: 'review',
            status: 'exceptions',
            detail: `${plural(notReviewed, 'day')} without a review run: ${review.days_not_reviewed.join(', ')}`,
            exceptions: notReviewed,
          }
        : {
            name: 'review',
            status: 'pass',
            detail: `every one of ${plural(inputs.periodDays, 'day')} reviewed by detection runs`,
            exceptions: 0,
          };
  const r = inputs.retention;
  const retentionCheck: CheckResult =
    r.oldest_event === null
      ? { name: 'retention', status: 'no data', detail: 'the store holds no events', exceptions: 0 }
      : r.days_held >= r.days_required
        ? {
            name: 'retention',
            status: 'pass',
            detail: `the store holds ${r.days_held} days of history (${r.days_required} required)`,
            exceptions: 0,
          }
        : {
            name: 'retention',
            status: 'no data',
            detail: `the store holds ${r.days_held} days of history; ${r.days_required} required cannot be shown yet`,
            exceptions: 0,
          };
  const integrityCheck = integrityOf(inputs.digestEvents, inputs.verification);
  const undisposed = findings.filter(
    (f) => (f.severity === 'high' || f.severity === 'critical') && f.status === 'open',
  ).length;
  const dispositionsCheck: CheckResult =
    undisposed > 0
      ? {
          name: 'dispositions',
          status: 'exceptions',
          detail: `${plural(undisposed, 'high or critical finding')} still open without acknowledgement`,
          exceptions: undisposed,
        }
      : {
          name: 'dispositions',
          status: 'pass',
          detail: `every high or critical finding acknowledged, resolved or suppressed (${review.dispositions.length} status changes)`,
          exceptions: 0,
        };
  return {
    coverage: coverageCheck,
    review: reviewCheck,
    retention: retentionCheck,
    integrity: integrityCheck,
    dispositions: dispositionsCheck,
  };
}

/**
 * Passes only on a chain recomputed for this report: a digest on the cover proves nothing about
 * events changed since they were chained until someone recomputes it.
 */
function integrityOf(digestEvents: number, v: ChainCheck): CheckResult {
  if (!v.performed) {
    return {
      name: 'integrity',
      status: 'no data',
      detail: `not verified for this report (made with --no-verify); \`auditlake verify --from ${v.range.from ?? '...'} --to ${v.range.to ?? '...'}\` checks it`,
      exceptions: 0,
    };
  }
  if (v.status === 'broken') {
    return {
      name: 'integrity',
      status: 'exceptions',
      detail: `the hash chain does not verify: ${plural(v.problems_total, 'problem')}, first ${chainBreakText(v.first_break)}`,
      exceptions: v.problems_total,
    };
  }
  if (digestEvents === 0) {
    return { name: 'integrity', status: 'no data', detail: 'no chained events in the period', exceptions: 0 };
  }
  return {
    name: 'integrity',
    status: 'pass',
    detail: `verified when this report was made: ${plural(v.checked.events, 'event')} in ${plural(v.checked.slices, 'slice')} recompute to their committed digests and all ${plural(v.checked.batches, 'chain link')} hold`,
    exceptions: 0,
  };
}

export function evaluateControl(
  control: FrameworkControl,
  context: {
    library: readonly Detector[];
    inForce: ReadonlyMap<string, DetectorInForce>;
    scope: readonly string[];
    checks: Record<CheckName, CheckResult>;
    queries: ReadonlyMap<string, QueryEvidence>;
    findings: readonly ReportFinding[];
    periodEvents: number;
  },
): ControlResult {
  const mine = context.findings.filter((f) => f.controls.includes(control.id));
  const active = mine.filter((f) => f.status !== 'suppressed');
  const counts = countBySeverity(mine);
  const detectors = context.library
    .filter((d) => detectorServes(d.header.controls, control))
    .filter((d) => d.header.sources.some((s) => context.scope.includes(s)))
    .map((d) => ({
      id: d.id,
      ran: (context.inForce.get(d.id)?.days_run ?? 0) > 0,
      findings: active.filter((f) => f.detector === d.id).length,
    }));
  const checks = control.checks.map((c) => context.checks[c]);
  const base = {
    id: control.id,
    title: control.title,
    requirement: control.requirement,
    maps_to: control.mapsTo,
    review: control.review,
    findings: counts,
    finding_ids: mine.map((f) => f.id),
    suppressed: mine.length - active.length,
    detectors,
    checks,
    queries: control.queries,
  };
  const result = (status: ControlStatus, reason: string): ControlResult => ({ ...base, status, reason });
  if (control.notApplicable) return result('not applicable', control.notApplicable);
  const missing: string[] = [];
  if (detectors.length === 0 && checks.length === 0 && control.queries.length === 0) {
    missing.push('no detector, check or query evidences it');
  }
  if (context.periodEvents === 0) missing.push('no events in the period');
  const idle = detectors.filter((d) => !d.ran).map((d) => d.id);
  if (idle.length > 0) missing.push(`did not run in the period: ${idle.join(', ')}`);
  for (const c of checks) if (c.status === 'no data') missing.push(`${c.name}: ${c.detail}`);
  for (const q of control.queries) {
    const e = context.queries.get(q);
    if (!e || e.error) missing.push(`query ${q} failed${e?.error ? `: ${e.error}` : ''}`);
  }
  const found = SEVERITY_ORDER.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  const exceptions = checks.filter((c) => c.status === 'exceptions').map((c) => `${c.name}: ${c.detail}`);
  if (missing.length > 0) {
    const also = found.length ? [`also findings: ${found.join(', ')}`] : [];
    return result('no evidence', [...missing, ...also].join('; '));
  }
  if (found.length > 0 || exceptions.length > 0) {
    return result(
      'findings',
      [found.length ? `findings: ${found.join(', ')}` : '', ...exceptions].filter(Boolean).join('; '),
    );
  }
  const evidence = [
    detectors.length
      ? `${detectors.length} detector${detectors.length === 1 ? '' : 's'} ran, nothing found`
      : '',
    ...checks.map((c) => `${c.name}: ${c.detail}`),
    control.queries.length ? `queries: ${control.queries.join(', ')}` : '',
  ].filter(Boolean);
  return result('satisfied', evidence.join('; '));
}

export function evaluateControls(
  framework: Framework,
  context: Parameters<typeof evaluateControl>[1],
): ControlResult[] {
  return framework.controls.map((c) => evaluateControl(c, context));
}
