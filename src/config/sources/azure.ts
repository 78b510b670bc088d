import { z } from 'zod';
import { endpointSchema, startSchema } from './common.js';

export const AZURE_TABLES = ['AzureActivity', 'SigninLogs', 'AuditLogs'] as const;

export const azureSourceSchema = z.strictObject({
  name: z.string().min(1).optional(),
  /** The Log Analytics workspace (customer) id the diagnostic settings send to. */
  workspace_id: z.string().uuid('expected the workspace id, a GUID'),
  tables: z
    .array(z.enum(AZURE_TABLES))
    .min(1)
    .default([...AZURE_TABLES]),
  start: startSchema,
  endpoint: endpointSchema,
});
export type AzureSourceConfig = z.infer<typeof azureSourceSchema>;
