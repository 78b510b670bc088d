import { readFileSync } from 'node:fs';
import { EventWriter } from '../../src/store/event-writer.js';
import type { Store } from '../../src/store/open-store.js';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';

/** A CloudTrail record on a given UTC day (2026-11-DD), numbered n for a unique event id. */
export function awsRecord(n: number, day: number): Record<string, unknown> {
  const record = cloudtrailRecord(n);
  const time = String(record.eventTime).replace('2026-11-02', `2026-11-${String(day).padStart(2, '0')}`);
  return { ...record, eventTime: time };
}

/** A GCP audit log entry (from the fixtures) with its own id and time. */
export function gcpRecord(n: number, time: string): Record<string, unknown> {
  const base = JSON.parse(
    readFileSync(new URL('../fixtures/gcp/activity-impersonated-delete.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
  return { ...base, insertId: `gcp-chain-${n}`, timestamp: time, receiveTimestamp: time };
}

/** Commits one batch of records through the real writer; returns how many events it stored. */
export async function commitBatch(
  store: Store,
  records: Record<string, unknown>[],
  runId = 1,
): Promise<number> {
  const writer = new EventWriter(store.connection, runId, 'files');
  try {
    await writer.begin();
    for (const [i, record] of records.entries()) {
      await writer.add('test.json', i + 1, 'record', JSON.stringify(record));
    }
    return (await writer.commit()).inserted;
  } finally {
    writer.dispose();
  }
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
