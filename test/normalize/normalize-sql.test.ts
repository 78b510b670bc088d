import { describe, expect, it } from 'vitest';
import { normalizeRecords } from '../helpers/normalize-records.js';

describe('classification and projection', () => {
  it('routes malformed JSON and unrecognized shapes to problems, keeping positions', async () => {
    const rows = await normalizeRecords(['{"not": "an audit record"}', '{"broken": ', '[1,2]']);
    expect(rows.map((r) => r.position)).toEqual([1, 2, 3]);
    expect(rows[0]?.problem).toMatch(/unrecognized record shape/);
    expect(rows[1]?.problem).toMatch(/malformed JSON/);
    expect(rows[2]?.problem).toMatch(/unrecognized record shape/);
  });
});
