import type { AwsSourceConfig } from '../../config/sources/aws.js';
import { type CredentialProvider, credentialsFor } from './credentials.js';
import { COMMERCIAL_REGIONS, isOptInRegion } from './regions.js';

/** First runs reach back this far unless `start` says otherwise. */
export const DEFAULT_START = '7d';

/** The source's base credentials (bucket, or what account roles are assumed with). */
export function baseCredentials(source: AwsSourceConfig): CredentialProvider | undefined {
  return source.credentials ? credentialsFor(source.credentials, undefined, source.region) : undefined;
}

/** The regions an api source reads, and whether each may be skipped as not enabled. */
export function apiRegions(source: AwsSourceConfig): { region: string; skipIfNotEnabled: boolean }[] {
  if (source.regions === 'all') {
    return COMMERCIAL_REGIONS.map((region) => ({ region, skipIfNotEnabled: isOptInRegion(region) }));
  }
  return (source.regions ?? ['us-east-1']).map((region) => ({ region, skipIfNotEnabled: false }));
}
