/**
 * Commercial AWS regions for `regions: all`. Listing the regions an account has enabled needs
 * ec2:DescribeRegions or account:ListRegions and their SDK clients, which auditlake does not ship;
 * so this list is built in, and an opt-in region the account has not enabled is recognised by
 * CloudTrail rejecting the credentials there (see cloudtrail-api.ts). Update it when AWS opens a
 * region; a region missing here can always be listed by name in `regions:`.
 */
export const DEFAULT_REGIONS: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-north-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
];

/** Regions an account must enable before use (as of 2025). */
export const OPT_IN_REGIONS: readonly string[] = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
];

export const COMMERCIAL_REGIONS: readonly string[] = [...DEFAULT_REGIONS, ...OPT_IN_REGIONS];

export function isOptInRegion(region: string): boolean {
  return OPT_IN_REGIONS.includes(region);
}
