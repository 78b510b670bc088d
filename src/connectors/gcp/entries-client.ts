import type { RateLimiter } from '../../util/rate-limiter.js';
import { withRetry } from '../../util/retry.js';
import { SourceError, type SourceErrorKind } from '../source-connector.js';

/**
 * What the connector needs of an authenticated client: request headers carrying a fresh bearer
 * token. google-auth-library's GoogleAuth (the one @google-cloud/logging creates, `logging.auth`)
 * has exactly this method and handles the standard chain, token caching and refresh; tests pass
 * a throwaway object.
 */
export interface GcpAuth {
  getRequestHeaders(url?: string): Promise<Headers | Record<string, string>>;
  /** GoogleAuth's view of the credential: only its (non-secret) client_email is ever read. */
  getCredentials?(): Promise<{ client_email?: string | undefined }>;
}

/** The body of entries.list (https://cloud.google.com/logging/docs/reference/v2/rest/v2/entries/list). */
export interface ListEntriesRequest {
  resourceNames: string[];
  filter: string;
  orderBy: 'timestamp asc';
  pageSize: number;
  pageToken?: string;
}

export interface ListEntriesPage {
  /** The LogEntry objects as the API returned them (the JSON log sinks export). */
  entries: Record<string, unknown>[];
  nextPageToken: string | undefined;
}

export interface RetrySettings {
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export interface EntriesClientOptions {
  /** https://logging.googleapis.com, or the configured endpoint. */
  endpoint: string;
  auth: () => Promise<GcpAuth>;
  /** The quota scope's limiter: every attempt, retries included, takes a token. */
  limiter: RateLimiter;
  retry: RetrySettings;
  requestTimeoutMs: number;
  /** For SourceError context and messages. */
  context: { stream: string; scope: string };
  /** The role whose absence a 403 means, for the hint. */
  role: string;
  onRetry?: (attempt: number, delayMs: number, error: SourceError) => void;
}

export const DEFAULT_ENDPOINT = 'https://logging.googleapis.com';

/** A failed attempt, before it becomes the stream's SourceError. */
class AttemptError extends Error {
  readonly kind: SourceErrorKind;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly hint: string | undefined;
  /** Whether Cloud Logging answered (only an answer could have carried a request id). */
  readonly answered: boolean;
  constructor(
    kind: SourceErrorKind,
    message: string,
    options: {
      requestId?: string | undefined;
      retryAfterMs?: number | undefined;
      hint?: string;
      cause?: unknown;
      answered?: boolean;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.requestId = options.requestId;
    this.retryAfterMs = options.retryAfterMs;
    this.hint = options.hint;
    this.answered = options.answered ?? true;
  }
}

const RETRYABLE: ReadonlySet<SourceErrorKind> = new Set(['throttled', 'server', 'network']);

/**
 * Calls `POST /v2/entries:list` itself rather than through @google-cloud/logging's getEntries: the
 * library decodes entries into protobuf objects, and in REST fallback mode it cannot decode the
 * google.cloud.audit.AuditLog protoPayload. The REST answer is the LogEntry JSON verbatim, the
 * form log sinks export and the normalizer reads. Enums come back as names (no enum-encoding=int).
 */
export class EntriesClient {
  private readonly options: EntriesClientOptions;
  private readonly url: string;

  constructor(options: EntriesClientOptions) {
    this.options = options;
    this.url = `${options.endpoint.replace(/\/+$/, '')}/v2/entries:list`;
  }

  /** One page, retried on quota (429 RESOURCE_EXHAUSTED), 5xx and network errors. */
  async list(request: ListEntriesRequest, signal: AbortSignal): Promise<ListEntriesPage> {
    const o = this.options;
    try {
      return await withRetry(
        async () => {
          await o.limiter.acquire(signal);
          return await this.attempt(request, signal);
        },
        {
          ...o.retry,
          signal,
          classify: (error) => {
            // The caller stopping is not a failure to retry.
            if (signal.aborted || !(error instanceof AttemptError)) return { retry: false };
            return { retry: RETRYABLE.has(error.kind), afterMs: error.retryAfterMs };
          },
          onRetry: (attempt, delayMs, error) => {
            if (error instanceof AttemptError) o.onRetry?.(attempt, delayMs, this.toSourceError(error));
          },
        },
      );
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof AttemptError) {
        const tries = RETRYABLE.has(error.kind) ? ` (gave up after ${o.retry.attempts} attempts)` : '';
        throw this.toSourceError(error, tries);
      }
      throw error;
    }
  }

