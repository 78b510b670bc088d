import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { DetectionConfig } from '../../src/config/config-schema.js';
import { type Detector, loadDetectors } from '../../src/detect/load-detectors.js';
import { EventWriter } from '../../src/store/event-writer.js';
import { openStore, type Store } from '../../src/store/open-store.js';

export const GOOD_ROOT = resolve(import.meta.dirname, '../fixtures/detect-queries/good');
export const HOSTILE_ROOT = resolve(import.meta.dirname, '../fixtures/detect-queries/hostile');

/** A CloudTrail record: `n` makes the event id, the rest can be overridden. */
export function trailRecord(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      arn: 'arn:aws:iam::111122223333:user/mallory',
      accountId: '111122223333',
      userName: 'mallory',
    },
    eventTime: '2026-03-01T10:00:00Z',
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'DeleteTrail',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.9',
    userAgent: 'aws-cli/2.15.0',
    eventID: `evt-${n}`,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
    ...overrides,
  };
}

/** Loads native records into the store through the real batch writer. */
export async function ingest(store: Store, records: readonly Record<string, unknown>[]): Promise<void> {
  const writer = new EventWriter(store.connection, 0, 'test');
  await writer.begin();
  for (const [i, r] of records.entries()) await writer.add('test', i + 1, 'record', JSON.stringify(r));
  const outcome = await writer.commit();
  if (outcome.errors > 0) throw new Error(`${outcome.errors} test record(s) did not load`);
}

export function memoryStore(): Promise<Store> {
  return openStore({ path: ':memory:' });
}

export function goodDetector(id: string): Detector {
  const found = loadDetectors(GOOD_ROOT).detectors.find((d) => d.id === id);
  if (!found) throw new Error(`no test detector ${id}`);
  return found;
}

export function config(partial: Partial<DetectionConfig> = {}): DetectionConfig {
  return { params: {}, suppressions: [], timeout_seconds: 60, parallel: 1, ...partial };
}

/** A fresh queries root in a temp dir with the given files (path → content). */
export function queriesRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'auditlake-queries-'));
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return root;
}

export const iso = (s: string): Date => new Date(s);
