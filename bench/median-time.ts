/** The median wall-clock seconds of `runs` calls of `fn` (one after another). */
export async function medianSeconds(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    seconds.push((performance.now() - t0) / 1000);
  }
  seconds.sort((a, b) => a - b);
  return seconds[Math.floor(seconds.length / 2)] ?? 0;
}
