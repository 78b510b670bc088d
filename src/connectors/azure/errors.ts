import type { SourceErrorKind } from '../source-connector.js';

/**
 * What the Azure SDK threw, reduced to what the connector acts on. The SDK throws RestError
 * (statusCode, code, response headers) for HTTP answers, RestError without a status for transport
 * failures, and @azure/identity errors (CredentialUnavailableError, AuthenticationError, ...) when
 * no token could be had. These are read by shape, not by class: the classes live in transitive
 * packages whose copies may differ.
 */
export interface AzureFailure {
  kind: SourceErrorKind;
  /** Worth another attempt (throttling, 5xx, transport). */
  retry: boolean;
  /** How long the service asked us to wait, in ms. */
  afterMs: number | undefined;
  /** The result would exceed the service's row/size/time limits: split the time slice. */
  tooLarge: boolean;
  status: number | undefined;
  code: string | undefined;
  /** One line, without tokens or bodies beyond the service's error message. */
  message: string;
  requestId: string | undefined;
}

/** The service's answer when a result would exceed its row, size, memory or time limits. */
const LIMIT_TEXT =
  /E_QUERY_RESULT_SET_TOO_LARGE|ResultSetTooLarge|PayloadTooLarge|ResponseSizeExceeded|too large|exceed|limit|E_LOW_MEMORY|memory|timed? ?out|E_QUERY_TIMEOUT/i;

/** A credential that could not even be built (DefaultAzureCredential's constructor threw). */
export class CredentialSetupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CredentialSetupError';
  }
}

const CREDENTIAL_ERRORS = new Set([
  'CredentialSetupError',
  'CredentialUnavailableError',
  'AuthenticationError',
  'AggregateAuthenticationError',
  'AuthenticationRequiredError',
]);

const NETWORK_CODES =
  /^(REQUEST_SEND_ERROR|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)$/;

interface HeaderBag {
  get(name: string): string | undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function headersOf(error: Record<string, unknown>): HeaderBag | undefined {
  const headers = record(record(error.response)?.headers);
  return headers && typeof headers.get === 'function' ? (headers as unknown as HeaderBag) : undefined;
}

/** Retry-After in ms: `retry-after-ms`, `x-ms-retry-after-ms`, or `Retry-After` (seconds or a date). */
export function retryAfterMs(headers: HeaderBag | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const ms = Number(headers.get(name));
    if (headers.get(name) !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  }
  const value = headers.get('retry-after');
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The innermost error text of a Log Analytics error body ({code, message, details, innererror}). */
export function errorText(info: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown, depth: number) => {
    const o = record(node);
    if (!o || depth > 6) return;
    for (const key of ['code', 'message']) {
      const v = text(o[key]);
      if (v && !parts.includes(v)) parts.push(v);
    }
    walk(o.innererror ?? o.innerError, depth + 1);
    if (Array.isArray(o.details)) for (const d of o.details) walk(d, depth + 1);
  };
  walk(info, 0);
  return parts.join(': ');
}

export function classifyAzureError(error: unknown): AzureFailure {
  const e = record(error) ?? {};
  const name = text(e.name) ?? '';
  const message = (text(e.message) ?? String(error)).split('\n')[0] ?? '';
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const code = text(e.code);
  const headers = headersOf(e);
  const requestId =
    headers?.get('x-ms-request-id') ??
    text(record(record(e.details)?.error)?.correlationId) ??
    text(record(e.request)?.requestId);
  const base = { status, code, requestId, afterMs: undefined, tooLarge: false };
  const label = [status, code].filter((x) => x !== undefined).join(' ');
  const said = label ? `${label}: ${message}` : message;

  if (CREDENTIAL_ERRORS.has(name)) {
    return { ...base, kind: 'auth', retry: false, message: `no credential: ${message}` };
  }
  if (status === undefined) {
    if (name === 'AbortError')
      return { ...base, kind: 'network', retry: true, message: `timed out: ${message}` };
    if (name === 'RestError' || (code !== undefined && NETWORK_CODES.test(code))) {
      return { ...base, kind: 'network', retry: true, message: `network error: ${said}` };
    }
    return { ...base, kind: 'malformed', retry: false, message: `unexpected failure: ${message}` };
  }
  if (status === 429) {
    return {
      ...base,
      kind: 'throttled',
      retry: true,
      afterMs: retryAfterMs(headers),
      message: `throttled: ${said}`,
    };
  }
  if (
    status === 413 ||
    (status === 400 && LIMIT_TEXT.test(`${code ?? ''} ${message}`) && !/resolve/i.test(message))
  ) {
    return { ...base, kind: 'server', retry: false, tooLarge: true, message: `result too large: ${said}` };
  }
  if (status === 401)
    return { ...base, kind: 'auth', retry: false, message: `authentication failed: ${said}` };
  if (status === 403)
    return { ...base, kind: 'permission', retry: false, message: `permission denied: ${said}` };
  if (status === 404 || code === 'PathNotFoundError' || code === 'WorkspaceNotFoundError') {
    return { ...base, kind: 'not_found', retry: false, message: `workspace not found: ${said}` };
  }
  // A table the workspace does not have (no diagnostic setting sends it there) fails semantic
  // analysis: "Failed to resolve table or column expression named 'SigninLogs'".
  if (status === 400 && /resolve (table|.*expression)/i.test(message)) {
    return { ...base, kind: 'not_found', retry: false, message: `table not found: ${said}` };
  }
  if (status === 408 || status >= 500) {
    return {
      ...base,
      kind: 'server',
      retry: true,
      afterMs: retryAfterMs(headers),
      message: `service error: ${said}`,
    };
  }
  return { ...base, kind: 'malformed', retry: false, message: `query rejected: ${said}` };
}

/** What to tell a person for each kind of failure. */
export function hintFor(kind: SourceErrorKind, workspace: string): string {
  switch (kind) {
    case 'auth':
      return 'check the Azure credential DefaultAzureCredential finds (AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, managed identity, `az login`); run `auditlake doctor`';
    case 'permission':
      return `grant the identity the "Log Analytics Reader" role on workspace ${workspace} (see docs/connectors/azure.md)`;
    case 'not_found':
      return 'check workspace_id (the workspace id GUID, not the resource id) and that diagnostic settings send this table to the workspace';
    case 'throttled':
      return "another tool may share the identity's quota of 200 queries per 30 s: lower queries_per_30s or run later; the next run resumes at the checkpoint";
    case 'network':
      return 'check network access to the Log Analytics API (api.loganalytics.io, or the configured endpoint); the next run resumes at the checkpoint';
    case 'server':
      return 'Log Analytics failed repeatedly; the next run resumes at the checkpoint';
    case 'malformed':
      return 'the Log Analytics answer was not the expected table; quote the request id to Azure support if it persists';
    case 'config':
      return 'fix the azure source in auditlake.yaml';
  }
}
