import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback Cloud Logging for tests: the REST surface auditlake uses, `POST /v2/entries:list`
 * with {resourceNames, filter, orderBy, pageSize, pageToken} → {entries, nextPageToken}, Google
 * JSON error bodies {error: {code, message, status}}, and an STS token endpoint (`POST
 * /v1/token`) so GoogleAuth with an external_account credential file can get a token from it.
 *
 * It is strict where a real call could go wrong unnoticed: the filter must have both timestamp
 * bounds and only the clause shapes the connector writes (anything else is 400), orderBy must be
 * `timestamp asc`, pageSize at most 1000, a page token must belong to the same filter.
 */

export interface FakeRequest {
  n: number;
  resource: string;
  filter: string;
  orderBy: string | undefined;
  pageSize: number | undefined;
  pageToken: string | undefined;
  authorization: string | undefined;
  status: number;
  entries: number;
  at: number;
}

export type Fault =
  | {
      kind: 'status';
      status: number;
      grpc: string;
      message?: string;
      /** Seconds, as the Retry-After header. */
      retryAfter?: string;
      /** Puts a google.rpc.RequestInfo detail with this id in the error body. */
      requestId?: string;
    }
  | { kind: 'malformed'; body: string }
  /** Destroys the connection before answering. */
  | { kind: 'reset' };

interface StoredEntry {
  key: string;
  insertId: string;
  logName: string;
  json: string;
  /** Not listed before this instant of `clock` (an entry Cloud Logging received late). */
  visibleFrom: number;
}

interface Quota {
  requests: number;
  windowMs: number;
  /** Bucket size; defaults to `requests` (a per-minute quota lets a minute's requests come at once). */
  burst?: number;
}

export const FAKE_TOKEN = 'fake-access-token';
export const FAKE_STS_TOKEN = 'fake-sts-token';

/** Sortable key of an RFC 3339 UTC timestamp: fraction padded to nanoseconds. */
export function timeKey(ts: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(ts);
  if (!m) throw new Error(`fake: not an RFC 3339 UTC timestamp: ${ts}`);
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

interface ParsedFilter {
  lower: { key: string; inclusive: boolean };
  upper: { key: string; inclusive: boolean };
  logNames: Set<string> | null;
}

/** Parses the filter shapes the connector writes: ANDed timestamp bounds and logName clauses. */
export function parseFilter(filter: string): ParsedFilter {
  let lower: ParsedFilter['lower'] | undefined;
  let upper: ParsedFilter['upper'] | undefined;
  let logNames: Set<string> | null = null;
  for (const rawClause of filter.split(' AND ')) {
    let clause = rawClause.trim();
    if (clause.startsWith('(') && clause.endsWith(')')) clause = clause.slice(1, -1);
    const atoms = clause.split(' OR ').map((a) => /^(\w+)\s*(>=|<=|=|<|>)\s*"([^"]*)"$/.exec(a.trim()));
    if (atoms.some((a) => a === null)) throw new Error(`unsupported clause: ${rawClause}`);
    const parsed = atoms as RegExpExecArray[];
    if (parsed.every((a) => a[1] === 'logName' && a[2] === '=')) {
      logNames = new Set([...(logNames ?? []), ...parsed.map((a) => a[3] as string)]);
      continue;
    }
    if (parsed.length !== 1 || parsed[0]?.[1] !== 'timestamp')
      throw new Error(`unsupported clause: ${rawClause}`);
    const [, , op, value] = parsed[0] as RegExpExecArray;
    const key = timeKey(value as string);
    if (op === '>=' || op === '>') lower = { key, inclusive: op === '>=' };
    else if (op === '<' || op === '<=') upper = { key, inclusive: op === '<=' };
    else throw new Error(`unsupported clause: ${rawClause}`);
  }
  if (!lower || !upper) throw new Error('the filter must bound timestamp on both sides');
  return { lower, upper, logNames };
}

function tokenFor(filter: string, lastKey: string): string {
  return Buffer.from(JSON.stringify({ f: filter, k: lastKey })).toString('base64url');
}

