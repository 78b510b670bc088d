/**
 * A benchmark's list of sizes from its command line: `--events 1000000,3000000` (underscores
 * allowed), or the default when the flag is absent.
 */
export function sizeListArg(args: readonly string[], flag: string, fallback: string, min: number): number[] {
  const at = args.indexOf(flag);
  const sizes = (at >= 0 ? String(args[at + 1]) : fallback)
    .split(',')
    .map((s) => Number(s.replaceAll('_', '')));
  if (sizes.some((n) => !Number.isInteger(n) || n < min)) {
    throw new Error(`${flag} takes one or more sizes (comma-separated), each at least ${min}`);
  }
  return sizes;
}
