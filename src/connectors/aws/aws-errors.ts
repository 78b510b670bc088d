import { describeError } from '../../errors.js';
import { SourceError, type SourceErrorKind } from '../source-connector.js';

/** What an SDK error says, read defensively: the SDK's error classes differ by service and version. */
interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string };
  $response?: { headers?: Record<string, string | undefined> };
  RequestId?: unknown;
}

function shape(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

const AUTH = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidAccessKeyId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'AuthFailure',
  'InvalidToken',
  'TokenRefreshRequired',
  'CredentialsProviderError',
  'MissingAuthenticationToken',
  'IncompleteSignature',
]);
const PERMISSION = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AllAccessDisabled',
  'Forbidden',
  'KMS.AccessDeniedException',
  'OperationNotPermittedException',
]);
const NOT_FOUND = new Set(['NoSuchBucket', 'NotFound', 'NoSuchKey', 'TrailNotFoundException']);
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

export function errorName(error: unknown): string {
  const e = shape(error);
  return typeof e.name === 'string' ? e.name : 'Error';
}

/** The request id AWS support asks for: x-amzn-RequestId (JSON APIs) or x-amz-request-id (S3). */
export function requestIdOf(error: unknown): string | undefined {
  const e = shape(error);
  const id = e.$metadata?.requestId ?? (typeof e.RequestId === 'string' ? e.RequestId : undefined);
  return id || undefined;
}

export function statusOf(error: unknown): number | undefined {
  return shape(error).$metadata?.httpStatusCode;
}

/** Which kind of failure an SDK (or stream) error is. */
export function kindOf(error: unknown): SourceErrorKind {
  if (error instanceof SourceError) return error.kind;
  const e = shape(error);
  const name = errorName(error);
  const status = statusOf(error);
  if (AUTH.has(name)) return 'auth';
  if (THROTTLED.has(name) || status === 429) return 'throttled';
  if (PERMISSION.has(name)) return 'permission';
  if (NOT_FOUND.has(name)) return 'not_found';
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return 'network';
  if (name === 'TimeoutError' || name === 'AbortError' || name === 'RequestTimeout') return 'network';
  if (name === 'SyntaxError' || /Deserialization error/i.test(describeError(error))) return 'malformed';
  if (status !== undefined && status >= 500) return 'server';
  if (e.$fault === 'server') return 'server';
  // A HEAD answer has no body, so S3 names a refused HeadBucket only by its status.
  if (status === 403) return 'permission';
  if (status === 404) return 'not_found';
  return 'server';
}

/** Retry throttling, 5xx and network failures; everything else is for a person to fix. */
export function isRetryable(error: unknown): boolean {
  const kind = kindOf(error);
  return kind === 'throttled' || kind === 'server' || kind === 'network';
}

/** Retry-After in ms when the server sent one (S3 SlowDown may), else undefined. */
export function retryAfterMs(error: unknown): number | undefined {
  const header = shape(error).$response?.headers?.['retry-after'];
  if (!header) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, 60_000) : undefined;
}

const HINTS: Partial<Record<SourceErrorKind, string>> = {
  auth: 'credentials were rejected or have expired: check the profile, role or key variables (aws sso login for SSO profiles)',
  permission: 'the principal lacks a permission: see the IAM policy in docs/connectors/aws.md',
  not_found: 'check the bucket name, prefix and region in auditlake.yaml',
  throttled: 'AWS kept throttling after every retry: lower requests_per_second or run again later',
  network: 'the endpoint could not be reached: check network, proxy and endpoint settings',
  server: 'AWS answered with a server error after every retry: run again later',
  malformed: 'AWS answered with data that is not what the API documents',
};

/** One line naming the operation, the error's name and message; the context names the source. */
export function toSourceError(
  error: unknown,
  what: string,
  context: { stream: string; scope: string },
): SourceError {
  if (error instanceof SourceError) return error;
  const kind = kindOf(error);
  const name = errorName(error);
  const raw = describeError(error).split('\n')[0] ?? '';
  // Bodiless answers (HEAD) leave the SDK with "UnknownError": the status says more.
  const status = statusOf(error);
  const message = raw && raw !== 'UnknownError' && raw !== name ? raw : status ? `HTTP ${status}` : raw;
  return new SourceError(
    kind,
    `${what}: ${name}: ${message}`,
    { source: 'aws', stream: context.stream, scope: context.scope, requestId: requestIdOf(error) },
    { hint: HINTS[kind], cause: error },
  );
}
