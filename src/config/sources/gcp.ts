import { z } from 'zod';
import { endpointSchema, startSchema } from './common.js';

export const GCP_LOG_KINDS = ['activity', 'data_access', 'system_event', 'policy'] as const;

/** A short duration: "30s", "10m", "2h". */
const durationSchema = z.string().regex(/^\d+[smh]$/, 'expected a duration like 30s, 10m or 2h');

export const gcpSourceSchema = z.strictObject({
  name: z.string().min(1).optional(),
  /** Project ids (not numbers or display names) whose audit logs to read. */
  projects: z
    .array(
      // Also keeps quotes and slashes out of the filter the id is written into.
      z.string().regex(/^[a-z][-a-z0-9.:]{0,98}[a-z0-9]$/, 'expected a project id like my-project-123'),
    )
    .default([]),
  /** Folder ids: reads the folder's own audit logs (not its projects'). */
  folders: z.array(z.string().regex(/^\d+$/, 'expected a numeric folder id')).default([]),
  /** Organization ids: reads the organization's own audit logs (not its projects'). */
  organizations: z.array(z.string().regex(/^\d+$/, 'expected a numeric organization id')).default([]),
  /** Which audit logs to read. data_access needs roles/logging.privateLogViewer. */
  log_kinds: z.array(z.enum(GCP_LOG_KINDS)).min(1).default(['activity', 'system_event', 'policy']),
  /** First run only: where to begin (default 7d). Later runs resume at the checkpoint. */
  start: startSchema,
  /**
   * How far behind the last read each run re-reads, for entries Cloud Logging makes visible late
   * (dedupe by insertId makes the re-read free of duplicates). Default 10m.
   */
  overlap: durationSchema.default('10m'),
  /** Entries newer than now minus this are left for the next run (they may still be arriving). */
  settle: durationSchema.default('30s'),
  /**
   * entries.list requests per minute per project, folder or organization: the Cloud Logging quota
   * is 60. Lower it when other tools read the same projects.
   */
  requests_per_minute: z.number().int().min(1).max(6000).default(60),
  /** Entries per request; 1000 is the API's maximum and gets the most out of the quota. */
  page_size: z.number().int().min(1).max(1000).default(1000),
  endpoint: endpointSchema,
});
export type GcpSourceConfig = z.infer<typeof gcpSourceSchema>;
