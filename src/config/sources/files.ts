import { z } from 'zod';

/**
 * Local exports `auditlake run` reads like `auditlake ingest files`: CloudTrail trail trees, gcloud
 * and sink exports, Azure storage exports (README, "ingest files"). Unchanged files are skipped by
 * their checkpoint, so a nightly run reads only what arrived since. A relative path is resolved
 * against the config file's folder, so a scheduler's working directory does not matter.
 */
export const filesSourceSchema = z.strictObject({
  /** A label for this source in summaries and notifications; default: the first path. */
  name: z.string().min(1).optional(),
  /** Files and folders to read (folders at any depth). */
  paths: z.array(z.string().min(1)).min(1, 'list at least one file or folder'),
});
export type FilesSourceConfig = z.infer<typeof filesSourceSchema>;
