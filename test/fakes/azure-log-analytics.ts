import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { LoopbackCertificate } from './azure-tls.js';
import { readPem } from './azure-tls.js';

/**
 * A loopback Log Analytics query API (https://127.0.0.1:PORT/v1), speaking what
 * @azure/monitor-query-logs sends: `POST /v1/workspaces/{id}/query` with `{query, timespan}`,
 * answered with `{tables: [{name, columns: [{name, type}], rows}]}` or an Azure error body
 * `{error: {code, message, innererror}}`, always with an x-ms-request-id header.
 *
 * It understands the two query shapes the connector sends (a time slice of a table, and the
 * doctor's `<Table> | take 1`), serves rows only once they have "arrived" (late rows), enforces
 * the per-identity quota (queries per window, concurrency) with 429 + Retry-After, truncates
 * results over `maxRows` with a partial error (forcing a split), and plays scripted faults.
 */

export type FakeTable = 'AzureActivity' | 'SigninLogs' | 'AuditLogs';

export interface FakeRow {
  readonly workspace: string;
  readonly table: FakeTable;
  /** TimeGenerated, ms. */
  readonly time: number;
  /** The record id the normalizer keys on (EventDataId / Id). */
  readonly id: string;
  /** When the row becomes visible to queries (fake clock, ms); default: always. */
  arrivesAt?: number;
}

export interface QueryLog {
  readonly n: number;
  readonly workspace: string;
  readonly query: string;
  readonly table: string | null;
  readonly from: number | null;
  readonly to: number | null;
  readonly status: number;
  readonly rows: number;
  /** performance.now() when the request arrived, and how long the answer took (ms). */
  readonly started: number;
  readonly ms: number;
}

/** A scripted answer for matching queries (the `times` next ones), instead of the data. */
export interface Fault {
  match?: (q: {
    workspace: string;
    table: string | null;
    from: number | null;
    to: number | null;
    n: number;
  }) => boolean;
  times?: number;
  status: number;
  code?: string;
  message?: string;
  headers?: Record<string, string>;
  /** A 200 whose body is this text (malformed answers). */
  rawBody?: string;
  /** Drop the connection without an answer. */
  destroy?: boolean;
}

export interface FakeOptions {
  readonly certificate: LoopbackCertificate;
  /** Bearer token the fake accepts. */
  readonly token: string;
  /** Workspace ids that exist. */
  readonly workspaces: readonly string[];
  /** Tables each workspace has (default all three). */
  readonly tables?: readonly FakeTable[];
  /** The fake clock for late rows (default Date.now). */
  readonly now?: () => number;
  /** Per-identity quota; default 200 per 30 s, 5 concurrent. */
  readonly quota?: { perWindow: number; windowMs: number; concurrency: number };
  /** Rows per result beyond which the answer is truncated with a partial error. */
  readonly maxRows?: number;
  /** Simulated processing time of one query, ms (default 0). */
  readonly latencyMs?: (rows: number) => number;
}

const WORKSPACE_PATH = /^\/v1\/workspaces\/([^/]+)\/query$/;
const SLICE_QUERY =
  /^(\w+) \| where TimeGenerated >= datetime\(([^)]+)\) and TimeGenerated < datetime\(([^)]+)\) \| order by TimeGenerated asc$/;
const TAKE_QUERY = /^(\w+) \| take 1$/;

type Column = readonly [name: string, type: string];

const COMMON: readonly Column[] = [
  ['TenantId', 'string'],
  ['TimeGenerated', 'datetime'],
];
const COLUMNS: Record<FakeTable, readonly Column[]> = {
  AzureActivity: [
    ...COMMON,
    ['OperationNameValue', 'string'],
    ['CategoryValue', 'string'],
    ['ActivityStatusValue', 'string'],
    ['Caller', 'string'],
    ['CallerIpAddress', 'string'],
    ['CorrelationId', 'string'],
    ['EventDataId', 'string'],
    ['SubscriptionId', 'string'],
    ['_ResourceId', 'string'],
    ['Properties', 'string'],
    ['Claims', 'string'],
    ['Properties_d', 'dynamic'],
    ['Type', 'string'],
  ],
  SigninLogs: [
    ...COMMON,
    ['OperationName', 'string'],
    ['Category', 'string'],
    ['ResultType', 'string'],
    ['CreatedDateTime', 'datetime'],
    ['Id', 'string'],
    ['IPAddress', 'string'],
    ['UserPrincipalName', 'string'],
    ['AppDisplayName', 'string'],
    ['Status', 'dynamic'],
    ['DeviceDetail', 'dynamic'],
    ['IsInteractive', 'bool'],
    ['AADTenantId', 'string'],
    ['Type', 'string'],
  ],
  AuditLogs: [
    ...COMMON,
    ['OperationName', 'string'],
    ['Category', 'string'],
    ['Id', 'string'],
    ['ActivityDateTime', 'datetime'],
    ['ActivityDisplayName', 'string'],
    ['Result', 'string'],
    ['InitiatedBy', 'dynamic'],
    ['TargetResources', 'dynamic'],
    ['AADTenantId', 'string'],
    ['Type', 'string'],
  ],
};

