import { describe, expect, it } from 'vitest';
import { classifyAzureError, retryAfterMs } from '../../../src/connectors/azure/errors.js';
import { QueryGate } from '../../../src/connectors/azure/query-gate.js';
import { tableRecords } from '../../../src/connectors/azure/rows.js';
import {
  DAY_MS,
  HOUR_MS,
  MIN_SLICE_MS,
  nextWidth,
  parseCursor,
  resolveStart,
  sliceQuery,
} from '../../../src/connectors/azure/slices.js';

const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name.toLowerCase()] });

describe('slices', () => {
  it('writes the half-open KQL slice the fake (and the service) reads', () => {
    expect(
      sliceQuery('SigninLogs', Date.parse('2024-05-01T00:00:00Z'), Date.parse('2024-05-01T01:00:00Z')),
    ).toBe(
      'SigninLogs | where TimeGenerated >= datetime(2024-05-01T00:00:00.000Z) and TimeGenerated < datetime(2024-05-01T01:00:00.000Z) | order by TimeGenerated asc',
    );
  });

  it('resolves the first run start from a look-back or a date', () => {
    const now = Date.parse('2024-05-08T12:00:00Z');
    expect(resolveStart(undefined, now)).toBe(now - 7 * DAY_MS);
    expect(resolveStart('24h', now)).toBe(now - DAY_MS);
    expect(resolveStart('2024-05-01', now)).toBe(Date.parse('2024-05-01T00:00:00Z'));
    expect(resolveStart('2024-05-01T06:30:00', now)).toBe(Date.parse('2024-05-01T06:30:00Z'));
  });

  it('adapts the width to the targets, grows at most 2x, and stays within bounds', () => {
    const targets = { rows: 1000, chars: 1e9 };
    expect(nextWidth(HOUR_MS, HOUR_MS, 4000, 1, targets)).toBe(HOUR_MS / 4);
    expect(nextWidth(HOUR_MS, HOUR_MS, 10, 1, targets)).toBe(2 * HOUR_MS);
    expect(nextWidth(HOUR_MS, HOUR_MS, 0, 0, targets)).toBe(2 * HOUR_MS);
    expect(nextWidth(DAY_MS, DAY_MS, 0, 0, targets)).toBe(DAY_MS);
    expect(nextWidth(HOUR_MS, 1000, 1e6, 1, targets)).toBe(MIN_SLICE_MS);
    // Size binds before rows for wide records.
    expect(nextWidth(HOUR_MS, HOUR_MS, 100, 4e9, { rows: 1000, chars: 1e9 })).toBe(HOUR_MS / 4);
    // A slice cut short by the window end does not shrink a width that suits the table.
    expect(nextWidth(HOUR_MS, 60_000, 5, 1, targets)).toBe(2 * HOUR_MS);
  });

  it('reads its own cursor back and refuses anything else', () => {
    expect(parseCursor({ end: '2024-05-01T00:00:00.000Z', slice_ms: 60_000 })).toEqual({
      end: Date.parse('2024-05-01T00:00:00Z'),
      sliceMs: 60_000,
    });
    expect(parseCursor(3)).toBeInstanceOf(Error);
    expect(parseCursor({ end: 'yesterday' })).toBeInstanceOf(Error);
  });
});

describe('result rows', () => {
  it('builds records of column name to value, with Type, ISO times and parsed dynamics kept', () => {
    const { records } = tableRecords(
      [
        {
          name: 'PrimaryResult',
          columnDescriptors: [
            { name: 'TimeGenerated', type: 'datetime' },
            { name: 'Status', type: 'dynamic' },
            { name: 'Id', type: 'string' },
          ],
          rows: [[new Date('2024-05-01T00:00:00.123Z'), { errorCode: 0 }, 'a']],
        },
      ],
      'SigninLogs',
    );
    expect(records.map((r) => JSON.parse(r))).toEqual([
      { TimeGenerated: '2024-05-01T00:00:00.123Z', Status: { errorCode: 0 }, Id: 'a', Type: 'SigninLogs' },
    ]);
    expect(() => tableRecords([], 'SigninLogs')).toThrow(/no tables/);
    expect(() =>
      tableRecords([{ columnDescriptors: [{ name: 'Id', type: 'string' }], rows: [] }], 'SigninLogs'),
    ).toThrow(/no TimeGenerated/);
    expect(() =>
      tableRecords(
        [{ columnDescriptors: [{ name: 'TimeGenerated', type: 'datetime' }], rows: [[1, 2]] }],
        'X',
      ),
    ).toThrow(/row 1/);
  });
});

