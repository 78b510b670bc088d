/** The file ingest's bulk batch (`--batch-mb`), the one the default memory limit is measured for. */
export const DEFAULT_BATCH_MB = 128;
const DEFAULT_LIMIT_MB = 350;

/**
 * DuckDB's memory limit for commands that ingest (AUDITLAKE_MEMORY_LIMIT overrides). The process
 * peaks at about 2.5 times it (JSON reader buffers, allocator slack and Node): 350MB keeps a
 * 1M-event or 3M-event file ingest, with its batch being read, one being sealed and one committing
 * at once, under 1 GiB of RSS (bench:ingest: 816-978 MiB at 1M; 400MB peaked at 0.9-1.09 GiB for the
 * same speed, 250MB ran out of memory in a checkpoint). A batch larger than the default 128 MiB
 * (`--batch-mb`) needs more: 160 MiB at 350MB ran out of memory on the first commit, so the limit
 * grows with the batch, and so does the process.
 */
export function ingestMemoryLimit(env: NodeJS.ProcessEnv = process.env, batchMb?: number): string {
  if (env.AUDITLAKE_MEMORY_LIMIT) return env.AUDITLAKE_MEMORY_LIMIT;
  if (batchMb === undefined || batchMb <= DEFAULT_BATCH_MB) return `${DEFAULT_LIMIT_MB}MB`;
  return `${Math.ceil((DEFAULT_LIMIT_MB * batchMb) / DEFAULT_BATCH_MB)}MB`;
}
