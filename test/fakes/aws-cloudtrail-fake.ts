import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A CloudTrail LookupEvents endpoint on 127.0.0.1 speaking the real protocol (AWS JSON 1.1:
 * `POST /` with `X-Amz-Target: CloudTrail_20131101.LookupEvents`), so the real SDK client talks to
 * it. The account comes from the access key in the SigV4 Authorization header (see `accounts`),
 * the region from its credential scope.
 */
export interface FakeEvent {
  id: string;
  /** Epoch ms of eventTime. */
  time: number;
  /** The CloudTrailEvent string the API returns. */
  record: string;
  name: string;
}

export interface LookupRequest {
  account: string;
  region: string;
  /** 1-based count of requests to this account-region. */
  n: number;
  body: Record<string, unknown>;
}

export type CloudTrailFault =
  | { kind: 'error'; status: number; type: string; message?: string }
  /** 200 with a body the client cannot use. */
  | { kind: 'malformed' }
  /** Destroys the connection without an answer. */
  | { kind: 'reset' };

export interface CloudTrailFakeOptions {
  /** Access key id → account id. Unknown keys answer UnrecognizedClientException. */
  accounts: Record<string, string>;
  /** Events per page (the API's maximum is 50). */
  pageSize?: number;
  /** Requests per second per account-region before ThrottlingException; unset: no limit. */
  ratePerSecond?: number;
  /** Token bucket size of the rate limit. */
  burst?: number;
  /** Called for each request after the limit check; a fault answers instead of the events. */
  fault?: (request: LookupRequest) => CloudTrailFault | null | undefined;
  /** Milliseconds to delay each answer (network latency). */
  latencyMs?: number;
  /** Public keys ListPublicKeys returns (every region alike); none by default. */
  publicKeys?: readonly FakePublicKey[];
}

/** A key as ListPublicKeys returns it: the value is base64 DER (PKCS#1). */
export interface FakePublicKey {
  fingerprint: string;
  value: string;
  /** Epoch ms of validity. */
  from: number;
  to: number;
}

export interface CloudTrailFake {
  url: string;
  /** Adds events to an account-region; a late event is one added with an old time. */
  add(account: string, region: string, events: readonly FakeEvent[]): void;
  /** Requests received per account-region, throttled ones included. */
  requests: Map<string, number>;
  throttled: Map<string, number>;
  /** Request timestamps (ms) per account-region of requests that were served. */
  served: Map<string, number[]>;
  /** The bodies of every LookupEvents request, in order. */
  log: LookupRequest[];
  /** The bodies of every ListPublicKeys request, in order. */
  publicKeyRequests: LookupRequest[];
  close(): Promise<void>;
}

interface Bucket {
  tokens: number;
  last: number;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** epoch seconds (number) or ISO text, as the SDK may send either. */
function toMs(value: unknown): number | undefined {
  if (typeof value === 'number') return value * 1000;
  if (typeof value === 'string') return Date.parse(value);
  return undefined;
}

export async function startCloudTrailFake(options: CloudTrailFakeOptions): Promise<CloudTrailFake> {
  const pageSize = options.pageSize ?? 50;
  const events = new Map<string, FakeEvent[]>();
  const requests = new Map<string, number>();
  const throttled = new Map<string, number>();
  const served = new Map<string, number[]>();
  const buckets = new Map<string, Bucket>();
  const log: LookupRequest[] = [];
  const publicKeyRequests: LookupRequest[] = [];
  let requestCounter = 0;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': `ct-req-${++requestCounter}`,
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };
  const error = (res: ServerResponse, status: number, type: string, message: string) =>
    send(res, status, { __type: type, message });

