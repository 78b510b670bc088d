import { z } from 'zod';
import { endpointSchema, startSchema } from './common.js';

export const GCP_LOG_KINDS = ['activity', 'data_access', 'system_event', 'policy'] as const;

export const gcpSourceSchema = z.strictObject({
  name: z.string().min(1).optional(),
  projects: z.array(z.string().min(1)).default([]),
  folders: z.array(z.string().regex(/^\d+$/, 'expected a numeric folder id')).default([]),
  organizations: z.array(z.string().regex(/^\d+$/, 'expected a numeric organization id')).default([]),
  /** Which audit logs to read. */
  log_kinds: z.array(z.enum(GCP_LOG_KINDS)).min(1).default(['activity', 'system_event', 'policy']),
  start: startSchema,
  endpoint: endpointSchema,
});
export type GcpSourceConfig = z.infer<typeof gcpSourceSchema>;