describe('error classification', () => {
  const rest = (
    statusCode: number | undefined,
    code: string | undefined,
    message: string,
    h: Record<string, string> = {},
  ) =>
    Object.assign(new Error(message), {
      name: 'RestError',
      statusCode,
      code,
      response: { headers: headers(h) },
    });

  it('reads Retry-After in seconds, as a date, or in ms', () => {
    const now = Date.parse('2024-05-01T00:00:00Z');
    expect(retryAfterMs(headers({ 'retry-after': '7' }), now)).toBe(7000);
    expect(retryAfterMs(headers({ 'retry-after': 'Wed, 01 May 2024 00:00:03 GMT' }), now)).toBe(3000);
    expect(retryAfterMs(headers({ 'retry-after-ms': '250' }), now)).toBe(250);
    expect(retryAfterMs(headers({}), now)).toBeUndefined();
  });

  it('tells retryable failures from the ones a person must fix', () => {
    const f = (e: unknown) => {
      const c = classifyAzureError(e);
      return [c.kind, c.retry, c.tooLarge, c.requestId ?? null];
    };
    expect(
      f(rest(429, 'TooManyRequests', 'slow down', { 'retry-after': '2', 'x-ms-request-id': 'r1' })),
    ).toEqual(['throttled', true, false, 'r1']);
    expect(classifyAzureError(rest(429, undefined, 'x', { 'retry-after': '2' })).afterMs).toBe(2000);
    expect(f(rest(503, 'ServiceUnavailable', 'later'))).toEqual(['server', true, false, null]);
    expect(f(rest(401, 'AuthorizationRequiredError', 'no'))).toEqual(['auth', false, false, null]);
    expect(f(rest(403, 'InsufficientAccessError', 'no'))).toEqual(['permission', false, false, null]);
    expect(f(rest(404, 'PathNotFoundError', 'no'))).toEqual(['not_found', false, false, null]);
    expect(
      f(rest(400, 'BadArgumentError', "Failed to resolve table or column expression named 'AuditLogs'")),
    ).toEqual(['not_found', false, false, null]);
    expect(f(rest(413, 'ResponsePayloadTooLarge', 'too big'))).toEqual(['server', false, true, null]);
    expect(f(rest(undefined, 'REQUEST_SEND_ERROR', 'connect ECONNREFUSED 127.0.0.1:1'))).toEqual([
      'network',
      true,
      false,
      null,
    ]);
    const unavailable = Object.assign(new Error('no env vars'), { name: 'CredentialUnavailableError' });
    expect(f(unavailable)).toEqual(['auth', false, false, null]);
    expect(classifyAzureError(rest(403, 'InsufficientAccessError', 'insufficient access')).message).toBe(
      'permission denied: 403 InsufficientAccessError: insufficient access',
    );
  });
});

describe('QueryGate', () => {
  it('keeps at most `concurrency` queries in flight and starts no more than the quota per window', async () => {
    const gate = new QueryGate({ queriesPerWindow: 10, windowMs: 200, concurrency: 2 });
    let running = 0;
    let most = 0;
    const starts: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, () =>
        gate.run(async () => {
          starts.push(performance.now() - t0);
          running++;
          most = Math.max(most, running);
          await new Promise((r) => setTimeout(r, 5));
          running--;
        }),
      ),
    );
    expect(most).toBe(2);
    // Any 200 ms window holds at most 10 starts (a little slack for timer granularity).
    for (const s of starts)
      expect(starts.filter((x) => x >= s && x < s + 195).length).toBeLessThanOrEqual(10);
  });

  it('holds every query back while the service asked to wait', async () => {
    const gate = new QueryGate({ queriesPerWindow: 100, windowMs: 1000, concurrency: 5 });
    gate.pause(150);
    const t0 = performance.now();
    await gate.run(async () => {});
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });
});
