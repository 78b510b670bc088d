import { z } from 'zod';
import { awsSourceSchema } from './sources/aws.js';
import { azureSourceSchema } from './sources/azure.js';
import { filesSourceSchema } from './sources/files.js';
import { gcpSourceSchema } from './sources/gcp.js';

/** `sources:` in auditlake.yaml: the cloud APIs `auditlake ingest` pulls from. */
export const sourcesSchema = z.strictObject({
  aws: z.array(awsSourceSchema).default([]),
  gcp: z.array(gcpSourceSchema).default([]),
  azure: z.array(azureSourceSchema).default([]),
  /** Local export folders, read by `auditlake run` (and `auditlake ingest files PATH` by hand). */
  files: z.array(filesSourceSchema).default([]),
});
export type SourcesConfig = z.infer<typeof sourcesSchema>;
