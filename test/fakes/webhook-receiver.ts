import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback webhook receiver for tests, doing what docs/notifications.md tells a real receiver to
 * do: check the HMAC-SHA256 signature over `<timestamp>.<body>` in constant time, reject stale
 * timestamps, and answer 401 when either check fails. It verifies with node:crypto on its own
 * (not auditlake's signing code), so a test proves the documented recipe, not a function against
 * itself. Answers can be scripted per request (status, Retry-After, no answer at all).
 */

export interface ScriptedAnswer {
  status: number;
  /** The Retry-After header, as sent. */
  retryAfter?: string;
  body?: string;
  location?: string;
  /** Never answer: the client's timeout must end the attempt. */
  hang?: boolean;
}

export interface ReceivedDelivery {
  n: number;
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: unknown;
  /** null when the receiver has no secret. */
  signatureValid: boolean | null;
  timestampFresh: boolean;
  answered: number | null;
}

export interface WebhookReceiver {
  url: string;
  deliveries: ReceivedDelivery[];
  close(): Promise<void>;
}

/** The documented check (docs/notifications.md), line for line. */
export function verifySignature(
  secret: string,
  timestamp: string | undefined,
  body: string,
  header: string | undefined,
): boolean {
  if (!timestamp || !header) return false;
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
  const a = Buffer.from(expected);
  const b = Buffer.from(header);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startWebhookReceiver(
  options: {
    secret?: string;
    answers?: ScriptedAnswer[];
    /** Seconds a timestamp may differ from the receiver's clock. */
    toleranceSeconds?: number;
    path?: string;
  } = {},
): Promise<WebhookReceiver> {
  const answers = [...(options.answers ?? [])];
  const deliveries: ReceivedDelivery[] = [];
  const sockets = new Set<Socket>();
  const tolerance = options.toleranceSeconds ?? 300;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const timestamp = header(req, 'x-auditlake-timestamp');
      const signature = header(req, 'x-auditlake-signature');
      const signatureValid =
        options.secret === undefined ? null : verifySignature(options.secret, timestamp, body, signature);
      const age = Math.abs(Date.now() / 1000 - Number(timestamp));
      const timestampFresh = Number.isFinite(age) && age <= tolerance;
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      const delivery: ReceivedDelivery = {
        n: deliveries.length + 1,
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        json,
        signatureValid,
        timestampFresh,
        answered: null,
      };
      deliveries.push(delivery);
      if (signatureValid === false || (options.secret !== undefined && !timestampFresh)) {
        delivery.answered = 401;
        res.writeHead(401, { 'content-type': 'text/plain' }).end('bad signature');
        return;
      }
      if (options.path !== undefined && req.url !== options.path) {
        delivery.answered = 404;
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no_service');
        return;
      }
      const answer = answers.shift() ?? { status: 200, body: 'ok' };
      if (answer.hang) return;
      delivery.answered = answer.status;
      const headers: Record<string, string> = { 'content-type': 'text/plain' };
      if (answer.retryAfter !== undefined) headers['retry-after'] = answer.retryAfter;
      if (answer.location !== undefined) headers.location = answer.location;
      res.writeHead(answer.status, headers).end(answer.body ?? '');
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${options.path ?? '/hooks/auditlake'}`,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
