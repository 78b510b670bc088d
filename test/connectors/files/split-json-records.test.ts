import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitJsonRecords } from '../../../src/connectors/files/split-json-records.js';

describe('splitJsonRecords', () => {
  it('returns each record of the keyed array with its exact text and offset', () => {
    const text = '{"Other":{"Records":[9]},"Records":[{"a":"x]}"} , {"b":[1,{"c":2}]}]}';
    const { records, defect } = splitJsonRecords(text, 'Records');
    expect(defect).toBeNull();
    expect(records.map((r) => r.text)).toEqual(['{"a":"x]}"}', '{"b":[1,{"c":2}]}']);
    expect(records.map((r) => text.slice(r.offset, r.offset + r.text.length))).toEqual(
      records.map((r) => r.text),
    );
    expect(records.map((r) => r.index)).toEqual([1, 2]);
  });

  it('keeps every complete record before a truncation and reports where it broke', () => {
    const text = '{"Records":[\n{"id":1},\n{"id":2},\n{"id":3, "x": "unfinished';
    const { records, defect } = splitJsonRecords(text, 'Records');
    expect(records.map((r) => JSON.parse(r.text).id)).toEqual([1, 2]);
    expect(defect).toMatchObject({ line: 4, reason: 'record 3: unterminated string' });
  });

  it('splits top-level arrays and handles escapes in strings', () => {
    const { records, defect } = splitJsonRecords('[{"q":"a\\"]"},{"q":"\\\\"}]', null);
    expect(defect).toBeNull();
    expect(records.map((r) => JSON.parse(r.text).q)).toEqual(['a"]', '\\']);
  });

  it('reports a missing key and a wrong container', () => {
    expect(splitJsonRecords('{"records":[]}', 'Records').defect?.reason).toMatch(/no "Records" array/);
    expect(splitJsonRecords('{"a":1}', null).defect?.reason).toBe('expected a JSON array');
    expect(splitJsonRecords('[]', null)).toEqual({ records: [], defect: null });
  });

  it('recovers exactly the records of any valid array, and never throws on any prefix of it', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 8 }), fc.nat(), (values, cut) => {
        const text = JSON.stringify({ Records: values });
        const whole = splitJsonRecords(text, 'Records');
        expect(whole.defect).toBeNull();
        expect(whole.records.map((r) => JSON.parse(r.text))).toEqual(JSON.parse(JSON.stringify(values)));
        const prefix = text.slice(0, cut % (text.length + 1));
        const partial = splitJsonRecords(prefix, 'Records');
        // Whatever survives a truncation is a leading run of the real records.
        const survivors = partial.records.map((r) => r.text);
        expect(survivors).toEqual(whole.records.slice(0, survivors.length).map((r) => r.text));
      }),
      { numRuns: 300 },
    );
  });
});
