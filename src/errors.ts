/**
 * One error family for the whole tool. Every error carries a stable code (for scripts and tests),
 * a context record (file, line, source, request id, ...) and an optional hint the CLI prints.
 */
export type ErrorCode =
  | 'usage'
  | 'config'
  | 'store'
  | 'store_locked'
  | 'input'
  | 'source'
  | 'detector'
  | 'report'
  | 'internal';

export type ErrorContext = Readonly<Record<string, string | number | boolean | null | undefined>>;

export class AuditlakeError extends Error {
  readonly code: ErrorCode;
  readonly context: ErrorContext;
  readonly hint: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { context?: ErrorContext; hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuditlakeError';
    this.code = code;
    this.context = options.context ?? {};
    this.hint = options.hint;
  }
}

export class UsageError extends AuditlakeError {
  constructor(message: string, hint?: string) {
    super('usage', message, hint === undefined ? {} : { hint });
    this.name = 'UsageError';
  }
}

export class StoreError extends AuditlakeError {
  constructor(message: string, options: { context?: ErrorContext; hint?: string; cause?: unknown } = {}) {
    super('store', message, options);
    this.name = 'StoreError';
  }
}

/** Text of any thrown value, for messages. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
