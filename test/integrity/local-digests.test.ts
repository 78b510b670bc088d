import { mkdirSync, mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ingestSummaryText, runIngestFiles } from '../../src/cli/commands/ingest-files.js';
import { defaultQueriesRoot, loadDetectors } from '../../src/detect/load-detectors.js';
import { runDetector } from '../../src/detect/run-detector.js';
import { ingestFiles } from '../../src/ingest/ingest-files.js';
import { digestSummary } from '../../src/integrity/digest-summary.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { startRun } from '../../src/store/runs.js';
import {
  type BuiltChain,
  buildChain,
  configKey,
  type SigningKey,
  type TrailObject,
  tampered,
  throwawayKey,
} from '../helpers/cloudtrail-digests.js';

const ACCOUNT = '111122223333';
const START = Date.parse('2026-11-02T00:00:00Z');
let key: SigningKey;
let dir: string;
let store: Store;

beforeAll(() => {
  key = throwawayKey();
});

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-digests-'));
  store = await openStore({ path: join(dir, 'store.duckdb') });
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function chain(hours = 4): BuiltChain {
  return buildChain({
    key,
    account: ACCOUNT,
    region: 'us-east-1',
    trail: 'main',
    bucket: 'trail-bucket',
    start: START,
    hours,
  });
}

/** Writes objects as an `aws s3 sync` of the bucket would (no S3 metadata). */
function write(objects: readonly TrailObject[]): void {
  for (const o of objects) {
    const path = join(dir, 'sync', o.key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, o.body);
  }
}

async function ingest(keys = [configKey(key)]) {
  const runId = await startRun(store.connection, 'test');
  return ingestFiles(store.connection, runId, { paths: [join(dir, 'sync')], cloudtrailPublicKeys: keys });
}

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await store.connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

/** Status per digest hour (the HH of its end time), missing rows included. */
async function statuses(): Promise<Record<string, string>> {
  const list = await rows(
    `select strftime(digest_end, '%H') as hour, status from cloudtrail_digests order by digest_end`,
  );
  return Object.fromEntries(list.map((r) => [String(r.hour), String(r.status)]));
}

const detectors = loadDetectors(defaultQueriesRoot());

async function findings(): Promise<{ action: string | null; resource: string | null; evidence: string[] }[]> {
  const detector = detectors.detectors.find((d) => d.id === 'aws/cloudtrail-digest-validation-failed');
  if (!detector) throw new Error('detector not found');
  const { rows: found } = await runDetector(store.connection, detector, {
    window: { start: new Date(START), end: new Date(START + 86_400_000) },
    params: {},
  });
  return found.map((r) => ({ action: r.action, resource: r.resource, evidence: r.evidence }));
}

