/**
 * Opt-in wall-clock totals per named phase (AUDITLAKE_TIMINGS=1), printed to stderr as one JSON
 * line when the process exits: for finding where an ingest or detection run spends its time
 * without a profiler (most of the work happens in DuckDB's threads, which a JS profiler cannot see).
 */
const enabled = process.env.AUDITLAKE_TIMINGS === '1';
const totals = new Map<string, { ms: number; calls: number }>();

if (enabled) {
  process.on('exit', () => {
    const phases = Object.fromEntries(
      [...totals].map(([name, t]) => [name, { ms: Math.round(t.ms), calls: t.calls }]),
    );
    process.stderr.write(`${JSON.stringify({ event: 'phase_timings', phases })}\n`);
  });
}

/** Runs `work`, adding its duration to `phase` when timings are on. */
export async function timePhase<T>(phase: string, work: () => Promise<T>): Promise<T> {
  if (!enabled) return work();
  const t0 = performance.now();
  try {
    return await work();
  } finally {
    const entry = totals.get(phase) ?? { ms: 0, calls: 0 };
    entry.ms += performance.now() - t0;
    entry.calls++;
    totals.set(phase, entry);
  }
}