const TENANT = '72f988bf-0000-4000-8000-00000000aaaa';
const SUBSCRIPTION = '5c6d7e8f-0000-4000-8000-00000000bbbb';

/** The row as Log Analytics would answer it (datetime as ISO with 7 digits, dynamic as JSON text). */
function rowValues(row: FakeRow, n: number): unknown[] {
  const t = `${new Date(row.time).toISOString().slice(0, -1)}${String(n % 10_000).padStart(4, '0')}Z`;
  const user = `user${n % 97}@contoso.example`;
  const ip = `198.51.100.${n % 250}`;
  switch (row.table) {
    case 'AzureActivity':
      return [
        row.workspace,
        t,
        'MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE',
        'Administrative',
        'Success',
        user,
        ip,
        `corr-${row.id}`,
        row.id,
        SUBSCRIPTION.toUpperCase(),
        `/subscriptions/${SUBSCRIPTION}/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm-${n % 13}`,
        JSON.stringify({ statusCode: 'Created', eventCategory: 'Administrative' }),
        JSON.stringify({ 'http://schemas.microsoft.com/identity/claims/tenantid': TENANT, idtyp: 'user' }),
        JSON.stringify({ statusCode: 'Created' }),
        'AzureActivity',
      ];
    case 'SigninLogs':
      return [
        row.workspace,
        t,
        'Sign-in activity',
        'SignInLogs',
        n % 5 === 0 ? '50126' : '0',
        t,
        row.id,
        ip,
        user,
        'Microsoft Teams',
        JSON.stringify({ errorCode: n % 5 === 0 ? 50126 : 0 }),
        JSON.stringify({ operatingSystem: 'Windows 11', browser: 'Edge 123.0.0' }),
        true,
        TENANT,
        'SigninLogs',
      ];
    case 'AuditLogs':
      return [
        row.workspace,
        t,
        'Add member to group',
        'GroupManagement',
        row.id,
        t,
        'Add member to group',
        'success',
        JSON.stringify({ user: { userPrincipalName: user, ipAddress: ip } }),
        JSON.stringify([{ id: `g-${n % 7}`, displayName: `group-${n % 7}`, type: 'Group' }]),
        TENANT,
        'AuditLogs',
      ];
  }
}

