import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { LogsQueryClient, LogsQueryResultStatus } from '@azure/monitor-query-logs';
import type { AzureSourceConfig } from '../../config/sources/azure.js';
import { AuditlakeError, describeError } from '../../errors.js';
import type { CloudConnectors, ConnectorContext, DoctorCheck, SourceConnector } from '../source-connector.js';
import { CredentialSetupError, classifyAzureError, errorText, hintFor } from './errors.js';
import { LogsQuerier } from './logs-querier.js';
import { LOG_ANALYTICS_LIMITS, QueryGate, type QueryLimits } from './query-gate.js';
import { durationMs, HOUR_MS } from './slices.js';
import { type StreamTuning, WorkspaceStream } from './workspace-stream.js';

export const DEFAULT_TUNING: StreamTuning = {
  // 50,000 rows or 24 MiB of record text per query (sign-ins, the widest rows at ~3-5 KB, reach
  // the size first) stay far below the service's 500,000 rows and ~100 MB, and bound what the
  // SDK holds in memory per result.
  targets: { rows: 50_000, chars: 24 * 1024 * 1024 },
  initialSliceMs: HOUR_MS,
  // Replaced per run by autoPrefetch unless a test sets it.
  prefetch: 2,
  maxPrefetch: LOG_ANALYTICS_LIMITS.concurrency,
  batchRecords: 10_000,
  serverTimeoutSeconds: 180,
  retry: { attempts: 6, baseMs: 1000, maxMs: 60_000 },
};

/**
 * Slices each stream queries ahead: enough that the streams together keep the identity's
 * concurrent queries busy, few enough that the results held at once stay near concurrency +
 * streams, whatever the number of streams (a stream goes further only while queries sit idle).
 */
export function autoPrefetch(streams: number, concurrency: number): number {
  return Math.min(concurrency, Math.max(2, Math.ceil(concurrency / Math.max(1, streams)) + 1));
}

const PUBLIC_ENDPOINT = 'https://api.loganalytics.io/v1';

/** What tests and the benchmark may swap; production uses none of it. */
export interface AzureConnectorOptions {
  /**
   * A credential instead of DefaultAzureCredential (tests: any object whose getToken() returns
   * {token, expiresOnTimestamp}).
   */
  readonly credential?: TokenCredential;
  /** The identity's quota (the benchmark scales time down). */
  readonly limits?: QueryLimits;
  readonly tuning?: Partial<StreamTuning>;
}

/** The endpoint as the SDK wants it (with the API version path) and the token scope it needs. */
function endpointOf(configured: string | undefined): { endpoint: string; scope: string } {
  if (!configured) return { endpoint: PUBLIC_ENDPOINT, scope: 'https://api.loganalytics.io/.default' };
  const url = new URL(configured);
  const endpoint =
    url.pathname === '/' || url.pathname === '' ? `${url.origin}/v1` : configured.replace(/\/$/, '');
  // Sovereign clouds have their own audience (api.loganalytics.us, api.loganalytics.azure.cn); a
  // private or loopback endpoint still takes the public one.
  const scope = /(^|\.)api\.loganalytics\./.test(url.hostname)
    ? `${url.origin}/.default`
    : 'https://api.loganalytics.io/.default';
  return { endpoint, scope };
}

/** One identity for a run: its credential, its clients and its quota, shared by every stream. */
class AzureSession {
  readonly gate: QueryGate;
  private credential: TokenCredential | undefined;
  private readonly clients = new Map<string, LogsQuerier>();
  private readonly options: AzureConnectorOptions;

  constructor(sources: readonly AzureSourceConfig[], options: AzureConnectorOptions) {
    this.options = options;
    const base = options.limits ?? LOG_ANALYTICS_LIMITS;
    const configured = Math.min(...sources.map((s) => s.queries_per_30s));
    this.gate = new QueryGate({
      ...base,
      queriesPerWindow: Math.max(1, Math.round((base.queriesPerWindow * configured) / 200)),
    });
  }

  tokenCredential(): TokenCredential {
    if (!this.credential) {
      try {
        this.credential = this.options.credential ?? new DefaultAzureCredential();
      } catch (error) {
        // E.g. AZURE_TOKEN_CREDENTIALS naming no credential: a stream error, not a crash.
        throw new CredentialSetupError(describeError(error).split('\n')[0] ?? 'no credential', {
          cause: error,
        });
      }
    }
    return this.credential;
  }

