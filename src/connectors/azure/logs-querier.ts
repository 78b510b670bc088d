import { randomUUID } from 'node:crypto';
import type { LogsQueryClient, LogsQueryResult } from '@azure/monitor-query-logs';

/**
 * The one SDK call the connector makes, LogsQueryClient.queryWorkspace, with two things the SDK
 * (1.0.0) does not give:
 *
 * - The service's request id of a successful answer, to quote when the answer is malformed or
 *   partial. queryWorkspace keeps only `requestOptions` of its options (it drops `onResponse` and
 *   `abortSignal`), so a pipeline policy notes the x-ms-request-id of each response under the
 *   client request id we send.
 * - Cancellation: for the same reason an abort signal never reaches the HTTP request. The call
 *   is raced against the signal, so an interrupted run stops waiting at once; the abandoned
 *   request ends by itself (the request timeout bounds it) and its answer is dropped.
 */
export interface QueryAnswer {
  readonly result: LogsQueryResult;
  readonly requestId: string | undefined;
}

export interface QueryOptions {
  readonly serverTimeoutSeconds: number;
  /** Client-side limit: a stuck connection must not hang an unattended run. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

interface HeaderBag {
  get(name: string): string | undefined;
}

const CLIENT_REQUEST_ID = 'x-ms-client-request-id';

export class LogsQuerier {
  private readonly client: LogsQueryClient;
  /** client request id → service request id, for calls in flight. */
  private readonly seen = new Map<string, string>();

  constructor(client: LogsQueryClient) {
    this.client = client;
    const seen = this.seen;
    client.pipeline.addPolicy({
      name: 'auditlakeRequestIdPolicy',
      async sendRequest(request, next) {
        const response = await next(request);
        const sent = (request.headers as HeaderBag).get(CLIENT_REQUEST_ID);
        const service = (response.headers as HeaderBag).get('x-ms-request-id');
        if (sent && service) seen.set(sent, service);
        return response;
      },
    });
  }

  async query(
    workspaceId: string,
    query: string,
    timespan: { startTime: Date; endTime: Date } | { duration: string },
    options: QueryOptions,
  ): Promise<QueryAnswer> {
    const { signal } = options;
    signal?.throwIfAborted();
    const clientRequestId = randomUUID();
    const pending = this.client.queryWorkspace(workspaceId, query, timespan, {
      serverTimeoutInSeconds: options.serverTimeoutSeconds,
      requestOptions: { timeout: options.timeoutMs, headers: { [CLIENT_REQUEST_ID]: clientRequestId } },
    });
    try {
      const result = await (signal ? raceAbort(pending, signal) : pending);
      return { result, requestId: this.seen.get(clientRequestId) };
    } finally {
      this.seen.delete(clientRequestId);
      // A late answer to an abandoned call must not leave its id behind.
      pending.then(
        () => this.seen.delete(clientRequestId),
        () => this.seen.delete(clientRequestId),
      );
    }
  }
}

function raceAbort<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
