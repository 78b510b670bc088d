/**
 * Ingest benchmark: `auditlake ingest files` against the fastest plain DuckDB load of the same
 * CloudTrail files, measured in the same run on the same machine.
 *
 *   npm run bench:ingest                       # 1,000,000 events
 *   npm run bench:ingest -- --events 3000000   # memory should stay flat as N grows
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { cloudtrailBenchRecord, prng } from './cloudtrail-generator.js';

const args = process.argv.slice(2);
const eventsArg = args.indexOf('--events');
const N = eventsArg >= 0 ? Number(args[eventsArg + 1]) : 1_000_000;
const PER_FILE = 1000;
const ROOT = resolve('bench/.work');
const DATA = join(ROOT, `cloudtrail-${N}`);

function generate(): { files: number; bytes: number; rawBytes: number } {
  const marker = join(DATA, '.complete');
  let rawBytes = 0;
  if (!existsSync(marker)) {
    rmSync(DATA, { recursive: true, force: true });
    const rand = prng(42);
    const start = Date.parse('2026-10-01T00:00:00Z');
    const spanMs = 30 * 86_400_000;
    for (let f = 0; f * PER_FILE < N; f++) {
      const account = f % 2 === 0 ? '111122223333' : '444455556666';
      const region = f % 3 === 0 ? 'eu-west-1' : 'us-east-1';
      const t0 = start + Math.floor((f * PER_FILE * spanMs) / N);
      const records = [];
      for (let i = 0; i < PER_FILE && f * PER_FILE + i < N; i++)
        records.push(cloudtrailBenchRecord(rand, t0 + i * 50, account, region));
      const day = new Date(t0).toISOString().slice(0, 10).replaceAll('-', '/');
      const dir = join(DATA, 'AWSLogs', account, 'CloudTrail', region, day);
      mkdirSync(dir, { recursive: true });
      const text = JSON.stringify({ Records: records });
      rawBytes += Buffer.byteLength(text);
      writeFileSync(join(dir, `${account}_CloudTrail_${region}_${f}.json.gz`), gzipSync(text));
    }
    writeFileSync(marker, String(rawBytes));
  }
  const files = listFiles(DATA);
  rawBytes = Number(readFileSync(marker, 'utf8'));
  return { files: files.length, bytes: files.reduce((s, f) => s + statSync(f).size, 0), rawBytes };
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (e.name.endsWith('.gz')) out.push(p);
  }
  return out;
}

interface Measure {
  seconds: number;
  events: number;
  peakRssMb: number;
  storeMb: number;
}

function runAuditlake(): Measure {
  const db = join(ROOT, 'auditlake.duckdb');
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const t0 = performance.now();
  const child = spawnSync(
    process.execPath,
    ['bin/auditlake.js', '--db', db, 'ingest', 'files', DATA, '--format', 'json'],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  if (child.status !== 0) throw new Error(`auditlake ingest failed (${child.status}): ${child.stderr}`);
  const result = JSON.parse(child.stdout) as {
    summary: { events_new: number };
    resources: { peak_rss_mb: number };
  };
  return {
    seconds,
    events: result.summary.events_new,
    peakRssMb: result.resources.peak_rss_mb,
    storeMb: statSync(db).size / 1e6,
  };
}

/** The ceiling: one read_json over all files, a json_transform projection, same columns and compression. */
async function runPlainDuckdb(): Promise<Measure> {
  const db = join(ROOT, 'plain.duckdb');
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const t0 = performance.now();
  const instance = await DuckDBInstance.create(db, { storage_compatibility_version: 'latest' });
  const c = await instance.connect();
  await c.run(`create table events (
  event_id varchar, source varchar, format varchar, event_time timestamptz, account varchar, region varchar,
  service varchar, action varchar, log_type varchar, actor varchar, actor_type varchar, actor_issuer varchar,
  source_ip varchar, user_agent varchar, outcome varchar, error_code varchar, error_message varchar, mfa boolean,
  resources varchar[], details json, raw json using compression zstd, origin varchar, position bigint,
  ingested_at timestamptz, run_id bigint)`);
  const glob = join(DATA, '**', '*.json.gz');
  await c.run(`insert into events
with records as (
  select filename, ord, r, json_transform(r, '{"eventID":"VARCHAR","eventTime":"VARCHAR","recipientAccountId":"VARCHAR",
    "awsRegion":"VARCHAR","eventSource":"VARCHAR","eventName":"VARCHAR","eventType":"VARCHAR","sourceIPAddress":"VARCHAR",
    "userAgent":"VARCHAR","errorCode":"VARCHAR","errorMessage":"VARCHAR",
    "userIdentity":{"type":"VARCHAR","arn":"VARCHAR","sessionContext":{"sessionIssuer":{"arn":"VARCHAR"}}}}') as t
  from read_json('${glob}', columns = {Records: 'JSON[]'}, filename = true, maximum_object_size = 1073741824),
    unnest(Records) with ordinality as u(r, ord)
)
select t.eventID, 'aws', 'cloudtrail', t.eventTime::timestamptz, t.recipientAccountId, t.awsRegion, t.eventSource,
  t.eventName, t.eventType, t.userIdentity.arn, lower(t.userIdentity.type), t.userIdentity.sessionContext.sessionIssuer.arn,
  t.sourceIPAddress, t.userAgent, case when t.errorCode is null then 'success' else 'failure' end, t.errorCode,
  t.errorMessage, null, [], null, r, filename, ord, now(), 0
from records`);
  const n = Number((await c.runAndReadAll('select count(*) from events')).getRows()[0]?.[0]);
  c.closeSync();
  instance.closeSync();
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, events: n, peakRssMb: Number.NaN, storeMb: statSync(db).size / 1e6 };
}

const gen = generate();
console.log(
  `data: ${N.toLocaleString('en-US')} CloudTrail events in ${gen.files} .json.gz files, ${(gen.bytes / 1e6).toFixed(1)} MB compressed, ${(gen.rawBytes / 1e6).toFixed(1)} MB raw`,
);
const plain = await runPlainDuckdb();
const ours = runAuditlake();
const rate = (m: Measure) => m.events / m.seconds;
const row = (name: string, m: Measure) =>
  `${name.padEnd(34)} ${m.seconds.toFixed(1).padStart(7)} s ${Math.round(rate(m)).toLocaleString('en-US').padStart(9)} ev/s ` +
  `${(gen.bytes / 1e6 / m.seconds).toFixed(1).padStart(6)} MB/s gz ${(gen.rawBytes / 1e6 / m.seconds).toFixed(1).padStart(7)} MB/s raw ` +
  `store ${m.storeMb.toFixed(0).padStart(5)} MB${Number.isNaN(m.peakRssMb) ? '' : `  peak RSS ${m.peakRssMb} MB`}`;
console.log(row('(b) plain DuckDB read_json ceiling', plain));
console.log(row('(a) auditlake ingest files', ours));
console.log(`ratio (a)/(b): ${(rate(ours) / rate(plain)).toFixed(2)}   (target >= 0.5; aim 1.0)`);
console.log(`peak RSS of (a): ${ours.peakRssMb} MB   (target < 1024 MB, flat as N grows)`);
if (ours.events !== N) console.log(`WARNING: auditlake stored ${ours.events} events, expected ${N}`);
