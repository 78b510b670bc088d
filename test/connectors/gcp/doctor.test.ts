import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeCloudLogging, parseFilter } from '../../fakes/gcp-logging.js';
import { context, source, testConnectors } from './harness.js';

const NOW = new Date('2026-03-01T12:00:00Z');
let fake: FakeCloudLogging;

beforeEach(async () => {
  fake = await FakeCloudLogging.start();
});

afterEach(async () => {
  await fake.close();
});

describe('gcp doctor', () => {
  it('checks credentials once per source and entries.list on each resource, reading one entry at most', async () => {
    fake.addResource('projects/alpha');
    fake.addResource('folders/42');
    fake.addResource('projects/beta');
    fake.denied.add('projects/beta');
    fake.addResource('projects/gamma');
    fake.denied.add('projects/gamma');
    const checks = await testConnectors().doctor(
      [
        source({ name: 'prod', projects: ['alpha', 'beta', 'ghost'], folders: ['42'], endpoint: fake.url }),
        source({ projects: ['gamma'], log_kinds: ['data_access'], endpoint: fake.url }),
      ],
      context(NOW),
    );
    expect(checks.map((c) => [c.scope, c.check, c.ok])).toEqual([
      ['prod', 'credentials', true],
      ['projects/alpha', 'permission', true],
      ['projects/beta', 'permission', false],
      ['projects/ghost', 'permission', false],
      ['folders/42', 'permission', true],
      ['projects/gamma', 'credentials', true],
      ['projects/gamma', 'permission', false],
    ]);
    expect(checks[0]?.detail).toBe(
      'got an access token from the standard credential chain as auditlake-reader@acme-ops.iam.gserviceaccount.com',
    );
    expect(checks[1]?.detail).toBe('entries.list allowed (activity, system_event, policy)');
    expect(checks[2]?.detail).toContain(
      'permission: entries.list on projects/beta was refused: 403 PERMISSION_DENIED',
    );
    expect(checks[2]?.detail).toContain('grant roles/logging.viewer on projects/beta');
    expect(checks[3]?.detail).toContain('not_found');
    // Data Access logs are private logs: the hint names the role that reads them.
    expect(checks[6]?.detail).toContain('grant roles/logging.privateLogViewer on projects/gamma');
    // The permission check is a one-entry read of the last minute.
    for (const r of fake.requests) {
      expect(r.pageSize).toBe(1);
      const f = parseFilter(r.filter);
      expect([f.lower.key, f.upper.key]).toEqual([
        '2026-03-01T11:59:00.000000000Z',
        '2026-03-01T12:00:00.000000000Z',
      ]);
    }
  });

  it('reports missing credentials and skips the permission checks', async () => {
    const connectors = testConnectors({
      auth: async () => ({
        getRequestHeaders: async () => {
          throw new Error('Could not load the default credentials.');
        },
      }),
    });
    const checks = await connectors.doctor(
      [source({ projects: ['alpha'], endpoint: fake.url })],
      context(NOW),
    );
    expect(checks).toEqual([
      {
        source: 'gcp',
        scope: 'projects/alpha',
        check: 'credentials',
        ok: false,
        detail:
          'no access token: Could not load the default credentials. (set up Application Default Credentials or GOOGLE_APPLICATION_CREDENTIALS)',
      },
      {
        source: 'gcp',
        scope: 'projects/alpha',
        check: 'permission',
        ok: false,
        detail: 'not checked: no credentials',
      },
    ]);
    expect(fake.requests).toHaveLength(0);
  });
});
