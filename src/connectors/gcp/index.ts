import type { GcpSourceConfig } from '../../config/sources/gcp.js';
import { AuditlakeError } from '../../errors.js';
import { RateLimiter } from '../../util/rate-limiter.js';
import {
  type CloudConnectors,
  type ConnectorContext,
  type DoctorCheck,
  type SourceConnector,
  SourceError,
} from '../source-connector.js';
import { entriesFilter, type GcpLogKind } from './audit-filter.js';
import { DEFAULT_ENDPOINT, EntriesClient, type GcpAuth, type RetrySettings } from './entries-client.js';
import { standardChainAuth } from './google-auth.js';
import { LoggingStream, streamId } from './logging-stream.js';

export type { GcpAuth } from './entries-client.js';

/** What tests (and the benchmark) may change; production uses the defaults. */
export interface GcpConnectorOptions {
  /** Credentials for a source: by default the standard chain through @google-cloud/logging's GoogleAuth. */
  auth?: (source: GcpSourceConfig) => Promise<GcpAuth>;
  retry?: Partial<RetrySettings>;
  requestTimeoutMs?: number;
  /** Requests a limiter lets through at once after an idle spell (1: never above the quota rate). */
  burst?: number;
}

/**
 * A per-minute quota can stay exhausted for up to a minute: 7 waits of up to 1, 2, 4, ... 64 s
 * (full jitter, or the server's Retry-After when longer), about 2 minutes at most, before the
 * stream reports failure. Each retry also waits for the project's rate limiter.
 */
const DEFAULT_RETRY: RetrySettings = { attempts: 8, baseMs: 1000, maxMs: 64_000 };
const DEFAULT_TIMEOUT_MS = 60_000;

/** The role that lets the configured kinds be read (data_access is a private log). */
export function requiredRole(kinds: readonly GcpLogKind[]): string {
  return kinds.includes('data_access') ? 'roles/logging.privateLogViewer' : 'roles/logging.viewer';
}

/** projects/X, folders/N, organizations/N of a source, in config order. */
export function resourcesOf(source: GcpSourceConfig): string[] {
  return [
    ...source.projects.map((p) => `projects/${p}`),
    ...source.folders.map((f) => `folders/${f}`),
    ...source.organizations.map((o) => `organizations/${o}`),
  ];
}

