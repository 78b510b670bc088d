import { describe, expect, it } from 'vitest';
import { pairLines } from '../../src/conformance/elastic.js';
import { recordsOfText } from '../../src/conformance/enumerate-records.js';

describe('pairLines', () => {
  it('pairs the k-th expected document with the k-th non-blank line', () => {
    const { pairs, mismatch } = pairLines('{"a":1}\n\n{"a":2}\n', ['one', 'two']);
    expect(pairs).toEqual([
      { line: 1, doc: 'one' },
      { line: 3, doc: 'two' },
    ]);
    expect(mismatch).toBeNull();
  });

  it('says when counts differ and pairs what it can', () => {
    const { pairs, mismatch } = pairLines('{"a":1}\n{"a":2}', ['one']);
    expect(pairs).toHaveLength(1);
    expect(mismatch).toBe('2 input lines but 1 expected documents');
  });
});

describe('recordsOfText', () => {
  it('addresses bare lines by line number and container lines by record index', () => {
    const text = '{"eventID":"a"}\n\n{"Records":[{"eventID":"b"},{"eventID":"c"}]}\nnot json\n';
    const { records } = recordsOfText('/x.log', text, { kind: 'ndjson' });
    expect(records.map((r) => [r.origin, r.unit, r.position, r.line])).toEqual([
      ['/x.log', 'line', 1, 1],
      ['/x.log#line=3', 'record', 1, 3],
      ['/x.log#line=3', 'record', 2, 3],
      ['/x.log', 'line', 4, 4],
    ]);
  });

  it('addresses container documents by record index and skips digests with a note', () => {
    const doc = recordsOfText('/y.json', '{"Records":[{"eventID":"a"}]}', {
      kind: 'keyed-array',
      key: 'Records',
    });
    expect(doc.records.map((r) => [r.origin, r.unit, r.position])).toEqual([['/y.json', 'record', 1]]);
    const digest = recordsOfText('/d.json', '{}', { kind: 'cloudtrail-digest' });
    expect(digest.records).toEqual([]);
    expect(digest.notEvents).toMatch(/digest/);
  });

  it('gives an unreadable file one whole-file record for a file-level error to account for', () => {
    const { records } = recordsOfText('/z.json', 'hello', { kind: 'not-json', reason: 'not JSON' });
    expect(records.map((r) => [r.unit, r.position])).toEqual([['file', 0]]);
  });
});
