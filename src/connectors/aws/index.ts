import type { AwsSourceConfig } from '../../config/sources/aws.js';
import { AuditlakeError } from '../../errors.js';
import type { CloudConnectors, ConnectorContext, SourceConnector } from '../source-connector.js';
import { CloudTrailApiConnector } from './cloudtrail-api.js';
import { credentialsFor } from './credentials.js';
import { doctorAws } from './doctor.js';
import { apiRegions, baseCredentials, DEFAULT_START } from './plan.js';
import { normalizePrefix, S3TrailConnector } from './s3-trail.js';
import { durationMs, startTime } from './time.js';

function apiConnectors(source: AwsSourceConfig, context: ConnectorContext): SourceConnector[] {
  const base = baseCredentials(source);
  const start = startTime(source.start, context.now(), DEFAULT_START);
  const out: SourceConnector[] = [];
  for (const account of source.accounts) {
    // One provider per account, shared by its regions: one AssumeRole, not one per region.
    const credentials = credentialsFor(account, base, source.region);
    for (const { region, skipIfNotEnabled } of apiRegions(source)) {
      out.push(
        new CloudTrailApiConnector({
          account: account.id,
          region,
          credentials,
          endpoint: source.endpoint,
          start,
          overlapMs: durationMs(source.overlap),
          requestsPerSecond: source.requests_per_second,
          retry: source.retry,
          skipIfNotEnabled,
          context,
        }),
      );
    }
  }
  return out;
}

function s3Connector(source: AwsSourceConfig, context: ConnectorContext): SourceConnector {
  return new S3TrailConnector({
    bucket: source.bucket ?? '',
    prefix: normalizePrefix(source.prefix),
    organizationId: source.organization_id,
    accounts: source.accounts.length ? source.accounts.map((a) => a.id) : null,
    regions: Array.isArray(source.regions) ? source.regions : null,
    region: source.region,
    endpoint: source.endpoint,
    credentials: baseCredentials(source),
    start: startTime(source.start, context.now(), DEFAULT_START),
    overlapMs: durationMs(source.overlap),
    concurrency: source.concurrency,
    retry: source.retry,
    context,
    verifyDigests: source.verify_digests,
    cloudtrailEndpoint: source.cloudtrail_endpoint,
  });
}

/**
 * AWS CloudTrail: LookupEvents (one stream per account and region, each within its 2 requests/s)
 * or a trail's S3 bucket (one stream per bucket, with a checkpoint per account/region inside).
 */
export const awsConnectors: CloudConnectors<AwsSourceConfig> = {
  source: 'aws',
  connectors(sources, context) {
    const out: SourceConnector[] = [];
    for (const source of sources) {
      out.push(...(source.mode === 's3' ? [s3Connector(source, context)] : apiConnectors(source, context)));
    }
    // Two sources reading the same stream would fight over one checkpoint.
    const seen = new Set<string>();
    for (const c of out) {
      if (seen.has(c.stream)) {
        throw new AuditlakeError('config', `two aws sources read the same stream ${c.stream}`, {
          hint: 'list each account and region (or bucket and prefix) in one source only',
        });
      }
      seen.add(c.stream);
    }
    return out;
  },
  doctor: doctorAws,
};
