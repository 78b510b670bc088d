import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { GetObjectCommand, HeadBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { AwsSourceConfig } from '../../config/sources/aws.js';
import { describeError } from '../../errors.js';
import type { ConnectorContext, DoctorCheck } from '../source-connector.js';
import { errorName, kindOf, requestIdOf, statusOf } from './aws-errors.js';
import { createCloudTrailClient } from './cloudtrail-api.js';
import { credentialsFor } from './credentials.js';
import { apiRegions, baseCredentials } from './plan.js';
import { listPublicKeys } from './public-keys.js';
import { createS3Client, normalizePrefix, S3TrailConnector } from './s3-trail.js';

/** One line for a failed call: the error, what it means, the request id. */
function explain(error: unknown, permission: string): string {
  const kind = kindOf(error);
  const id = requestIdOf(error);
  const what = describeError(error).split('\n')[0];
  const status = statusOf(error);
  const text = what && what !== 'UnknownError' ? what : status ? `HTTP ${status}` : errorName(error);
  const meaning =
    kind === 'auth'
      ? 'credentials rejected or expired'
      : kind === 'permission'
        ? /kms/i.test(text)
          ? 'kms:Decrypt denied on the trail key'
          : `${permission} denied`
        : kind === 'not_found'
          ? 'does not exist'
          : kind;
  return `${meaning}: ${errorName(error)}: ${text}${id ? ` (request id ${id})` : ''}`;
}

async function doctorApi(source: AwsSourceConfig, context: ConnectorContext): Promise<DoctorCheck[]> {
  const base = baseCredentials(source);
  const checks: DoctorCheck[] = [];
  for (const account of source.accounts) {
    const credentials = credentialsFor(account, base, source.region);
    const regions = apiRegions(source);
    // Regions in parallel: one request each, far below every quota.
    const results = await Promise.all(
      regions.map(async ({ region, skipIfNotEnabled }) => {
        const client = createCloudTrailClient({ region, endpoint: source.endpoint, credentials });
        try {
          await client.send(new LookupEventsCommand({ MaxResults: 1 }));
          return { region, error: null as unknown, skipped: false };
        } catch (error) {
          return { region, error, skipped: skipIfNotEnabled && kindOf(error) === 'auth' };
        } finally {
          client.destroy();
        }
      }),
    );
    const authFailure = results.find((r) => r.error !== null && !r.skipped && kindOf(r.error) === 'auth');
    const scope = `account ${account.id}`;
    const how = account.role_arn
      ? `role ${account.role_arn}`
      : account.profile
        ? `profile ${account.profile}`
        : account.access_key_id_env
          ? `keys from $${account.access_key_id_env}`
          : source.credentials
            ? 'source credentials'
            : 'SDK default chain';
    checks.push({
      source: 'aws',
      scope,
      check: 'credentials',
      ok: !authFailure,
      detail: authFailure
        ? `${how}: ${explain(authFailure.error, 'cloudtrail:LookupEvents')}`
        : `${how}: accepted`,
    });
    for (const r of results) {
      if (authFailure && r.error !== null && kindOf(r.error) === 'auth' && !r.skipped) continue;
      checks.push({
        source: 'aws',
        scope: `${scope} ${r.region}`,
        check: 'cloudtrail:LookupEvents',
        ok: r.error === null || r.skipped,
        detail:
          r.error === null
            ? 'allowed'
            : r.skipped
              ? 'region not enabled for this account: skipped'
              : explain(r.error, 'cloudtrail:LookupEvents'),
      });
    }
    context.log('aws.doctor', { scope, regions: regions.length, credentials_ok: !authFailure });
  }
  return checks;
}

async function doctorS3(source: AwsSourceConfig, context: ConnectorContext): Promise<DoctorCheck[]> {
  const bucket = source.bucket ?? '';
  const prefix = normalizePrefix(source.prefix);
  const scope = `bucket s3://${bucket}/${prefix}`;
  const credentials = baseCredentials(source);
  const client = createS3Client({ region: source.region, endpoint: source.endpoint, credentials });
  const checks: DoctorCheck[] = [];
  const check = (name: string, ok: boolean, detail: string) =>
    checks.push({ source: 'aws', scope, check: name, ok, detail });
  try {
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
      check('bucket', true, 'exists and is reachable');
    } catch (error) {
      // HeadBucket has no body: 403 means refused credentials or a missing s3:ListBucket alike.
      check('bucket', false, explain(error, 's3:ListBucket'));
    }
    // ListObjectsV2 names the reason (InvalidAccessKeyId vs AccessDenied) that HeadBucket cannot.
    let firstKey: string | undefined;
    let firstRegion: string | undefined;
    try {
      await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}AWSLogs/`, Delimiter: '/', MaxKeys: 1 }),
      );
      check('credentials', true, 'accepted');
      const connector = new S3TrailConnector({
        bucket,
        prefix,
        organizationId: source.organization_id,
        accounts: source.accounts.length ? source.accounts.map((a) => a.id) : null,
        regions: Array.isArray(source.regions) ? source.regions : null,
        region: source.region,
        endpoint: source.endpoint,
        credentials,
        start: new Date(),
        overlapMs: 0,
        concurrency: 1,
        retry: { attempts: 2, base_ms: 200, max_ms: 1000 },
        context,
      });
      const streams = await connector.withClient(client, (signal) => connector.discover(signal));
      check(
        's3:ListBucket',
        true,
        streams.length
          ? `${streams.length} account/region folder(s) under ${prefix}AWSLogs/: ${streams
              .slice(0, 5)
              .map((s) => s.id)
              .join(', ')}${streams.length > 5 ? ', ...' : ''}`
          : `no trail folders under ${prefix}AWSLogs/ yet (wrong prefix, or the trail has not delivered)`,
      );
      const first = streams[0];
      firstRegion = first?.id.split('/').at(-1);
      if (first) {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: first.base, MaxKeys: 1 }),
        );
        firstKey = page.Contents?.[0]?.Key;
      }
    } catch (error) {
      const kind = kindOf(error);
      if (kind === 'auth') check('credentials', false, explain(error, 's3:ListBucket'));
      else {
        // AccessDenied comes after authentication: the credentials themselves were accepted.
        if (kind === 'permission' && !checks.some((c) => c.check === 'credentials'))
          check('credentials', true, 'accepted');
        check('s3:ListBucket', false, explain(error, 's3:ListBucket'));
      }
    }
    if (firstKey) {
      try {
        // One byte proves s3:GetObject (and kms:Decrypt for SSE-KMS trails) without ingesting.
        const answer = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: firstKey, Range: 'bytes=0-0' }),
        );
        (answer.Body as { destroy?: () => void } | undefined)?.destroy?.();
        check('s3:GetObject', true, `read s3://${bucket}/${firstKey}`);
      } catch (error) {
        check('s3:GetObject', false, `s3://${bucket}/${firstKey}: ${explain(error, 's3:GetObject')}`);
      }
    }
    if (source.verify_digests) checks.push(await doctorPublicKeys(source, scope, firstRegion, context));
  } finally {
    client.destroy();
  }
  return checks;
}

