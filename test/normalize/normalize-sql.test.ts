import { describe, expect, it } from 'vitest';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';
import { normalizeRecords } from '../helpers/normalize-records.js';

describe('classification and projection', () => {
  it('routes malformed JSON and unrecognized shapes to problems, keeping positions', async () => {
    const rows = await normalizeRecords(['{"not": "an audit record"}', '{"broken": ', '[1,2]']);
    expect(rows.map((r) => r.position)).toEqual([1, 2, 3]);
    expect(rows[0]?.problem).toMatch(/unrecognized record shape/);
    expect(rows[1]?.problem).toMatch(/malformed JSON/);
    expect(rows[2]?.problem).toMatch(/unrecognized record shape/);
  });

  it('takes only objects for CloudTrail, whose matcher skips the separate object test', async () => {
    const event = cloudtrailRecord(1, { eventID: 'e-1' });
    const rows = await normalizeRecords([
      event,
      [event],
      '"eventVersion"',
      { eventSource: 's3.amazonaws.com' },
    ]);
    expect(rows[0]).toMatchObject({ format: 'cloudtrail', event_id: 'e-1', problem: null });
    expect(rows[1]?.problem).toMatch(/unrecognized record shape/);
    expect(rows[2]?.problem).toMatch(/unrecognized record shape/);
    // Still CloudTrail, so its missing id is the problem reported.
    expect(rows[3]).toMatchObject({ format: 'cloudtrail', problem: 'record has no event id' });
  });
});
