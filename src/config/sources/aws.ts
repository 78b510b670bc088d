import { z } from 'zod';
import { endpointSchema, envNameSchema, startSchema } from './common.js';

/** A short duration: "30s", "10m", "2h". */
const durationSchema = z.string().regex(/^\d+[smh]$/, 'expected a duration like 30s, 10m or 2h');

/**
 * Where credentials come from, all by reference: a profile of ~/.aws/config, a role to assume,
 * or the NAMES of environment variables. With none of them the SDK's standard chain applies
 * (environment, SSO, web identity, ECS/EC2 instance roles).
 */
const credentialFields = {
  /** A profile of ~/.aws/config (SSO, assume-role and credential_process profiles work). */
  profile: z.string().min(1).optional(),
  /** A role to assume with the base credentials (cross-account read). */
  role_arn: z.string().startsWith('arn:').optional(),
  /** Name of the environment variable holding the role's external id, when it requires one. */
  external_id_env: envNameSchema.optional(),
  /** Names of environment variables holding an access key (both or neither), and a session token. */
  access_key_id_env: envNameSchema.optional(),
  secret_access_key_env: envNameSchema.optional(),
  session_token_env: envNameSchema.optional(),
};

function checkCredentialFields(
  value: {
    access_key_id_env?: string | undefined;
    secret_access_key_env?: string | undefined;
    profile?: string | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  if (Boolean(value.access_key_id_env) !== Boolean(value.secret_access_key_env)) {
    ctx.addIssue({
      code: 'custom',
      message: 'access_key_id_env and secret_access_key_env go together',
      path: [value.access_key_id_env ? 'secret_access_key_env' : 'access_key_id_env'],
    });
  }
  if (value.profile && value.access_key_id_env) {
    ctx.addIssue({
      code: 'custom',
      message: 'give either a profile or access key variables, not both',
      path: ['profile'],
    });
  }
}

export const awsCredentialsSchema = z.strictObject(credentialFields).superRefine(checkCredentialFields);
export type AwsCredentialsConfig = z.infer<typeof awsCredentialsSchema>;

/** An AWS account to read, with how to get its credentials (the SDK's standard chain by default). */
export const awsAccountSchema = z
  .strictObject({
    id: z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id'),
    ...credentialFields,
  })
  .superRefine(checkCredentialFields);
export type AwsAccountConfig = z.infer<typeof awsAccountSchema>;

export const awsSourceSchema = z
  .strictObject({
    /** A label for this source in output; defaults to mode and accounts or bucket. */
    name: z.string().min(1).optional(),
    /** `api`: CloudTrail LookupEvents (zero setup, management events, 90 days). `s3`: the trail bucket. */
    mode: z.enum(['api', 's3']).default('api'),
    /**
     * api: the accounts to read (one stream per account and region), each with its credentials.
     * s3: which accounts' logs to read from the bucket (ids only; default: every account found).
     */
    accounts: z.array(awsAccountSchema).default([]),
    /**
     * Regions to read. api: default ["us-east-1"]; "all" is the built-in list of commercial regions
     * (opt-in regions that are not enabled are skipped). s3: default every region found in the bucket.
     */
    regions: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]).optional(),
    /** s3 mode: the trail's bucket, optional key prefix and organization id (organization trails). */
    bucket: z.string().min(3).optional(),
    prefix: z.string().optional(),
    organization_id: z
      .string()
      .regex(/^o-[a-z0-9]{10,32}$/)
      .optional(),
    /** Region of the bucket (s3) or of STS calls. */
    region: z.string().min(1).default('us-east-1'),
    /**
     * Base credentials: the bucket's (s3), and the ones each account's role is assumed with (api)
     * when the account names no credentials of its own. Default: the SDK's standard chain.
     */
    credentials: awsCredentialsSchema.optional(),
    /** First run only: where to begin (default 7d; LookupEvents keeps 90 days). */
    start: startSchema,
    /**
     * How far behind the last read each run re-reads, for events (api) and trail files (s3) that
     * CloudTrail makes visible late; dedupe by eventID makes the re-read free of duplicates.
     */
    overlap: durationSchema.default('15m'),
    /**
     * api: LookupEvents requests per second per account and region. AWS allows 2; lower it when
     * other tools read the same accounts. Raising it only earns ThrottlingExceptions.
     */
    requests_per_second: z.number().positive().max(1000).default(2),
    /** s3: trail objects downloaded at once per source (a few keep the writer busy). */
    concurrency: z.number().int().min(1).max(32).default(4),
    /**
     * Attempts per request (the first included) for throttling, 5xx and network failures, with
     * exponential backoff from base_ms up to max_ms: a long throttling spell slows a run instead
     * of failing it.
     */
    retry: z
      .strictObject({
        attempts: z.number().int().min(1).max(20).default(8),
        base_ms: z.number().int().min(1).default(500),
        max_ms: z.number().int().min(1).default(20_000),
      })
      .default({ attempts: 8, base_ms: 500, max_ms: 20_000 }),
    endpoint: endpointSchema,
    /**
     * s3: also read the trail's CloudTrail-Digest/ files and verify them (signatures, chain, log file
     * hashes; docs/integrity.md). Needs s3:GetObject on CloudTrail-Digest/ and cloudtrail:ListPublicKeys.
     */
    verify_digests: z.boolean().default(true),
    /** s3: CloudTrail endpoint for ListPublicKeys (a VPC endpoint or, in tests, a loopback fake). */
    cloudtrail_endpoint: endpointSchema,
  })
  .superRefine((source, ctx) => {
    if (source.mode === 'api' && source.accounts.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: 'api mode reads the accounts listed here: add at least one `- id: 111122223333`',
        path: ['accounts'],
      });
    }
    if (source.mode === 's3') {
      if (!source.bucket) {
        ctx.addIssue({ code: 'custom', message: 's3 mode needs the trail bucket', path: ['bucket'] });
      }
      source.accounts.forEach((account, i) => {
        const { id: _id, ...credentials } = account;
        if (Object.values(credentials).some((v) => v !== undefined)) {
          ctx.addIssue({
            code: 'custom',
            message:
              'in s3 mode accounts only choose whose logs to read: put the bucket credentials under `credentials`',
            path: ['accounts', i],
          });
        }
      });
    }
  });
export type AwsSourceConfig = z.infer<typeof awsSourceSchema>;
