import type { SourcesConfig } from '../config/sources-schema.js';
import type { SourceName } from '../model/event.js';
import type { ConnectorContext, DoctorCheck, SourceConnector } from './source-connector.js';

/*
 * The cloud connectors, listed explicitly (no registration by import side effect). Each cloud's
 * module is imported only when that cloud is configured: its SDK takes 0.1-0.3 s to load, which
 * every command used to pay at start-up, `auditlake query` and `ingest files` included.
 */

export async function connectorsFor(
  sources: SourcesConfig,
  clouds: readonly SourceName[],
  context: ConnectorContext,
): Promise<SourceConnector[]> {
  const out: SourceConnector[] = [];
  if (clouds.includes('aws') && sources.aws.length) {
    const { awsConnectors } = await import('./aws/index.js');
    out.push(...awsConnectors.connectors(sources.aws, context));
  }
  if (clouds.includes('gcp') && sources.gcp.length) {
    const { gcpConnectors } = await import('./gcp/index.js');
    out.push(...gcpConnectors.connectors(sources.gcp, context));
  }
  if (clouds.includes('azure') && sources.azure.length) {
    const { azureConnectors } = await import('./azure/index.js');
    out.push(...azureConnectors.connectors(sources.azure, context));
  }
  return out;
}

export async function doctorFor(
  sources: SourcesConfig,
  clouds: readonly SourceName[],
  context: ConnectorContext,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  if (clouds.includes('aws') && sources.aws.length) {
    const { awsConnectors } = await import('./aws/index.js');
    checks.push(...(await awsConnectors.doctor(sources.aws, context)));
  }
  if (clouds.includes('gcp') && sources.gcp.length) {
    const { gcpConnectors } = await import('./gcp/index.js');
    checks.push(...(await gcpConnectors.doctor(sources.gcp, context)));
  }
  if (clouds.includes('azure') && sources.azure.length) {
    const { azureConnectors } = await import('./azure/index.js');
    checks.push(...(await azureConnectors.doctor(sources.azure, context)));
  }
  return checks;
}