  const allow = (scope: string): boolean => {
    if (!options.ratePerSecond) return true;
    const now = performance.now();
    const burst = options.burst ?? 1;
    const bucket = buckets.get(scope) ?? { tokens: burst, last: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.last) / 1000) * options.ratePerSecond);
    bucket.last = now;
    buckets.set(scope, bucket);
    // 100 ms of slack for network and event-loop jitter (this fake shares its event loop with
    // the client and DuckDB); the debt carries over (tokens go below zero), so over any stretch
    // of time the rate is still held to the limit.
    if (bucket.tokens >= 0.8) {
      bucket.tokens -= 1;
      return true;
    }
    return false;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const text = await readBody(req);
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
    if (req.method !== 'POST' || req.url !== '/') {
      error(res, 404, 'UnknownOperationException', `no route ${req.method} ${req.url}`);
      return;
    }
    const target = req.headers['x-amz-target'];
    if (target === 'CloudTrail_20131101.ListPublicKeys') {
      listPublicKeys(req, res, text);
      return;
    }
    if (target !== 'CloudTrail_20131101.LookupEvents') {
      error(res, 400, 'UnknownOperationException', `unsupported target ${String(target)}`);
      return;
    }
    const auth = /Credential=([^/]+)\/\d{8}\/([^/]+)\/cloudtrail\/aws4_request/.exec(
      String(req.headers.authorization ?? ''),
    );
    const account = auth ? options.accounts[auth[1] ?? ''] : undefined;
    if (!auth || !account) {
      error(
        res,
        400,
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
      return;
    }
    const region = auth[2] ?? '';
    const scope = `${account}/${region}`;
    const n = (requests.get(scope) ?? 0) + 1;
    requests.set(scope, n);
    if (!allow(scope)) {
      throttled.set(scope, (throttled.get(scope) ?? 0) + 1);
      error(res, 400, 'ThrottlingException', 'Rate exceeded');
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      error(res, 400, 'SerializationException', 'body is not JSON');
      return;
    }
    const request = { account, region, n, body };
    log.push(request);
    const fault = options.fault?.(request);
    if (fault?.kind === 'error') {
      error(res, fault.status, fault.type, fault.message ?? fault.type);
      return;
    }
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'malformed') {
      res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': `ct-req-${++requestCounter}`,
      });
      res.end('{"Events": [{"EventId": "x", "CloudTrailEvent": ');
      return;
    }
    const list = served.get(scope) ?? [];
    list.push(performance.now());
    served.set(scope, list);

    const start = toMs(body.StartTime) ?? Number.NEGATIVE_INFINITY;
    const end = toMs(body.EndTime) ?? Number.POSITIVE_INFINITY;
    const max = Math.min(pageSize, typeof body.MaxResults === 'number' ? body.MaxResults : pageSize);
    let offset = 0;
    if (typeof body.NextToken === 'string') {
      const token = JSON.parse(Buffer.from(body.NextToken, 'base64url').toString('utf8')) as {
        offset: number;
        start: number;
        end: number;
      };
      if (token.start !== start || token.end !== end) {
        error(res, 400, 'InvalidNextTokenException', 'A token that is not valid is specified.');
        return;
      }
      offset = token.offset;
    }
    // Newest first, as the API returns them; ids break ties so pages are stable.
    const matching = (events.get(scope) ?? [])
      .filter((e) => e.time >= start && e.time <= end)
      .sort((a, b) => b.time - a.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const page = matching.slice(offset, offset + max);
    const next = offset + max < matching.length ? offset + max : null;
    send(res, 200, {
      Events: page.map((e) => ({
        EventId: e.id,
        EventName: e.name,
        ReadOnly: 'true',
        EventTime: e.time / 1000,
        EventSource: 'ec2.amazonaws.com',
        Username: 'alice',
        Resources: [],
        CloudTrailEvent: e.record,
      })),
      ...(next === null
        ? {}
        : { NextToken: Buffer.from(JSON.stringify({ offset: next, start, end })).toString('base64url') }),
    });
  };

  // ListPublicKeys: keys whose validity overlaps [StartTime, EndTime] (now when unset).
  const listPublicKeys = (req: IncomingMessage, res: ServerResponse, text: string) => {
    const auth = /Credential=([^/]+)\/\d{8}\/([^/]+)\/cloudtrail\/aws4_request/.exec(
      String(req.headers.authorization ?? ''),
    );
    const account = auth ? options.accounts[auth[1] ?? ''] : undefined;
    if (!auth || !account) {
      error(
        res,
        400,
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
      return;
    }
    const body = JSON.parse(text || '{}') as Record<string, unknown>;
    const request = { account, region: auth[2] ?? '', n: publicKeyRequests.length + 1, body };
    publicKeyRequests.push(request);
    const fault = options.fault?.(request);
    if (fault?.kind === 'error') {
      error(res, fault.status, fault.type, fault.message ?? fault.type);
      return;
    }
    const start = toMs(body.StartTime) ?? Date.now();
    const end = toMs(body.EndTime) ?? Date.now();
    send(res, 200, {
      PublicKeyList: (options.publicKeys ?? [])
        .filter((k) => k.from <= end && k.to >= start)
        .map((k) => ({
          Value: k.value,
          ValidityStartTime: k.from / 1000,
          ValidityEndTime: k.to / 1000,
          Fingerprint: k.fingerprint,
        })),
    });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) error(res, 500, 'InternalFailure', String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    add(account, region, list) {
      const scope = `${account}/${region}`;
      events.set(scope, [...(events.get(scope) ?? []), ...list]);
    },
    requests,
    throttled,
    served,
    log,
    publicKeyRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