/** Index of the first row at or after `time` (rows sorted by time). */
function lowerBound(rows: readonly FakeRow[], time: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((rows[mid] as FakeRow).time < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class FakeLogAnalytics {
  readonly log: QueryLog[] = [];
  readonly faults: Fault[] = [];
  /** Requests refused for exceeding the quota (the connector should cause none). */
  quotaViolations = 0;
  maxConcurrent = 0;
  /** Called before answering each query: tests interrupt runs from here (the crash point). */
  onQuery: ((entry: { n: number; table: string | null; from: number | null }) => void) | null = null;

  private readonly rows = new Map<string, FakeRow[]>();
  private readonly options: FakeOptions;
  private server: Server | null = null;
  private requests = 0;
  private running = 0;
  private readonly starts: number[] = [];

  constructor(options: FakeOptions) {
    this.options = options;
  }

  get endpoint(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('the fake is not listening');
    return `https://127.0.0.1:${address.port}/v1`;
  }

  async start(): Promise<this> {
    const pem = readPem(this.options.certificate);
    this.server = createServer({ ...pem }, (req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(JSON.stringify({ error: { code: 'FakeBug', message: String(error) } }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = null;
  }

  add(rows: readonly FakeRow[]): void {
    for (const row of rows) {
      const key = `${row.workspace}/${row.table}`;
      let list = this.rows.get(key);
      if (!list) {
        list = [];
        this.rows.set(key, list);
      }
      list.push(row);
    }
    for (const list of this.rows.values()) list.sort((a, b) => a.time - b.time);
  }

  /** Every row of a workspace table (visible or not). */
  all(workspace: string, table: FakeTable): readonly FakeRow[] {
    return this.rows.get(`${workspace}/${table}`) ?? [];
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const n = ++this.requests;
    const requestId = `fake-req-${String(n).padStart(5, '0')}`;
    res.setHeader('x-ms-request-id', requestId);
    res.setHeader('content-type', 'application/json; charset=utf-8');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const started = performance.now();
    const send = (
      status: number,
      body: unknown,
      headers: Record<string, string> = {},
      entry?: Partial<QueryLog>,
    ) => {
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      res.statusCode = status;
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
      this.log.push({
        n,
        workspace: '',
        query: '',
        table: null,
        from: null,
        to: null,
        rows: 0,
        started,
        ms: performance.now() - started,
        ...entry,
        status,
      });
    };
    const error = (
      status: number,
      code: string,
      message: string,
      headers: Record<string, string> = {},
      entry?: Partial<QueryLog>,
    ) =>
      send(
        status,
        { error: { code, message, correlationId: requestId, innererror: { code, message } } },
        headers,
        entry,
      );

    if (req.headers.authorization !== `Bearer ${this.options.token}`) {
      error(401, 'AuthorizationRequiredError', 'Valid authentication was not provided');
      return;
    }
    const path = WORKSPACE_PATH.exec(req.url ?? '');
    if (req.method !== 'POST' || !path) {
      error(404, 'PathNotFoundError', `The requested path does not exist: ${req.method} ${req.url}`);
      return;
    }
    const workspace = decodeURIComponent(path[1] ?? '');
    let body: { query?: unknown; timespan?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      error(400, 'BadArgumentError', 'The request body is not JSON');
      return;
    }
    const query = typeof body.query === 'string' ? body.query : '';
    const slice = SLICE_QUERY.exec(query);
    const take = TAKE_QUERY.exec(query);
    const table = slice?.[1] ?? take?.[1] ?? null;
    const from = slice ? Date.parse(slice[2] ?? '') : null;
    const to = slice ? Date.parse(slice[3] ?? '') : null;
    const entry = { workspace, query, table, from, to };

    // The quota is per identity: a sliding window of query starts, and queries at once.
    const quota = this.options.quota ?? { perWindow: 200, windowMs: 30_000, concurrency: 5 };
    const t = performance.now();
    while (this.starts.length > 0 && (this.starts[0] as number) <= t - quota.windowMs) this.starts.shift();
    if (this.starts.length >= quota.perWindow || this.running >= quota.concurrency) {
      this.quotaViolations++;
      const wait =
        this.starts.length >= quota.perWindow ? (this.starts[0] as number) + quota.windowMs - t : 100;
      error(
        429,
        'TooManyRequests',
        'Too many requests: the query rate limit was exceeded',
        {
          'retry-after': String(Math.max(1, Math.ceil(wait / 1000))),
          // Azure's millisecond variant, so a quota scaled down for tests is waited out exactly.
          'retry-after-ms': String(Math.max(1, Math.ceil(wait))),
        },
        entry,
      );
      return;
    }
    this.starts.push(t);
    this.running++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.running);
    try {
      this.onQuery?.({ n, table, from });
      const faultIndex = this.faults.findIndex((f) => (f.match ? f.match({ ...entry, n }) : true));
      const fault = faultIndex >= 0 ? this.faults[faultIndex] : undefined;
      if (fault) {
        if (fault.times !== undefined && --fault.times <= 0) this.faults.splice(faultIndex, 1);
        if (fault.destroy) {
          req.socket.destroy();
          return;
        }
        if (fault.rawBody !== undefined) send(fault.status, fault.rawBody, fault.headers, entry);
        else
          error(fault.status, fault.code ?? 'ServiceError', fault.message ?? 'fault', fault.headers, entry);
        return;
      }
      if (!this.options.workspaces.includes(workspace)) {
        error(404, 'WorkspaceNotFoundError', `Workspace ${workspace} could not be found`, {}, entry);
        return;
      }
      const tables = this.options.tables ?? ['AzureActivity', 'SigninLogs', 'AuditLogs'];
      if (!table || !tables.includes(table as FakeTable) || (!slice && !take)) {
        error(
          400,
          'BadArgumentError',
          table && !tables.includes(table as FakeTable)
            ? `'where' operator: Failed to resolve table or column expression named '${table}'`
            : `The query could not be parsed: ${query}`,
          {},
          entry,
        );
        return;
      }
      const rows = this.all(workspace, table as FakeTable);
      const first = from === null ? 0 : lowerBound(rows, from);
      const last = to === null ? rows.length : lowerBound(rows, to);
      const now = this.now();
      const visible = rows.slice(first, last).filter((r) => r.arrivesAt === undefined || r.arrivesAt <= now);
      const limit = take ? 1 : (this.options.maxRows ?? 500_000);
      const served = visible.slice(0, limit);
      const latency = this.options.latencyMs?.(served.length) ?? 0;
      if (latency > 0) await new Promise((r) => setTimeout(r, latency));
      const columns = COLUMNS[table as FakeTable];
      const result: Record<string, unknown> = {
        tables: [
          {
            name: 'PrimaryResult',
            columns: columns.map(([name, type]) => ({ name, type })),
            rows: served.map((r) =>
              rowValues(r, Number.parseInt(r.id.replace(/\D/g, '').slice(-6) || '0', 10)),
            ),
          },
        ],
      };
      if (slice && visible.length > limit) {
        result.error = {
          code: 'PartialError',
          message: 'There were some errors when processing your query.',
          details: [
            {
              code: 'EngineError',
              message: 'Something went wrong processing your query on the server.',
              innererror: {
                code: '-2133196797',
                message: `Query result set has exceeded the internal record count limit ${limit} records (E_QUERY_RESULT_SET_TOO_LARGE).`,
                severity: 2,
                severityName: 'Error',
              },
            },
          ],
        };
      }
      send(200, result, {}, { ...entry, rows: served.length });
    } finally {
      this.running--;
    }
  }
}
