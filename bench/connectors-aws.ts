/**
 * AWS connector benchmark against the loopback fakes (test/fakes/aws-*.ts):
 *
 * 1. CloudTrail LookupEvents: the fake enforces 2 requests/s per account-region with 50 events per
 *    page, the documented ceiling (100 events/s per account-region). Reports the events/s the
 *    whole run achieves as a fraction of accounts x regions x 100 (target >= 0.9).
 * 2. S3 trail bucket: the same .json.gz objects read through the S3 connector (list, GetObject,
 *    gunzip, the ingest driver) versus `ingest files` of them from disk (target >= 0.8).
 *
 *   npm run bench:connectors:aws
 *   npm run bench:connectors:aws -- --pages 40 --objects 60 --per-object 1000
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { awsSourceSchema } from '../src/config/sources/aws.js';
import { awsConnectors } from '../src/connectors/aws/index.js';
import { ingestFiles } from '../src/ingest/ingest-files.js';
import { ingestSources } from '../src/ingest/ingest-sources.js';
import { openStore } from '../src/store/open-store.js';
import { startRun } from '../src/store/runs.js';
import { startCloudTrailFake } from '../test/fakes/aws-cloudtrail-fake.js';
import { startS3Fake } from '../test/fakes/aws-s3-fake.js';
import { cloudtrailBenchRecord, prng } from './cloudtrail-generator.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const PAGES = arg('pages', 40);
const OBJECTS = arg('objects', 60);
const PER_OBJECT = arg('per-object', 1000);
const ACCOUNTS = ['111122223333', '444455556666'];
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const ROOT = join(tmpdir(), `auditlake-bench-aws-${process.pid}`);
const NOW = Date.now();
const quiet = { now: () => new Date(NOW), log: () => {} };

process.env.AWS_ACCESS_KEY_ID = 'AKIABENCH000000000001';
process.env.AWS_SECRET_ACCESS_KEY = 'bench-secret';
process.env.BENCH_KEY_B = 'AKIABENCH000000000002';

async function freshStore(name: string) {
  const path = join(ROOT, `${name}.duckdb`);
  rmSync(path, { force: true });
  rmSync(`${path}.wal`, { force: true });
  return openStore({ path, memoryLimit: '512MB' });
}

async function benchApi(): Promise<void> {
  const fake = await startCloudTrailFake({
    accounts: { AKIABENCH000000000001: ACCOUNTS[0] as string, AKIABENCH000000000002: ACCOUNTS[1] as string },
    ratePerSecond: 2,
    burst: 1,
    pageSize: 50,
  });
  const rand = prng(7);
  const perStream = PAGES * 50;
  for (const account of ACCOUNTS) {
    for (const region of REGIONS) {
      const events = Array.from({ length: perStream }, (_, i) => {
        const time = Math.floor((NOW - 60_000 - i * 2000) / 1000) * 1000;
        const record = cloudtrailBenchRecord(rand, time, account, region) as { eventID: string };
        return { id: record.eventID, time, name: 'x', record: JSON.stringify(record) };
      });
      fake.add(account, region, events);
    }
  }
  const source = awsSourceSchema.parse({
    mode: 'api',
    accounts: [
      { id: ACCOUNTS[0] },
      { id: ACCOUNTS[1], access_key_id_env: 'BENCH_KEY_B', secret_access_key_env: 'AWS_SECRET_ACCESS_KEY' },
    ],
    regions: REGIONS,
    start: '1d',
    endpoint: fake.url,
  });
  const store = await freshStore('api');
  try {
    const connectors = awsConnectors.connectors([source], quiet);
    const t0 = performance.now();
    const summaries = await ingestSources(
      store.connection,
      await startRun(store.connection, 'bench'),
      connectors,
    );
    const seconds = (performance.now() - t0) / 1000;
    const events = summaries.reduce((n, s) => n + s.events_new, 0);
    const failed = summaries.filter((s) => s.status !== 'ok');
    if (failed.length) throw new Error(`api streams failed: ${failed.map((s) => s.error).join('; ')}`);
    const ceiling = connectors.length * 100;
    const throttled = [...fake.throttled.values()].reduce((a, b) => a + b, 0);
    const requests = [...fake.served.values()].reduce((a, b) => a + b.length, 0);
    const gaps = [...fake.served.values()].flatMap((t) => t.slice(1).map((v, i) => v - (t[i] ?? 0)));
    const sortedGaps = gaps.sort((a, b) => a - b);
    const pct = (p: number) => (sortedGaps[Math.floor(p * (sortedGaps.length - 1))] ?? 0).toFixed(0);
    console.log(
      `CloudTrail API: ${events.toLocaleString('en-US')} events from ${connectors.length} account-regions (${ACCOUNTS.length} accounts x ${REGIONS.length} regions), ${requests} requests, ${throttled} throttled, ${seconds.toFixed(1)} s`,
    );
    console.log(
      `  ms between requests of an account-region: p50 ${pct(0.5)}, p90 ${pct(0.9)}, max ${pct(1)}`,
    );
    console.log(
      `  ${(events / seconds).toFixed(0)} events/s of a ${ceiling} events/s ceiling (2 req/s x 50 events x ${connectors.length}): ${(events / seconds / ceiling).toFixed(3)} (target >= 0.9)`,
    );
  } finally {
    store.close();
    await fake.close();
  }
}

async function benchS3(): Promise<void> {
  const fake = await startS3Fake();
  fake.createBucket('bench-trail');
  const disk = join(ROOT, 'files');
  rmSync(disk, { recursive: true, force: true });
  const rand = prng(11);
  let bytes = 0;
  for (let f = 0; f < OBJECTS; f++) {
    const account = ACCOUNTS[f % 2] as string;
    const region = REGIONS[f % 3] as string;
    const t = NOW - 3_600_000 - f * 60_000;
    const iso = new Date(t).toISOString();
    const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
    const dir = `AWSLogs/${account}/CloudTrail/${region}/${iso.slice(0, 10).replaceAll('-', '/')}`;
    const key = `${dir}/${account}_CloudTrail_${region}_${stamp}_${f}.json.gz`;
    const records = Array.from({ length: PER_OBJECT }, (_, i) =>
      cloudtrailBenchRecord(rand, t - i * 50, account, region),
    );
    const body = gzipSync(JSON.stringify({ Records: records }));
    bytes += body.length;
    fake.put('bench-trail', key, body);
    mkdirSync(join(disk, dir), { recursive: true });
    writeFileSync(join(disk, key), body);
  }
  const total = OBJECTS * PER_OBJECT;
  console.log(
    `S3 trail: ${total.toLocaleString('en-US')} events in ${OBJECTS} objects of ${PER_OBJECT}, ${(bytes / 1e6).toFixed(1)} MB compressed`,
  );

  const filesStore = await freshStore('files');
  let filesRate: number;
  try {
    const t0 = performance.now();
    const summary = await ingestFiles(filesStore.connection, await startRun(filesStore.connection, 'bench'), {
      paths: [disk],
    });
    const seconds = (performance.now() - t0) / 1000;
    filesRate = summary.events_new / seconds;
    console.log(
      `  ingest files (disk):  ${summary.events_new.toLocaleString('en-US')} events in ${seconds.toFixed(2)} s, ${filesRate.toFixed(0)} events/s`,
    );
  } finally {
    filesStore.close();
  }

  const s3Store = await freshStore('s3');
  try {
    const source = awsSourceSchema.parse({
      mode: 's3',
      bucket: 'bench-trail',
      start: '2d',
      endpoint: fake.url,
    });
    const connectors = awsConnectors.connectors([source], quiet);
    const t0 = performance.now();
    const [summary] = await ingestSources(
      s3Store.connection,
      await startRun(s3Store.connection, 'bench'),
      connectors,
    );
    const seconds = (performance.now() - t0) / 1000;
    if (summary?.status !== 'ok') throw new Error(`s3 stream failed: ${summary?.error}`);
    const rate = summary.events_new / seconds;
    console.log(
      `  S3 connector (fake): ${summary.events_new.toLocaleString('en-US')} events in ${seconds.toFixed(2)} s, ${rate.toFixed(0)} events/s`,
    );
    console.log(`  S3 / files: ${(rate / filesRate).toFixed(3)} (target >= 0.8)`);
  } finally {
    s3Store.close();
    await fake.close();
  }
}

mkdirSync(ROOT, { recursive: true });
try {
  await benchApi();
  await benchS3();
} finally {
  rmSync(ROOT, { recursive: true, force: true });
}
