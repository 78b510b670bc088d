import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An S3 endpoint on 127.0.0.1 speaking the REST/XML protocol with path-style addressing, enough
 * for the real SDK client: ListObjectsV2 (prefix, delimiter, start-after, continuation-token,
 * max-keys, CommonPrefixes), GetObject, HeadBucket, and S3's XML errors with their RequestId.
 */
export interface S3Request {
  op: 'ListObjectsV2' | 'GetObject' | 'HeadBucket';
  bucket: string;
  key?: string;
  query: URLSearchParams;
  /** 1-based count of requests of any kind. */
  n: number;
}

export type S3Fault =
  | { kind: 'error'; status: number; code: string; message?: string; retryAfter?: number }
  /** Sends the headers and half of the object, then cuts the connection. */
  | { kind: 'truncate' }
  | { kind: 'reset' };

export interface S3FakeOptions {
  /** Access keys the fake accepts; others answer InvalidAccessKeyId. Unset: any key. */
  accessKeys?: readonly string[];
  /** Keys per ListObjectsV2 page at most (S3's maximum is 1000). */
  pageSize?: number;
  fault?: (request: S3Request) => S3Fault | null | undefined;
  /** Buckets the caller may not read (AccessDenied). */
  denied?: readonly string[];
}

export interface S3Fake {
  url: string;
  /** Stores an object; `metadata` is served as x-amz-meta-* headers (CloudTrail digest signatures). */
  put(bucket: string, key: string, body: Buffer, metadata?: Record<string, string>): void;
  createBucket(bucket: string): void;
  /** Deletes an object. */
  remove(bucket: string, key: string): void;
  /** Every request in order. */
  log: S3Request[];
  close(): Promise<void>;
}

const xmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export async function startS3Fake(options: S3FakeOptions = {}): Promise<S3Fake> {
  const buckets = new Map<string, Map<string, Buffer>>();
  const metadataOf = new Map<string, Record<string, string>>();
  const log: S3Request[] = [];
  let counter = 0;

  const requestId = () => `s3-req-${counter}`;
  const sendError = (
    res: ServerResponse,
    status: number,
    code: string,
    message: string,
    head: boolean,
    retryAfter?: number,
  ) => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><RequestId>${requestId()}</RequestId><HostId>fake-host</HostId></Error>`;
    res.writeHead(status, {
      'content-type': 'application/xml',
      'x-amz-request-id': requestId(),
      'x-amz-id-2': 'fake-host',
      ...(retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }),
      ...(head ? {} : { 'content-length': Buffer.byteLength(body) }),
    });
    res.end(head ? undefined : body);
  };

  const list = (res: ServerResponse, bucket: string, objects: Map<string, Buffer>, q: URLSearchParams) => {
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const startAfter = q.get('start-after') ?? '';
    const token = q.get('continuation-token');
    const maxKeys = Math.min(Number(q.get('max-keys') ?? 1000), options.pageSize ?? 1000);
    const after = token ? Buffer.from(token, 'base64url').toString('utf8') : startAfter;
    const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    // Entries in key order: an object, or a common prefix standing for every key under it.
    const entries: { key: string; prefix: boolean }[] = [];
    for (const key of keys) {
      const rest = key.slice(prefix.length);
      const cut = delimiter ? rest.indexOf(delimiter) : -1;
      if (cut >= 0) {
        const common = prefix + rest.slice(0, cut + delimiter.length);
        if (entries.at(-1)?.key !== common) entries.push({ key: common, prefix: true });
      } else entries.push({ key, prefix: false });
    }
    const page = entries.slice(0, maxKeys);
    const truncated = entries.length > maxKeys;
    const last = page.at(-1);
    // A common prefix continues after every key under it.
    const nextAfter = last ? (last.prefix ? `${last.key}\uffff` : last.key) : '';
    const parts = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
      `<Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix>`,
      startAfter ? `<StartAfter>${xmlEscape(startAfter)}</StartAfter>` : '',
      `<KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>`,
      delimiter ? `<Delimiter>${xmlEscape(delimiter)}</Delimiter>` : '',
      `<IsTruncated>${truncated}</IsTruncated>`,
      token ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : '',
      truncated
        ? `<NextContinuationToken>${Buffer.from(nextAfter).toString('base64url')}</NextContinuationToken>`
        : '',
      ...page
        .filter((e) => !e.prefix)
        .map(
          (e) =>
            `<Contents><Key>${xmlEscape(e.key)}</Key><LastModified>2026-11-02T10:00:00.000Z</LastModified><ETag>"etag"</ETag><Size>${objects.get(e.key)?.length ?? 0}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
        ),
      ...page
        .filter((e) => e.prefix)
        .map((e) => `<CommonPrefixes><Prefix>${xmlEscape(e.key)}</Prefix></CommonPrefixes>`),
      '</ListBucketResult>',
    ];
    const body = parts.join('');
    res.writeHead(200, {
      'content-type': 'application/xml',
      'x-amz-request-id': requestId(),
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    counter++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.slice(1);
    const slash = path.indexOf('/');
    const bucket = decodeURIComponent(slash < 0 ? path : path.slice(0, slash));
    const key = slash < 0 ? undefined : decodeURIComponent(path.slice(slash + 1));
    const head = req.method === 'HEAD';
    const op: S3Request['op'] = key ? 'GetObject' : head ? 'HeadBucket' : 'ListObjectsV2';
    const request: S3Request = { op, bucket, query: url.searchParams, n: counter, ...(key ? { key } : {}) };
    log.push(request);

    const auth = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''));
    if (!auth || (options.accessKeys && !options.accessKeys.includes(auth[1] ?? ''))) {
      sendError(
        res,
        403,
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
        head,
      );
      return;
    }
    const fault = options.fault?.(request);
    if (fault?.kind === 'error') {
      sendError(res, fault.status, fault.code, fault.message ?? fault.code, head, fault.retryAfter);
      return;
    }
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    const objects = buckets.get(bucket);
    if (!objects) {
      sendError(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', head);
      return;
    }
    if (options.denied?.includes(bucket)) {
      sendError(res, 403, 'AccessDenied', 'Access Denied', head);
      return;
    }
    if (op === 'HeadBucket') {
      res.writeHead(200, { 'x-amz-request-id': requestId(), 'x-amz-bucket-region': 'us-east-1' });
      res.end();
      return;
    }
    if (op === 'ListObjectsV2') {
      list(res, bucket, objects, url.searchParams);
      return;
    }
    const body = objects.get(key ?? '');
    if (!body) {
      sendError(res, 404, 'NoSuchKey', 'The specified key does not exist.', false);
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': body.length,
      'x-amz-request-id': requestId(),
      etag: '"etag"',
      'last-modified': 'Mon, 02 Nov 2026 10:00:00 GMT',
      ...Object.fromEntries(
        Object.entries(metadataOf.get(`${bucket}/${key ?? ''}`) ?? {}).map(([k, v]) => [
          `x-amz-meta-${k}`,
          v,
        ]),
      ),
    });
    if (fault?.kind === 'truncate') {
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => req.socket.destroy());
      return;
    }
    res.end(body);
  };

  const server: Server = createServer((req, res) => {
    // The body of a GET or HEAD is empty; drain it so the socket can be reused.
    req.resume();
    req.on('end', () => handle(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    put(bucket, key, body, metadata) {
      const objects = buckets.get(bucket) ?? new Map<string, Buffer>();
      objects.set(key, body);
      buckets.set(bucket, objects);
      if (metadata) metadataOf.set(`${bucket}/${key}`, metadata);
      else metadataOf.delete(`${bucket}/${key}`);
    },
    remove(bucket, key) {
      buckets.get(bucket)?.delete(key);
      metadataOf.delete(`${bucket}/${key}`);
    },
    createBucket(bucket) {
      if (!buckets.has(bucket)) buckets.set(bucket, new Map());
    },
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
