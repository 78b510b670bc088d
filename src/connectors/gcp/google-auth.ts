import type { GcpSourceConfig } from '../../config/sources/gcp.js';
import type { GcpAuth } from './entries-client.js';

/** Reading logs needs no more than this scope (roles still decide what may be read). */
export const LOGGING_READ_SCOPE = 'https://www.googleapis.com/auth/logging.read';

/**
 * The production credentials: the GoogleAuth @google-cloud/logging builds (`logging.auth`), which
 * follows the standard chain: GOOGLE_APPLICATION_CREDENTIALS (service account key, workload
 * identity federation config), gcloud's Application Default Credentials, then the metadata
 * server (GCE, GKE workload identity, Cloud Run). No secret ever sits in auditlake's config.
 *
 * Imported lazily: the library loads gax and protobufjs, which every other command can do without.
 */
export async function standardChainAuth(source: GcpSourceConfig): Promise<GcpAuth> {
  const { Logging } = await import('@google-cloud/logging');
  const options: ConstructorParameters<typeof Logging>[0] & {
    port?: number;
    protocol?: string;
    fallback?: boolean;
  } = {
    scopes: [LOGGING_READ_SCOPE],
  };
  // A known project id spares GoogleAuth a project lookup through Cloud Resource Manager, which
  // federated (external_account) credentials would otherwise make on the first token.
  const project = source.projects[0];
  if (project) options.projectId = project;
  if (source.endpoint) {
    // Only logging.auth is used (entries are fetched over REST by EntriesClient), but the client
    // is pointed at the same endpoint so nothing it might do leaves for another host.
    const url = new URL(source.endpoint);
    const protocol = url.protocol.replace(/:$/, '');
    options.apiEndpoint = url.hostname;
    options.port = Number(url.port) || (protocol === 'http' ? 80 : 443);
    options.protocol = protocol;
    options.fallback = true;
  }
  return new Logging(options).auth;
}
