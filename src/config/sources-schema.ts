import { z } from 'zod';
import { awsSourceSchema } from './sources/aws.js';
import { azureSourceSchema } from './sources/azure.js';
import { gcpSourceSchema } from './sources/gcp.js';

/** `sources:` in auditlake.yaml: the cloud APIs `auditlake ingest` pulls from. */
export const sourcesSchema = z.strictObject({
  aws: z.array(awsSourceSchema).default([]),
  gcp: z.array(gcpSourceSchema).default([]),
  azure: z.array(azureSourceSchema).default([]),
});
export type SourcesConfig = z.infer<typeof sourcesSchema>;