  private toSourceError(error: AttemptError, suffix = ''): SourceError {
    const { stream, scope } = this.options.context;
    const noId = error.requestId || !error.answered ? '' : ' (no request id in the response)';
    return new SourceError(
      error.kind,
      `${error.message}${suffix}${noId}`,
      { source: 'gcp', stream, scope, requestId: error.requestId },
      { ...(error.hint === undefined ? {} : { hint: error.hint }), cause: error.cause ?? error },
    );
  }

  private async attempt(request: ListEntriesRequest, signal: AbortSignal): Promise<ListEntriesPage> {
    const o = this.options;
    const scope = o.context.scope;
    const headers = new Headers(await this.authHeaders());
    headers.set('content-type', 'application/json');
    headers.set('accept', 'application/json');
    let response: Response;
    let text: string;
    // A stalled connection must not hang an unattended run forever.
    const requestSignal = AbortSignal.any([signal, AbortSignal.timeout(o.requestTimeoutMs)]);
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(request),
        signal: requestSignal,
      });
      text = await response.text();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new AttemptError(
        'network',
        `entries.list on ${scope} failed: ${networkCause(error, o.requestTimeoutMs)}`,
        {
          hint: 'a network problem between this machine and Cloud Logging; a rerun resumes at the checkpoint',
          cause: error,
          answered: false,
        },
      );
    }
    const requestId = requestIdOf(response.headers, text);
    if (!response.ok) throw this.httpError(response, text, requestId);
    return parsePage(text, scope, requestId);
  }

  private async authHeaders(): Promise<Headers | Record<string, string>> {
    const scope = this.options.context.scope;
    try {
      const auth = await this.options.auth();
      return await auth.getRequestHeaders(this.url);
    } catch (error) {
      // A token endpoint that is down or throttling is as transient as the API being so.
      const status = (error as { response?: { status?: unknown } } | null)?.response?.status;
      const network =
        isNetworkError(error) || (typeof status === 'number' && (status >= 500 || status === 429));
      // Never echo the credential: only the library's message, which names no token.
      throw new AttemptError(
        network ? 'network' : 'auth',
        `could not get an access token for ${scope} from the standard credential chain: ${oneLine(describe(error))}`,
        {
          hint: network
            ? 'the token endpoint could not be reached; a rerun resumes at the checkpoint'
            : 'set up Application Default Credentials (`gcloud auth application-default login`), GOOGLE_APPLICATION_CREDENTIALS, or the workload identity of this machine',
          cause: error,
          answered: false,
        },
      );
    }
  }

  private httpError(response: Response, text: string, requestId: string | undefined): AttemptError {
    const o = this.options;
    const status = response.status;
    const body = googleError(text);
    const grpc = body?.status ?? '';
    const detail = oneLine(body?.message ?? (text.slice(0, 200) || response.statusText));
    const message = `entries.list on ${o.context.scope} was refused: ${status}${grpc ? ` ${grpc}` : ''}: ${detail}`;
    const options = { requestId, cause: undefined };
    if (status === 429 || grpc === 'RESOURCE_EXHAUSTED') {
      return new AttemptError('throttled', message, {
        ...options,
        retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
        hint: 'another client shares this quota (60 entries.list requests per minute per project): lower requests_per_minute or run less often',
      });
    }
    if (status === 401 || grpc === 'UNAUTHENTICATED') {
      return new AttemptError('auth', message, {
        ...options,
        hint: 'the credentials were rejected: refresh Application Default Credentials or check GOOGLE_APPLICATION_CREDENTIALS',
      });
    }
    if (status === 403 || grpc === 'PERMISSION_DENIED') {
      return new AttemptError('permission', message, {
        ...options,
        hint: `grant ${o.role} on ${o.context.scope} to the identity auditlake runs as (Google also answers 403 for a project that does not exist)`,
      });
    }
    if (
      status === 404 ||
      grpc === 'NOT_FOUND' ||
      (status === 400 && /project|folder|organi[sz]ation|resource/i.test(detail))
    ) {
      return new AttemptError('not_found', message, {
        ...options,
        hint: 'check the id in sources.gcp: a project id (not its number or display name), a numeric folder or organization id',
      });
    }
    if (status >= 500 || grpc === 'UNAVAILABLE' || grpc === 'INTERNAL' || grpc === 'DEADLINE_EXCEEDED') {
      return new AttemptError('server', message, {
        ...options,
        retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
        hint: 'Cloud Logging had a problem; a rerun resumes at the checkpoint',
      });
    }
    return new AttemptError('config', message, {
      ...options,
      hint: 'the request was rejected as invalid: check the gcp source settings',
    });
  }
}

