/**
 * DuckDB's memory limit for commands that ingest (AUDITLAKE_MEMORY_LIMIT overrides). The process
 * peaks at about 2.5 times it (JSON reader buffers, allocator slack and Node): 350MB keeps a
 * 1M-event or 3M-event file ingest, with its batch being read, one being sealed and one committing
 * at once, under 1 GiB of RSS (bench:ingest: 870-920 MiB at 1M; 400MB peaked at 0.9-1.09 GiB for the
 * same speed, 250MB ran out of memory in a checkpoint).
 */
export function ingestMemoryLimit(env: NodeJS.ProcessEnv = process.env): string {
  return env.AUDITLAKE_MEMORY_LIMIT ?? '350MB';
}
