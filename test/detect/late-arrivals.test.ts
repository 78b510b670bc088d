import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/config-schema.js';
import { listFindings } from '../../src/detect/findings-store.js';
import { loadDetectors } from '../../src/detect/load-detectors.js';
import { runDetection } from '../../src/detect/run-detection.js';
import { EventWriter } from '../../src/store/event-writer.js';
import { openStore } from '../../src/store/open-store.js';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';

describe('default detection window', () => {
  it('judges an event that arrives after its time was already covered by a run', async () => {
    const store = await openStore({ path: ':memory:' });
    try {
      const c = store.connection;
      const load = async (records: Record<string, unknown>[]) => {
        const writer = new EventWriter(c, 0, 'test');
        await writer.begin();
        for (const [i, r] of records.entries()) await writer.add('test', i + 1, 'record', JSON.stringify(r));
        await writer.commit();
      };
      const detectors = loadDetectors('test/fixtures/detect-queries/good').detectors.filter(
        (d) => d.id === 'aws/delete-trail',
      );
      const config = configSchema.parse({}).detection;
      // 10:00 calls are in the store; the nightly run at 12:00 judges up to 12:00.
      await load([cloudtrailRecord(1), cloudtrailRecord(2)]);
      await runDetection(c, { detectors, config, now: new Date('2026-11-02T12:00:00Z') });
      expect(await listFindings(c)).toEqual([]);
      // CloudTrail delivers a 10:05 StopLogging late, after that run; the next run must still see it.
      await load([
        cloudtrailRecord(300, { eventName: 'StopLogging', eventSource: 'cloudtrail.amazonaws.com' }),
      ]);
      await runDetection(c, { detectors, config, now: new Date('2026-11-03T12:00:00Z') });
      const findings = await listFindings(c);
      expect(findings.map((f) => [f.detector, f.evidence])).toEqual([
        ['aws/delete-trail', [cloudtrailRecord(300).eventID]],
      ]);
    } finally {
      store.close();
    }
  });
});