export class FakeCloudLogging {
  readonly requests: FakeRequest[] = [];
  /** Tokens the fake accepts. */
  readonly tokens = new Set([FAKE_TOKEN, FAKE_STS_TOKEN]);
  /** Resources answering 403 PERMISSION_DENIED. */
  readonly denied = new Set<string>();
  /** STS token exchanges served. */
  stsExchanges = 0;
  /** At most this many entries scanned per page: a page may come back short or empty, with a token. */
  maxScanPerPage = Number.POSITIVE_INFINITY;
  /** Called before each entries.list is answered (a test aborts a run or adds late entries here). */
  onList: ((request: FakeRequest) => void) | undefined;
  /** Extra response latency. */
  delayMs = 0;
  /** The fake's notion of now (ms), for entries added with `visibleFrom`. */
  clock: () => number = () => Date.now();
  url = '';

  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly data = new Map<string, StoredEntry[]>();
  private readonly faults = new Map<string, { fault: Fault; times: number; afterRequests: number }[]>();
  private readonly quotas = new Map<string, { quota: Quota; tokens: number; last: number }>();
  private quota: Quota | undefined;
  private count = 0;
  private readonly perResource = new Map<string, number>();

  private constructor() {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.googleError(res, 500, 'INTERNAL', `fake: ${String(error)}`);
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(): Promise<FakeCloudLogging> {
    const fake = new FakeCloudLogging();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Makes a resource exist (it answers 404 NOT_FOUND until it does). */
  addResource(resource: string): void {
    if (!this.data.has(resource)) this.data.set(resource, []);
  }

  /** Stores entries under a resource, kept in (timestamp, insertId) order; returns their insertIds. */
  addEntries(
    resource: string,
    entries: readonly Record<string, unknown>[],
    /** When (ms of `clock`) each entry becomes visible: late arrivals. */
    visibleFrom: (entry: Record<string, unknown>) => number = () => Number.NEGATIVE_INFINITY,
  ): string[] {
    this.addResource(resource);
    const list = this.data.get(resource) as StoredEntry[];
    const added = entries.map((entry) => {
      const insertId = String(entry.insertId);
      const ts = String(entry.timestamp);
      return {
        key: `${timeKey(ts)}|${insertId}`,
        insertId,
        logName: String(entry.logName),
        json: JSON.stringify(entry),
        visibleFrom: visibleFrom(entry),
      };
    });
    list.push(...added);
    list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return added.map((e) => e.insertId);
  }

  /** Every stored insertId of a resource, optionally only of some logs. */
  insertIds(resource: string, logNames?: readonly string[]): string[] {
    return (this.data.get(resource) ?? [])
      .filter((e) => !logNames || logNames.includes(e.logName))
      .map((e) => e.insertId);
  }

  /** Answers the next `times` entries.list calls on `resource` (after `afterRequests` more) with a fault. */
  inject(resource: string, fault: Fault, options: { times?: number; afterRequests?: number } = {}): void {
    const list = this.faults.get(resource) ?? [];
    list.push({ fault, times: options.times ?? 1, afterRequests: options.afterRequests ?? 0 });
    this.faults.set(resource, list);
  }

  /** Enforces a request quota per resource, answering 429 RESOURCE_EXHAUSTED beyond it. */
  enforceQuota(quota: Quota): void {
    this.quota = quota;
    this.quotas.clear();
  }

  /** 429s the quota caused. */
  get throttled(): number {
    return this.requests.filter((r) => r.status === 429).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'POST' && path === '/v1/token') {
      this.stsExchanges++;
      const form = new URLSearchParams(body);
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:token-exchange') {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_grant"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          access_token: FAKE_STS_TOKEN,
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          token_type: 'Bearer',
          expires_in: 3600,
        }),
      );
      return;
    }
    if (req.method !== 'POST' || path !== '/v2/entries:list') {
      this.googleError(res, 404, 'NOT_FOUND', `fake: no route ${req.method} ${path}`);
      return;
    }
    let parsed: {
      resourceNames?: unknown;
      filter?: unknown;
      orderBy?: unknown;
      pageSize?: unknown;
      pageToken?: unknown;
    };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      this.googleError(res, 400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
      return;
    }
    const resources = Array.isArray(parsed.resourceNames) ? (parsed.resourceNames as string[]) : [];
    const resource = resources[0] ?? '';
    const request: FakeRequest = {
      n: ++this.count,
      resource,
      filter: String(parsed.filter ?? ''),
      orderBy: typeof parsed.orderBy === 'string' ? parsed.orderBy : undefined,
      pageSize: typeof parsed.pageSize === 'number' ? parsed.pageSize : undefined,
      pageToken: typeof parsed.pageToken === 'string' ? parsed.pageToken : undefined,
      authorization: req.headers.authorization,
      status: 200,
      entries: 0,
      at: performance.now(),
    };
    this.requests.push(request);
    const answer = (
      status: number,
      grpc: string,
      message: string,
      extra: { retryAfter?: string; requestId?: string } = {},
    ) => {
      request.status = status;
      this.googleError(res, status, grpc, message, extra);
    };
    this.onList?.(request);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));

    const token = request.authorization?.replace(/^Bearer /, '');
    if (!token || !this.tokens.has(token)) {
      answer(
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      );
      return;
    }
    if (resources.length !== 1) {
      answer(400, 'INVALID_ARGUMENT', 'fake: exactly one resource name expected');
      return;
    }
    if (this.overQuota(resource)) {
      answer(
        429,
        'RESOURCE_EXHAUSTED',
        `Quota exceeded for quota metric 'Read requests' of service 'logging.googleapis.com' for consumer '${resource}'.`,
      );
      return;
    }
    const seen = (this.perResource.get(resource) ?? 0) + 1;
    this.perResource.set(resource, seen);
    const fault = this.takeFault(resource);
    if (fault?.kind === 'reset') {
      request.status = 0;
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(fault.body);
      return;
    }
    if (fault?.kind === 'status') {
      answer(fault.status, fault.grpc, fault.message ?? `fake ${fault.grpc}`, fault);
      return;
    }
    if (this.denied.has(resource)) {
      answer(
        403,
        'PERMISSION_DENIED',
        `Permission 'logging.logEntries.list' denied on resource (or it may not exist).`,
      );
      return;
    }
    const entries = this.data.get(resource);
    if (!entries) {
      answer(404, 'NOT_FOUND', `Resource ${resource} not found.`);
      return;
    }
    if (request.orderBy !== 'timestamp asc') {
      answer(
        400,
        'INVALID_ARGUMENT',
        `fake: expected orderBy "timestamp asc", got ${String(request.orderBy)}`,
      );
      return;
    }
    const pageSize = request.pageSize ?? 50;
    if (pageSize < 1 || pageSize > 1000) {
      answer(400, 'INVALID_ARGUMENT', 'page_size must be between 1 and 1000');
      return;
    }
    let filter: ParsedFilter;
    try {
      filter = parseFilter(request.filter);
    } catch (error) {
      answer(400, 'INVALID_ARGUMENT', `fake: ${(error as Error).message}`);
      return;
    }
    let afterKey: string | undefined;
    if (request.pageToken) {
      try {
        const t = JSON.parse(Buffer.from(request.pageToken, 'base64url').toString('utf8')) as {
          f: string;
          k: string;
        };
        if (t.f !== request.filter) throw new Error('filter changed');
        afterKey = t.k;
      } catch {
        answer(400, 'INVALID_ARGUMENT', "page_token doesn't match arguments from the request");
        return;
      }
    }
    const page: string[] = [];
    let lastKey: string | undefined;
    let scanned = 0;
    let i = lowerIndex(entries, afterKey, filter.lower);
    let more = false;
    const now = this.clock();
    for (; i < entries.length; i++) {
      const e = entries[i] as StoredEntry;
      const ts = e.key.slice(0, e.key.indexOf('|'));
      if (ts > filter.upper.key || (ts === filter.upper.key && !filter.upper.inclusive)) break;
      if (page.length >= pageSize || scanned >= this.maxScanPerPage) {
        more = true;
        break;
      }
      scanned++;
      lastKey = e.key;
      if (filter.logNames && !filter.logNames.has(e.logName)) continue;
      if (e.visibleFrom > now) continue;
      page.push(e.json);
    }
    request.entries = page.length;
    // proto3 JSON omits empty fields: no entries, no token.
    const parts: string[] = [];
    if (page.length) parts.push(`"entries":[${page.join(',')}]`);
    if (more && lastKey) parts.push(`"nextPageToken":"${tokenFor(request.filter, lastKey)}"`);
    res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' }).end(`{${parts.join(',')}}`);
  }

  private takeFault(resource: string): Fault | undefined {
    const list = this.faults.get(resource);
    const next = list?.[0];
    if (!list || !next) return undefined;
    if (next.afterRequests > 0) {
      next.afterRequests--;
      return undefined;
    }
    next.times--;
    if (next.times <= 0) list.shift();
    return next.fault;
  }

  private overQuota(resource: string): boolean {
    if (!this.quota) return false;
    const now = performance.now();
    const capacity = this.quota.burst ?? this.quota.requests;
    const bucket = this.quotas.get(resource) ?? { quota: this.quota, tokens: capacity, last: now };
    this.quotas.set(resource, bucket);
    bucket.tokens = Math.min(
      capacity,
      bucket.tokens + ((now - bucket.last) * this.quota.requests) / this.quota.windowMs,
    );
    bucket.last = now;
    if (bucket.tokens < 1) return true;
    bucket.tokens -= 1;
    return false;
  }

  private googleError(
    res: ServerResponse,
    status: number,
    grpc: string,
    message: string,
    extra: { retryAfter?: string; requestId?: string } = {},
  ): void {
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=UTF-8' };
    if (extra.retryAfter !== undefined) headers['retry-after'] = extra.retryAfter;
    const error: Record<string, unknown> = { code: status, message, status: grpc };
    if (extra.requestId) {
      error.details = [{ '@type': 'type.googleapis.com/google.rpc.RequestInfo', requestId: extra.requestId }];
    }
    res.writeHead(status, headers).end(JSON.stringify({ error }));
  }
}

