/**
 * DuckDB's memory limit for commands that ingest (AUDITLAKE_MEMORY_LIMIT overrides). The process
 * peaks at about twice it (JSON reader buffers, allocator slack and Node): 400MB keeps a 1M-event
 * or 3M-event file ingest under 1 GiB of RSS while the bulk reader still fits its 64 MiB objects
 * (bench:ingest; 512MB peaked at 1.15-1.19 GB for the same speed).
 */
export function ingestMemoryLimit(env: NodeJS.ProcessEnv = process.env): string {
  return env.AUDITLAKE_MEMORY_LIMIT ?? '400MB';
}
