/**
 * Fault injection for the crash-safety tests: AUDITLAKE_CRASH_AT="<point>:<n>" makes the process
 * kill itself with SIGKILL the n-th time it reaches <point>. Unset in normal use, where this costs
 * one comparison per call.
 */
export type CrashPoint = 'staged-record' | 'before-commit' | 'after-commit';

const spec = /^(staged-record|before-commit|after-commit):(\d+)$/.exec(process.env.AUDITLAKE_CRASH_AT ?? '');
const target = spec ? { point: spec[1] as CrashPoint, n: Number(spec[2]) } : null;
let seen = 0;

export function crashPoint(point: CrashPoint): void {
  if (target === null || target.point !== point) return;
  seen++;
  if (seen === target.n) process.kill(process.pid, 'SIGKILL');
}