/** First index after the page token's entry, or at the filter's lower bound. */
function lowerIndex(
  entries: readonly StoredEntry[],
  afterKey: string | undefined,
  lower: ParsedFilter['lower'],
): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const e = entries[mid] as StoredEntry;
    const ts = e.key.slice(0, e.key.indexOf('|'));
    const before =
      afterKey !== undefined ? e.key <= afterKey : lower.inclusive ? ts < lower.key : ts <= lower.key;
    if (before) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * An audit LogEntry as Cloud Logging returns it (and sinks export it): the shape of
 * test/fixtures/gcp, varied by `n`.
 */
export function auditEntry(
  resource: string,
  kind: 'activity' | 'data_access' | 'system_event' | 'policy',
  n: number,
  timestamp: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const project = resource.startsWith('projects/') ? resource.slice('projects/'.length) : undefined;
  const method =
    kind === 'data_access'
      ? 'storage.objects.get'
      : kind === 'system_event'
        ? 'compute.instances.migrateOnHostMaintenance'
        : 'v1.compute.instances.insert';
  return {
    insertId: `${kind.slice(0, 2)}-${resource.replace(/\W/g, '')}-${n}`,
    logName: `${resource}/logs/cloudaudit.googleapis.com%2F${kind}`,
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      authenticationInfo: { principalEmail: `user${n % 7}@example.com` },
      authorizationInfo: [{ granted: true, permission: method, resource: `${resource}/things/${n}` }],
      methodName: method,
      requestMetadata: {
        callerIp: `203.0.113.${n % 250}`,
        callerSuppliedUserAgent: 'google-cloud-sdk gcloud/475.0.0',
      },
      resourceName: `${resource}/zones/us-central1-a/instances/vm-${n}`,
      serviceName: kind === 'data_access' ? 'storage.googleapis.com' : 'compute.googleapis.com',
      status: {},
    },
    receiveTimestamp: timestamp,
    resource: {
      labels: {
        ...(project ? { project_id: project } : {}),
        zone: 'us-central1-a',
        instance_id: String(1000 + n),
      },
      type: 'gce_instance',
    },
    severity: kind === 'data_access' ? 'INFO' : 'NOTICE',
    timestamp,
    ...overrides,
  };
}