  client(endpoint: string | undefined): LogsQuerier {
    const { endpoint: url, scope } = endpointOf(endpoint);
    let client = this.clients.get(url);
    if (!client) {
      client = new LogsQuerier(
        new LogsQueryClient(this.tokenCredential(), {
          endpoint: url,
          credentials: { scopes: [scope] },
          // Every attempt goes through the QueryGate and withRetry: SDK-internal retries would
          // spend the quota behind the gate's back.
          retryOptions: { maxRetries: 0 },
        }),
      );
      this.clients.set(url, client);
    }
    return client;
  }
}

function label(source: AzureSourceConfig): string {
  return source.name ? `${source.name} (${source.workspace_id})` : source.workspace_id;
}

export function createAzureConnectors(
  options: AzureConnectorOptions = {},
): CloudConnectors<AzureSourceConfig> {
  const tuning: StreamTuning = { ...DEFAULT_TUNING, ...options.tuning };
  return {
    source: 'azure',

    connectors(sources: readonly AzureSourceConfig[], context: ConnectorContext): SourceConnector[] {
      const session = new AzureSession(sources, options);
      const streams = sources.reduce((n, s) => n + s.tables.length, 0);
      const concurrency = (options.limits ?? LOG_ANALYTICS_LIMITS).concurrency;
      const tuned: StreamTuning = {
        ...tuning,
        prefetch: options.tuning?.prefetch ?? autoPrefetch(streams, concurrency),
        maxPrefetch: options.tuning?.maxPrefetch ?? concurrency,
      };
      const seen = new Set<string>();
      const out: SourceConnector[] = [];
      for (const source of sources) {
        for (const table of source.tables) {
          const key = `${source.workspace_id.toLowerCase()}/${table}`;
          if (seen.has(key)) {
            throw new AuditlakeError(
              'config',
              `azure workspace ${source.workspace_id} table ${table} is configured twice`,
              {
                hint: 'list each workspace once under sources.azure, with all its tables',
              },
            );
          }
          seen.add(key);
          out.push(
            new WorkspaceStream({
              workspaceId: source.workspace_id,
              label: label(source),
              table,
              start: source.start,
              overlapMs: durationMs(source.overlap),
              settleMs: durationMs(source.settle),
              client: () => session.client(source.endpoint),
              gate: session.gate,
              tuning: tuned,
              context,
            }),
          );
        }
      }
      return out;
    },

    async doctor(sources: readonly AzureSourceConfig[], context: ConnectorContext): Promise<DoctorCheck[]> {
      const session = new AzureSession(sources, options);
      const checks: DoctorCheck[] = [];
      for (const source of sources) {
        const scope = `workspace ${label(source)}`;
        const { scope: tokenScope } = endpointOf(source.endpoint);
        const fail = (check: string, error: unknown): DoctorCheck => {
          const f = classifyAzureError(error);
          const request = f.requestId ? ` (request id ${f.requestId})` : '';
          return {
            source: 'azure',
            scope,
            check,
            ok: false,
            detail: `${f.message}${request}; ${hintFor(f.kind, label(source))}`,
          };
        };
        try {
          const token = await session.tokenCredential().getToken(tokenScope);
          if (!token) throw new CredentialSetupError('the credential returned no token');
          // Never the token itself: only that one was issued and until when.
          checks.push({
            source: 'azure',
            scope,
            check: 'credential',
            ok: true,
            detail: `token for ${tokenScope} valid until ${new Date(token.expiresOnTimestamp).toISOString()}`,
          });
        } catch (error) {
          checks.push(fail('credential', error));
          continue;
        }
        for (const table of source.tables) {
          const check = `query ${table}`;
          try {
            const client = session.client(source.endpoint);
            // A tiny timespan: proves the workspace exists and the table is readable without
            // scanning or ingesting anything.
            const { result } = await session.gate.run(() =>
              client.query(
                source.workspace_id,
                `${table} | take 1`,
                { duration: 'PT5M' },
                {
                  serverTimeoutSeconds: 60,
                  timeoutMs: 120_000,
                },
              ),
            );
            const partial = result.status === LogsQueryResultStatus.PartialFailure;
            checks.push({
              source: 'azure',
              scope,
              check,
              ok: !partial,
              detail: partial
                ? `partial result: ${errorText(result.partialError)}`
                : 'readable (Log Analytics Reader or workspaces/query/*/read)',
            });
          } catch (error) {
            checks.push(fail(check, error));
          }
        }
        context.log('azure.doctor', { workspace: source.workspace_id, tables: source.tables.length });
      }
      return checks;
    },
  };
}

/** The registry's azure connectors: DefaultAzureCredential and the service's real quota. */
export const azureConnectors: CloudConnectors<AzureSourceConfig> = createAzureConnectors();
