import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveParams } from '../../src/detect/detector-params.js';
import { defaultQueriesRoot, loadDetectors } from '../../src/detect/load-detectors.js';
import { runDetector } from '../../src/detect/run-detector.js';
import { EventWriter } from '../../src/store/event-writer.js';
import type { Store } from '../../src/store/open-store.js';
import { memoryStore, trailRecord } from './helpers.js';

/**
 * aws/cloudtrail-bucket-retention-shortened also knows a trail bucket by where the store reads trail
 * files from: the origin s3://bucket/... that the S3 connector gives events. Fixtures cannot set an
 * origin, so this is tested here, with records written as the connector writes them.
 */
let store: Store;
beforeEach(async () => {
  store = await memoryStore();
});
afterEach(() => store.close());

const detector = loadDetectors(defaultQueriesRoot()).detectors.find(
  (d) => d.id === 'aws/cloudtrail-bucket-retention-shortened',
);

const lifecycle = trailRecord(2, {
  eventTime: '2026-03-01T10:30:00Z',
  eventSource: 's3.amazonaws.com',
  eventName: 'PutBucketLifecycle',
  requestParameters: {
    bucketName: 'org-audit-7f3a',
    LifecycleConfiguration: { Rule: { ID: 'purge', Status: 'Enabled', Expiration: { Days: 1 } } },
  },
});

async function shortenedOn(trailFilesOrigin: string): Promise<string[]> {
  if (!detector) throw new Error('detector not found');
  const writer = new EventWriter(store.connection, 0, 'test');
  await writer.begin();
  await writer.add(
    trailFilesOrigin,
    1,
    'record',
    JSON.stringify(trailRecord(1, { eventName: 'ListTrails' })),
  );
  await writer.add(trailFilesOrigin, 2, 'record', JSON.stringify(lifecycle));
  expect((await writer.commit()).errors).toBe(0);
  const { rows } = await runDetector(store.connection, detector, {
    window: { start: new Date('2026-03-01T00:00:00Z'), end: new Date('2026-03-02T00:00:00Z') },
    params: resolveParams(detector, {}),
  });
  return rows.map((r) => `${r.resource} ${String(r.values.expires_after_days)}`);
}

describe('trail buckets known from the S3 connector', () => {
  it('reports a short lifecycle rule on the bucket the trail files come from', async () => {
    expect(
      await shortenedOn('s3://org-audit-7f3a/AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/01/x.json.gz'),
    ).toEqual(['org-audit-7f3a 1']);
  });

  it('stays silent when the trail files come from another bucket', async () => {
    expect(await shortenedOn('s3://another-trail-bucket/AWSLogs/111122223333/CloudTrail/x.json.gz')).toEqual(
      [],
    );
  });

  it('stays silent when the trail files come from exported files and nothing names the bucket', async () => {
    expect(await shortenedOn('/var/exports/trail/x.json.gz')).toEqual([]);
  });
});