/** The page, or a malformed-page error naming what is wrong with it. */
function parsePage(text: string, scope: string, requestId: string | undefined): ListEntriesPage {
  const malformed = (what: string) =>
    new AttemptError('malformed', `entries.list on ${scope} returned a malformed page: ${what}`, {
      requestId,
      hint: 'rerun; if it persists, check that the endpoint is Cloud Logging',
    });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw malformed(`not JSON (${text.length} bytes)`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw malformed('not a JSON object');
  const { entries, nextPageToken } = body as { entries?: unknown; nextPageToken?: unknown };
  // proto3 JSON leaves empty fields out: no `entries` is an empty page, not an error.
  if (entries !== undefined && !Array.isArray(entries)) throw malformed('`entries` is not a list');
  const list = (entries ?? []) as unknown[];
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw malformed('an entry is not an object');
  }
  if (nextPageToken !== undefined && typeof nextPageToken !== 'string')
    throw malformed('`nextPageToken` is not a string');
  return {
    entries: list as Record<string, unknown>[],
    nextPageToken: nextPageToken === '' ? undefined : nextPageToken,
  };
}

function googleError(text: string): { status?: string; message?: string } | undefined {
  try {
    const body = JSON.parse(text) as { error?: { status?: unknown; message?: unknown } };
    const error = body?.error;
    if (typeof error !== 'object' || error === null) return undefined;
    return {
      ...(typeof error.status === 'string' ? { status: error.status } : {}),
      ...(typeof error.message === 'string' ? { message: error.message } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * Cloud Logging documents no request-id response header. A google.rpc.RequestInfo error detail
 * carries one when Google adds it; a few fronts add x-goog-request-id or x-request-id. When none
 * is there the message says so instead of inventing one.
 */
function requestIdOf(headers: Headers, text: string): string | undefined {
  for (const name of ['x-goog-request-id', 'x-request-id']) {
    const value = headers.get(name);
    if (value) return value;
  }
  if (!text.includes('RequestInfo')) return undefined;
  try {
    const details = (JSON.parse(text) as { error?: { details?: unknown } }).error?.details;
    if (!Array.isArray(details)) return undefined;
    for (const d of details as { '@type'?: unknown; requestId?: unknown }[]) {
      if (String(d?.['@type']).endsWith('google.rpc.RequestInfo') && typeof d.requestId === 'string')
        return d.requestId;
    }
  } catch {
    // Not JSON: no detail to read.
  }
  return undefined;
}

/** Retry-After as seconds or an HTTP date. */
function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function codeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function isNetworkError(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && NETWORK_CODES.has(code);
}

function networkCause(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError')
    return `no answer within ${timeoutMs / 1000}s`;
  const code = codeOf(error);
  const cause = (error as { cause?: unknown }).cause;
  const text = cause instanceof Error ? cause.message : describe(error);
  return oneLine(code && !text.includes(code) ? `${code}: ${text}` : text);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
