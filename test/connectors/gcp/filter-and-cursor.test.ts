import { describe, expect, it } from 'vitest';
import { gcpSourceSchema } from '../../../src/config/sources/gcp.js';
import { auditLogNames, entriesFilter } from '../../../src/connectors/gcp/audit-filter.js';
import { gcpCursor, parseCursor, resumeFrom } from '../../../src/connectors/gcp/cursor.js';
import { requiredRole } from '../../../src/connectors/gcp/index.js';
import { durationMs, startInstant } from '../../../src/connectors/gcp/time.js';
import { parseFilter } from '../../fakes/gcp-logging.js';
import { context, source, testConnectors } from './harness.js';

describe('the entries.list filter', () => {
  it('bounds timestamp on both sides and names the audit logs URL-encoded', () => {
    const filter = entriesFilter(
      'projects/acme-prod',
      ['policy', 'activity'],
      new Date('2026-03-01T00:00:00Z'),
      new Date('2026-03-01T11:59:30Z'),
    );
    expect(filter).toBe(
      'timestamp>="2026-03-01T00:00:00.000Z" AND timestamp<"2026-03-01T11:59:30.000Z" AND (logName="projects/acme-prod/logs/cloudaudit.googleapis.com%2Factivity" OR logName="projects/acme-prod/logs/cloudaudit.googleapis.com%2Fpolicy")',
    );
    // The fake reads back exactly what was meant.
    expect(parseFilter(filter).logNames).toEqual(
      new Set(auditLogNames('projects/acme-prod', ['activity', 'policy'])),
    );
    expect(entriesFilter('organizations/1', ['data_access'], new Date(0), new Date(1000))).toBe(
      'timestamp>="1970-01-01T00:00:00.000Z" AND timestamp<"1970-01-01T00:00:01.000Z" AND logName="organizations/1/logs/cloudaudit.googleapis.com%2Fdata_access"',
    );
  });

  it('names the least-privilege role for the configured kinds', () => {
    expect(requiredRole(['activity', 'system_event', 'policy'])).toBe('roles/logging.viewer');
    expect(requiredRole(['activity', 'data_access'])).toBe('roles/logging.privateLogViewer');
  });
});

describe('the Cloud Logging cursor', () => {
  it('resumes at the earlier of the last entry read and the overlap before the read began', () => {
    const tenMinutes = durationMs('10m');
    // Backfill stopped mid-window: the last committed entry is long before the read.
    const backfill = gcpCursor('2026-02-20T08:00:00.123456789Z', new Date('2026-03-01T12:00:00Z'));
    expect(resumeFrom(backfill, tenMinutes).toISOString()).toBe('2026-02-20T08:00:00.123Z');
    // Caught up: re-read the overlap before the read began.
    const caughtUp = gcpCursor('2026-03-01T11:59:30.000Z', new Date('2026-03-01T12:00:00Z'));
    expect(resumeFrom(caughtUp, tenMinutes).toISOString()).toBe('2026-03-01T11:50:00.000Z');
  });

  it('accepts only its own shape', () => {
    expect(
      parseCursor({ v: 1, through: '2026-03-01T00:00:00Z', read_at: '2026-03-01T00:00:30Z' }),
    ).not.toBeNull();
    for (const junk of [
      3,
      'x',
      null,
      [],
      { v: 2, through: 'a', read_at: 'b' },
      { v: 1, through: 'soon', read_at: 'x' },
    ]) {
      expect(parseCursor(junk)).toBeNull();
    }
  });

  it('reads start as a look-back or a UTC date', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    expect(startInstant('7d', now).toISOString()).toBe('2026-02-22T12:00:00.000Z');
    expect(startInstant('24h', now).toISOString()).toBe('2026-02-28T12:00:00.000Z');
    expect(startInstant('2026-01-31', now).toISOString()).toBe('2026-01-31T00:00:00.000Z');
    expect(startInstant('2026-01-31T10:00:00', now).toISOString()).toBe('2026-01-31T10:00:00.000Z');
  });
});

describe('the gcp source config', () => {
  it('has defaults for everything but what to read, and takes no credentials', () => {
    expect(gcpSourceSchema.parse({ projects: ['acme-prod'] })).toEqual({
      projects: ['acme-prod'],
      folders: [],
      organizations: [],
      log_kinds: ['activity', 'system_event', 'policy'],
      overlap: '10m',
      settle: '30s',
      requests_per_minute: 60,
      page_size: 1000,
    });
    expect(
      gcpSourceSchema.safeParse({ projects: ['acme-prod'], credentials: '{"private_key": "x"}' }).success,
    ).toBe(false);
    // An id is written into the filter: nothing that could end its quotes.
    expect(gcpSourceSchema.safeParse({ projects: ['acme" OR logName:"x'] }).success).toBe(false);
    expect(gcpSourceSchema.safeParse({ projects: ['example.com:acme-prod'] }).success).toBe(true);
    expect(gcpSourceSchema.safeParse({ projects: ['a'], page_size: 5000 }).success).toBe(false);
  });

  it('refuses a source without resources, or the same stream twice', () => {
    const now = new Date();
    expect(() => testConnectors().connectors([source({})], context(now))).toThrow(
      'a gcp source names no projects, folders or organizations',
    );
    expect(() =>
      testConnectors().connectors(
        [source({ projects: ['acme-prod'] }), source({ projects: ['acme-prod'] })],
        context(now),
      ),
    ).toThrow('projects/acme-prod is configured twice with the same log kinds');
    // Other kinds of the same project are another stream (with its own checkpoint), sharing the quota.
    const streams = testConnectors()
      .connectors(
        [
          source({ projects: ['acme-prod'] }),
          source({ projects: ['acme-prod'], log_kinds: ['data_access'] }),
        ],
        context(now),
      )
      .map((c) => c.stream);
    expect(streams).toEqual([
      'cloud-logging/projects/acme-prod/activity+policy+system_event',
      'cloud-logging/projects/acme-prod/data_access',
    ]);
  });
});
