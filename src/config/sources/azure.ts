import { z } from 'zod';
import { endpointSchema, startSchema } from './common.js';

export const AZURE_TABLES = ['AzureActivity', 'SigninLogs', 'AuditLogs'] as const;
export type AzureTable = (typeof AZURE_TABLES)[number];

/** A short duration: "30s", "10m", "2h". */
const durationSchema = z.string().regex(/^\d+[smh]$/, 'expected a duration like 30s, 10m or 2h');

/**
 * One Log Analytics workspace. Credentials are never configured here: the connector uses the
 * standard Azure chain (DefaultAzureCredential: AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET,
 * workload or managed identity, Azure CLI, ...). See docs/connectors/azure.md.
 */
export const azureSourceSchema = z.strictObject({
  name: z.string().min(1).optional(),
  /** The Log Analytics workspace (customer) id the diagnostic settings send to. */
  workspace_id: z.string().uuid('expected the workspace id, a GUID'),
  tables: z
    .array(z.enum(AZURE_TABLES))
    .min(1)
    .default([...AZURE_TABLES]),
  /** First run only: where to begin (default 7d). Later runs resume at the checkpoint. */
  start: startSchema,
  /**
   * How far behind the checkpoint each run re-reads, for rows Log Analytics makes visible late
   * (ingestion latency is usually minutes, Entra ID logs sometimes much more). Dedupe by record id
   * makes the re-read free of duplicates. A row is never missed when its latency is below
   * settle + overlap. Default 1h.
   */
  overlap: durationSchema.default('1h'),
  /** Rows newer than now minus this are left for the next run (they are still arriving). Default 5m. */
  settle: durationSchema.default('5m'),
  /**
   * Queries per 30 seconds: the Log Analytics quota is 200 per identity. Lower it when other tools
   * query with the same identity; the smallest value among the azure sources applies, as every
   * workspace is queried with the one identity.
   */
  queries_per_30s: z.number().int().min(1).max(200).default(200),
  endpoint: endpointSchema,
});
export type AzureSourceConfig = z.infer<typeof azureSourceSchema>;