export function createGcpConnectors(options: GcpConnectorOptions = {}): CloudConnectors<GcpSourceConfig> {
  const retry: RetrySettings = { ...DEFAULT_RETRY, ...options.retry };
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const burst = options.burst ?? 1;
  const authFor = options.auth ?? standardChainAuth;

  /** One credential object per source, created on first use (token caching lives in it). */
  const lazyAuth = (source: GcpSourceConfig): (() => Promise<GcpAuth>) => {
    let auth: Promise<GcpAuth> | undefined;
    return () => {
      if (!auth) {
        const created = authFor(source);
        auth = created;
        // A failed construction is retried on the next call rather than cached forever.
        created.catch(() => {
          if (auth === created) auth = undefined;
        });
      }
      return auth;
    };
  };

  /** One limiter per quota scope (project, folder, organization), shared by every stream on it. */
  const limiters = (sources: readonly GcpSourceConfig[]): Map<string, RateLimiter> => {
    const rate = new Map<string, number>();
    for (const source of sources) {
      for (const resource of resourcesOf(source)) {
        rate.set(
          resource,
          Math.min(rate.get(resource) ?? Number.POSITIVE_INFINITY, source.requests_per_minute),
        );
      }
    }
    return new Map(
      [...rate].map(([resource, perMinute]) => [resource, new RateLimiter(perMinute / 60, burst)]),
    );
  };

  const clientFor = (
    source: GcpSourceConfig,
    resource: string,
    stream: string,
    auth: () => Promise<GcpAuth>,
    limiter: RateLimiter,
    context: ConnectorContext,
    retrySettings: RetrySettings,
  ) =>
    new EntriesClient({
      endpoint: source.endpoint ?? DEFAULT_ENDPOINT,
      auth,
      limiter,
      retry: retrySettings,
      requestTimeoutMs: timeoutMs,
      context: { stream, scope: resource },
      role: requiredRole(source.log_kinds),
      onRetry: (attempt, delayMs, error) =>
        context.log('gcp.retry', {
          stream,
          attempt,
          delay_ms: delayMs,
          kind: error.kind,
          request_id: error.context.requestId ?? null,
        }),
    });

  return {
    source: 'gcp',

    connectors(sources, context): SourceConnector[] {
      const byResource = limiters(sources);
      const seen = new Set<string>();
      const out: SourceConnector[] = [];
      for (const source of sources) {
        const auth = lazyAuth(source);
        const resources = resourcesOf(source);
        if (resources.length === 0) {
          throw new AuditlakeError('config', 'a gcp source names no projects, folders or organizations', {
            ...(source.name ? { context: { source: source.name } } : {}),
            hint: 'add `projects: [my-project-id]` (or folders / organizations) to the source in auditlake.yaml',
          });
        }
        for (const resource of resources) {
          const stream = streamId(resource, source.log_kinds);
          // Two streams on one checkpoint would overwrite each other's cursor.
          if (seen.has(stream)) {
            throw new AuditlakeError('config', `${resource} is configured twice with the same log kinds`, {
              context: { stream },
              hint: 'list each project, folder and organization once per set of log_kinds',
            });
          }
          seen.add(stream);
          const limiter = byResource.get(resource) as RateLimiter;
          const client = clientFor(source, resource, stream, auth, limiter, context, retry);
          out.push(new LoggingStream({ resource, kinds: source.log_kinds, source, client, context }));
        }
      }
      return out;
    },

    async doctor(sources, context): Promise<DoctorCheck[]> {
      const byResource = limiters(sources);
      // A check should answer within seconds, not back off for minutes.
      const doctorRetry: RetrySettings = { ...retry, attempts: Math.min(retry.attempts, 3) };
      const checks: DoctorCheck[] = [];
      for (const source of sources) {
        const label = source.name ?? resourcesOf(source).join(', ');
        const auth = lazyAuth(source);
        const credentials = await checkCredentials(auth, label);
        checks.push(credentials);
        for (const resource of resourcesOf(source)) {
          if (!credentials.ok) {
            checks.push({
              source: 'gcp',
              scope: resource,
              check: 'permission',
              ok: false,
              detail: 'not checked: no credentials',
            });
            continue;
          }
          const stream = streamId(resource, source.log_kinds);
          const limiter = byResource.get(resource) as RateLimiter;
          const client = clientFor(source, resource, stream, auth, limiter, context, doctorRetry);
          checks.push(await checkPermission(client, resource, source, context.now()));
        }
      }
      return checks;
    },
  };
}

async function checkCredentials(auth: () => Promise<GcpAuth>, scope: string): Promise<DoctorCheck> {
  try {
    const client = await auth();
    // Proves a token can be had; the headers themselves are dropped unread.
    await client.getRequestHeaders();
    let who = '';
    try {
      const email = (await client.getCredentials?.())?.client_email;
      if (email) who = ` as ${email}`;
    } catch {
      // Not every credential type can name itself; the token is what matters.
    }
    return {
      source: 'gcp',
      scope,
      check: 'credentials',
      ok: true,
      detail: `got an access token from the standard credential chain${who}`,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\s+/g, ' ') : String(error);
    return {
      source: 'gcp',
      scope,
      check: 'credentials',
      ok: false,
      detail: `no access token: ${message} (set up Application Default Credentials or GOOGLE_APPLICATION_CREDENTIALS)`,
    };
  }
}

/** entries.list with pageSize 1 over the last minute: proves the read is allowed, ingests nothing. */
async function checkPermission(
  client: EntriesClient,
  resource: string,
  source: GcpSourceConfig,
  now: Date,
): Promise<DoctorCheck> {
  const kinds = source.log_kinds.join(', ');
  try {
    await client.list(
      {
        resourceNames: [resource],
        filter: entriesFilter(resource, source.log_kinds, new Date(now.getTime() - 60_000), now),
        orderBy: 'timestamp asc',
        pageSize: 1,
      },
      AbortSignal.timeout(120_000),
    );
    return {
      source: 'gcp',
      scope: resource,
      check: 'permission',
      ok: true,
      detail: `entries.list allowed (${kinds})`,
    };
  } catch (error) {
    const detail =
      error instanceof SourceError
        ? `${error.describe()}${error.hint ? ` — ${error.hint}` : ''}`
        : error instanceof Error
          ? error.message
          : String(error);
    return { source: 'gcp', scope: resource, check: 'permission', ok: false, detail };
  }
}

/** The connectors the CLI uses: credentials from the standard chain. */
export const gcpConnectors: CloudConnectors<GcpSourceConfig> = createGcpConnectors();