describe('CloudTrail digests from local files', () => {
  it('verifies a signed chain and its log files, and a rerun changes nothing', async () => {
    const c = chain(4);
    write([...c.logs, ...c.digests]);
    const first = await ingest();
    expect(first.events_new).toBe(24);
    expect(first.files_not_events).toEqual([]);
    expect(first.cloudtrail_digests).toMatchObject({
      files: 4,
      digests: 4,
      statuses: { valid: 3, unverifiable: 1 },
    });
    // The newest digest's signature is in S3 metadata, which a file copy lacks: checked next time.
    expect(await statuses()).toEqual({ '01': 'valid', '02': 'valid', '03': 'valid', '04': 'unverifiable' });
    const logs = await rows(
      'select status, count(*)::int as n from cloudtrail_digest_log_files group by status',
    );
    expect(logs).toEqual([{ status: 'valid', n: 8 }]);
    expect(await findings()).toEqual([]);

    const again = await ingest();
    expect(again.files_unchanged).toBe(12);
    expect(await statuses()).toEqual({ '01': 'valid', '02': 'valid', '03': 'valid', '04': 'unverifiable' });
    const [counts] = await rows(
      `select (select count(*) from cloudtrail_digests)::int as digests,
        (select count(*) from cloudtrail_digest_log_files)::int as logs,
        (select count(*) from cloudtrail_log_hashes)::int as hashes,
        (select count(*) from cloudtrail_public_keys)::int as keys`,
    );
    expect(counts).toEqual({ digests: 4, logs: 8, hashes: 8, keys: 1 });

    // The next hour's digest arrives: it carries the signature of the one before.
    const longer = chain(5);
    write(longer.digests.slice(4));
    write(longer.logs.slice(8));
    const third = await ingest();
    expect(third.cloudtrail_digests).toMatchObject({ files: 1 });
    expect(await statuses()).toEqual({
      '01': 'valid',
      '02': 'valid',
      '03': 'valid',
      '04': 'valid',
      '05': 'unverifiable',
    });
  });

  it('finds a log file changed after delivery, also when it changes after a clean ingest', async () => {
    const c = chain(4);
    write([...c.logs, ...c.digests]);
    await ingest();
    expect(await findings()).toEqual([]);
    // An event removed from the second hour's first log file, the file recompressed.
    const victim = c.logs[2] as TrailObject;
    const path = join(dir, 'sync', victim.key);
    writeFileSync(path, gzipSync(JSON.stringify({ Records: [] })));
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    await ingest();
    expect(await statuses()).toEqual({
      '01': 'valid',
      '02': 'log_hash_mismatch',
      '03': 'valid',
      '04': 'unverifiable',
    });
    const [bad] = await rows(
      `select log_key, status from cloudtrail_digest_log_files where status <> 'valid'`,
    );
    expect(bad).toEqual({ log_key: victim.key, status: 'hash_mismatch' });
    const found = await findings();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ action: 'cloudtrail-digest:log_hash_mismatch' });
    // The events read from that file earlier are the evidence.
    expect(found[0]?.evidence.sort()).toEqual([...(c.events.get(victim.key) ?? [])].sort());
    expect(found[0]?.resource).toMatch(/_20261102T020031Z\.json\.gz$/);
    const rerun = await ingest();
    // Nothing read again; only the newest digest, still waiting for its signature, is looked at again.
    expect(rerun.files_read).toBe(0);
    expect(rerun.cloudtrail_digests?.files).toBe(0);
    expect(await statuses()).toEqual({
      '01': 'valid',
      '02': 'log_hash_mismatch',
      '03': 'valid',
      '04': 'unverifiable',
    });
    expect((await rows('select count(*)::int as n from cloudtrail_digests'))[0]).toEqual({ n: 4 });
  });

  it('takes a truncated log file for a changed one, and still ingests what it holds', async () => {
    const c = chain(3);
    const victim = c.logs[0] as TrailObject;
    write([...c.logs, ...c.digests]);
    writeFileSync(join(dir, 'sync', victim.key), victim.body.subarray(0, victim.body.length - 12));
    const summary = await ingest();
    expect(summary.errors).toBe(1);
    expect(await statuses()).toEqual({ '01': 'log_hash_mismatch', '02': 'valid', '03': 'unverifiable' });
    // What `auditlake verify` prints about it.
    const digests = await digestSummary(store.connection);
    expect(digests.by_status).toEqual({ log_hash_mismatch: 1, valid: 1, unverifiable: 1 });
    expect(digests.problems).toBe(1);
    expect(digests.first_problems[0]).toMatchObject({ status: 'log_hash_mismatch' });
  });

  it('names a deleted middle digest as missing and a deleted log file as gone', async () => {
    const c = chain(4);
    write([...c.logs, c.digests[0] as TrailObject, c.digests[2] as TrailObject, c.digests[3] as TrailObject]);
    unlinkSync(join(dir, 'sync', (c.logs[6] as TrailObject).key));
    await ingest();
    // 02 is gone; 01's signature was in 02, so it cannot be checked offline; 04 lost a log file.
    expect(await statuses()).toEqual({
      '01': 'unverifiable',
      '02': 'missing',
      '03': 'valid',
      '04': 'log_file_missing',
    });
    const [missing] = await rows(`select present, detail from cloudtrail_digests where status = 'missing'`);
    expect(missing?.present).toBe(false);
    expect(String(missing?.detail)).toMatch(
      /referenced as the previous digest by .*_20261102T030031Z\.json\.gz/,
    );
    expect((await findings()).map((f) => f.action).sort()).toEqual([
      'cloudtrail-digest:log_file_missing',
      'cloudtrail-digest:missing',
    ]);
    // Rerun: still one row per digest, the same verdicts.
    await ingest();
    expect((await rows('select count(*)::int as n from cloudtrail_digests'))[0]).toEqual({ n: 4 });
    expect((await findings()).length).toBe(2);
  });

  it('finds an altered digest: its signature fails and the next digest recorded another hash', async () => {
    const c = chain(4);
    // Someone drops a log file from the third hour's digest, keeping the old signature.
    const altered = tampered(c.digests[2] as (typeof c.digests)[number], (json) => {
      (json.logFiles as unknown[]).pop();
    });
    write([...c.logs, c.digests[0], c.digests[1], altered, c.digests[3]] as TrailObject[]);
    await ingest();
    const s = await statuses();
    expect(s['03']).toBe('bad_signature');
    expect(s['01']).toBe('valid');
    expect(s['02']).toBe('valid');
    const [detail] = await rows(`select detail from cloudtrail_digests where status = 'bad_signature'`);
    expect(String(detail?.detail)).toMatch(/does not verify/);
    expect(String(detail?.detail)).toMatch(/differs from the hash the next digest/);
    expect((await findings()).map((f) => f.action)).toEqual(['cloudtrail-digest:bad_signature']);
  });

  it('without a public key checks chain and log files and marks signatures unverifiable', async () => {
    const c = chain(3);
    write([...c.logs, ...c.digests]);
    const summary = await ingest([]);
    expect(summary.cloudtrail_digests?.statuses).toEqual({ unverifiable: 3 });
    const [detail] = await rows(`select detail from cloudtrail_digests order by digest_end limit 1`);
    expect(String(detail?.detail)).toMatch(/no CloudTrail public key with fingerprint/);
    expect(await findings()).toEqual([]);
    // The key given later: the same digests verify without reading any file again.
    const later = await ingest();
    expect(later.files_read).toBe(0);
    expect(await statuses()).toEqual({ '01': 'valid', '02': 'valid', '03': 'unverifiable' });
  });

  it('takes public keys from the file integrity.cloudtrail_public_keys names (list-public-keys output)', async () => {
    const c = chain(3);
    write([...c.logs, ...c.digests]);
    writeFileSync(
      join(dir, 'keys.json'),
      JSON.stringify({ PublicKeyList: [{ Value: key.publicValue, Fingerprint: key.fingerprint }] }),
    );
    writeFileSync(join(dir, 'auditlake.yaml'), 'integrity:\n  cloudtrail_public_keys: keys.json\n');
    store.close();
    const result = await runIngestFiles(join(dir, 'cli.duckdb'), [join(dir, 'sync')], {
      quiet: true,
      configPath: join(dir, 'auditlake.yaml'),
    });
    store = await openStore({ path: join(dir, 'store.duckdb') });
    expect(result.summary.cloudtrail_digests).toMatchObject({
      files: 3,
      statuses: { valid: 2, unverifiable: 1 },
    });
    expect(ingestSummaryText(result)).toMatch(/cloudtrail digests: 3 checked \(1 unverifiable, 2 valid\)/);
  });
});
