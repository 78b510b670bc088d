import type { SourcesConfig } from '../config/sources-schema.js';
import type { SourceName } from '../model/event.js';
import { awsConnectors } from './aws/index.js';
import { azureConnectors } from './azure/index.js';
import { gcpConnectors } from './gcp/index.js';
import type { ConnectorContext, DoctorCheck, SourceConnector } from './source-connector.js';

/** The cloud connectors, listed explicitly (no registration by import side effect). */
export function connectorsFor(
  sources: SourcesConfig,
  clouds: readonly SourceName[],
  context: ConnectorContext,
): SourceConnector[] {
  const out: SourceConnector[] = [];
  if (clouds.includes('aws') && sources.aws.length)
    out.push(...awsConnectors.connectors(sources.aws, context));
  if (clouds.includes('gcp') && sources.gcp.length)
    out.push(...gcpConnectors.connectors(sources.gcp, context));
  if (clouds.includes('azure') && sources.azure.length)
    out.push(...azureConnectors.connectors(sources.azure, context));
  return out;
}

export async function doctorFor(
  sources: SourcesConfig,
  clouds: readonly SourceName[],
  context: ConnectorContext,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  if (clouds.includes('aws') && sources.aws.length)
    checks.push(...(await awsConnectors.doctor(sources.aws, context)));
  if (clouds.includes('gcp') && sources.gcp.length)
    checks.push(...(await gcpConnectors.doctor(sources.gcp, context)));
  if (clouds.includes('azure') && sources.azure.length)
    checks.push(...(await azureConnectors.doctor(sources.azure, context)));
  return checks;
}