/**
 * Digest verification fetches CloudTrail's public keys (cloudtrail:ListPublicKeys), a permission a
 * bucket reader often lacks: without it every digest of the run would fail to verify.
 */
async function doctorPublicKeys(
  source: AwsSourceConfig,
  scope: string,
  region: string | undefined,
  context: ConnectorContext,
): Promise<DoctorCheck> {
  const where = region ?? source.region;
  const to = context.now();
  try {
    const keys = await listPublicKeys({
      region: where,
      endpoint: source.cloudtrail_endpoint,
      credentials: baseCredentials(source),
      from: new Date(to.getTime() - 86_400_000),
      to,
    });
    return {
      source: 'aws',
      scope,
      check: 'cloudtrail:ListPublicKeys',
      ok: true,
      detail: `${keys.length} public key(s) for digest files in ${where} over the last day`,
    };
  } catch (error) {
    return {
      source: 'aws',
      scope,
      check: 'cloudtrail:ListPublicKeys',
      ok: false,
      detail: `${where}: ${explain(error, 'cloudtrail:ListPublicKeys')}; digest files cannot be verified without it (or set verify_digests: false)`,
    };
  }
}

/** Checks credentials and permissions of each source with one cheap call per permission. */
export async function doctorAws(
  sources: readonly AwsSourceConfig[],
  context: ConnectorContext,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  for (const source of sources) {
    checks.push(
      ...(source.mode === 's3' ? await doctorS3(source, context) : await doctorApi(source, context)),
    );
  }
  return checks;
}
