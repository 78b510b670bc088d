import { describe, expect, it } from 'vitest';
import { sniffLayout } from '../../../src/connectors/files/sniff.js';

describe('sniffLayout', () => {
  it('recognizes CloudTrail and Azure keyed arrays, including pretty-printed ones', () => {
    expect(sniffLayout('{"Records":[{"eventID":"1"}]}', true)).toEqual({
      kind: 'keyed-array',
      key: 'Records',
    });
    expect(sniffLayout('{\n  "records": [\n    {"time": "x"}', false)).toEqual({
      kind: 'keyed-array',
      key: 'records',
    });
  });

  it('treats one keyed container per line as NDJSON', () => {
    expect(sniffLayout('{"Records":[{"a":1}]}\n{"Records":[{"a":2}]}\n', true)).toEqual({ kind: 'ndjson' });
  });

  it('recognizes arrays, NDJSON and single documents by content', () => {
    expect(sniffLayout('\ufeff  [ {"insertId": "x"} ]', true)).toEqual({ kind: 'array' });
    expect(sniffLayout('{"insertId":"a"}\n{"insertId":"b"}\n', true)).toEqual({ kind: 'ndjson' });
    expect(sniffLayout('{\n  "messageType": "DATA_MESSAGE",\n  "logEvents": []\n}', true)).toEqual({
      kind: 'document',
    });
  });

  it('skips CloudTrail digests and reports empty and non-JSON files', () => {
    expect(sniffLayout('{"awsAccountId":"1","digestStartTime":"x","logFiles":[]}', true)).toEqual({
      kind: 'cloudtrail-digest',
    });
    expect(sniffLayout('  \n', true)).toEqual({ kind: 'empty' });
    expect(sniffLayout('hello world', true)).toMatchObject({ kind: 'not-json' });
  });
});
