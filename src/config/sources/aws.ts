import { z } from 'zod';
import { endpointSchema, envNameSchema, startSchema } from './common.js';

/** An AWS account to read, with how to get its credentials (the SDK's standard chain by default). */
export const awsAccountSchema = z.strictObject({
  id: z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id'),
  /** A profile of ~/.aws/config (SSO, assume-role and credential_process profiles work). */
  profile: z.string().min(1).optional(),
  /** A role to assume with the base credentials (cross-account read). */
  role_arn: z.string().startsWith('arn:').optional(),
  /** Name of the environment variable holding the role's external id, when it requires one. */
  external_id_env: envNameSchema.optional(),
});

export const awsSourceSchema = z.strictObject({
  /** A label for this source in output; defaults to mode and accounts or bucket. */
  name: z.string().min(1).optional(),
  /** `api`: CloudTrail LookupEvents (zero setup, management events, 90 days). `s3`: the trail bucket. */
  mode: z.enum(['api', 's3']).default('api'),
  accounts: z.array(awsAccountSchema).default([]),
  /** Regions to read (api mode); "all" means every commercial region the account has enabled. */
  regions: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]).default(['us-east-1']),
  /** s3 mode: the trail's bucket, optional key prefix and organization id (organization trails). */
  bucket: z.string().min(3).optional(),
  prefix: z.string().optional(),
  organization_id: z
    .string()
    .regex(/^o-[a-z0-9]{10,32}$/)
    .optional(),
  /** Region of the bucket (s3) or of STS calls. */
  region: z.string().min(1).default('us-east-1'),
  start: startSchema,
  endpoint: endpointSchema,
});
export type AwsSourceConfig = z.infer<typeof awsSourceSchema>;
