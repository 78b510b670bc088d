import { describe, expect, it } from 'vitest';
import { looksLikeContainer, unwrapContainers } from '../../../src/connectors/files/unwrap-containers.js';

describe('unwrapContainers', () => {
  it('unwraps CloudWatch Logs subscription data into the CloudTrail records in each message', () => {
    const envelope = {
      messageType: 'DATA_MESSAGE',
      logGroup: 'aws-cloudtrail-logs',
      logEvents: [
        { id: '1', timestamp: 1, message: '{"eventID":"e1"}' },
        { id: '2', timestamp: 2 },
      ],
    };
    const out = unwrapContainers(envelope);
    expect(out.records).toEqual([{ index: 1, text: '{"eventID":"e1"}' }]);
    expect(out.problems).toEqual([
      { index: 2, reason: 'log event has no string message', excerpt: expect.any(String) },
    ]);
  });

  it('turns Log Analytics result tables into one object per row', () => {
    const result = {
      tables: [
        {
          name: 'PrimaryResult',
          columns: [{ name: 'TimeGenerated' }, { name: 'Caller' }],
          rows: [
            ['t1', 'a@x'],
            ['t2', null],
          ],
        },
      ],
    };
    expect(unwrapContainers(result).records.map((r) => JSON.parse(r.text))).toEqual([
      { TimeGenerated: 't1', Caller: 'a@x' },
      { TimeGenerated: 't2', Caller: null },
    ]);
  });

  it('unwraps Records / records / arrays, passes bare records, skips digests', () => {
    expect(unwrapContainers({ Records: [{ a: 1 }, { a: 2 }] }).records).toHaveLength(2);
    expect(unwrapContainers({ records: [{ a: 1 }] }).records).toHaveLength(1);
    expect(unwrapContainers([{ a: 1 }]).records).toEqual([{ index: 1, text: '{"a":1}' }]);
    expect(unwrapContainers({ eventID: 'x' }).records).toEqual([{ index: 1, text: '{"eventID":"x"}' }]);
    expect(unwrapContainers({ digestStartTime: 'x', logFiles: [] }).skipped).toMatch(/digest/);
  });

  it('flags container lines cheaply', () => {
    expect(looksLikeContainer('{"Records":[')).toBe(true);
    expect(looksLikeContainer('{ "logEvents": [')).toBe(true);
    expect(looksLikeContainer('{"messageType":"DATA_MESSAGE"')).toBe(true);
    expect(looksLikeContainer('{"eventVersion":"1.08"}')).toBe(false);
  });
});
