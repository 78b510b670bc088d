import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { generateAwsActivity } from './aws-activity.js';
import type { AzureRecord } from './azure.js';
import { generateAzureActivity } from './azure-activity.js';
import type { CtEvent } from './cloudtrail.js';
import { generateGcpActivity } from './gcp-activity.js';
import type { GcpEntry } from './gcp-audit.js';
import { generateIncidents, type Incident } from './incidents.js';
import { sortKeys } from './json.js';
import { compactMinute, DAY, HOUR, isoSeconds, PERIOD_DAYS, periodDays, ymd } from './period.js';
import { AWS_ACCOUNTS, AZURE_SUBSCRIPTIONS, AZURE_TENANT, GCP_PROJECTS, ORG_ID } from './principals.js';
import { Rng } from './prng.js';

/** The seed every sample byte derives from. Change it and every file changes. */
export const SEED = 'auditlake-samples-2026-11';

/** One file of the sample tree: a path relative to `samples/` and its bytes. */
export interface SampleFile {
  path: string;
  data: Buffer;
  format: SampleFormat;
  records: number;
}

export type SampleFormat =
  | 'cloudtrail-s3'
  | 'cloudtrail-digest'
  | 'gcp-sink-ndjson'
  | 'gcp-gcloud-json'
  | 'azure-activity-pt1h'
  | 'azure-activity-eventhub'
  | 'entra-signin-pt1h'
  | 'entra-audit-pt1h'
  | 'incidents';

export interface SampleSet {
  files: SampleFile[];
  incidents: Incident[];
  days: number;
}

const byTime =
  <T extends { time: number }>(key: (item: T) => string) =>
  (a: T, b: T): number =>
    a.time - b.time || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/**
 * gzip with a fixed header: Node writes mtime 0 already; the OS byte is pinned to Unix (3) so
 * the header does not depend on the platform zlib was built for.
 */
export function gzipFixed(text: string): Buffer {
  const data = gzipSync(Buffer.from(text, 'utf8'), { level: 9 });
  data.writeUInt32LE(0, 4);
  data[9] = 3;
  return data;
}

/** Generates the whole sample tree in memory (or its first `days` days, for tests). */
export function buildSamples(days = PERIOD_DAYS): SampleSet {
  const root = new Rng(SEED);
  const dayStarts = periodDays(days);
  const first = dayStarts[0] ?? 0;
  const end = first + days * DAY;
  const inside = (t: number) => t >= first && t < end;
  const incidents = generateIncidents(root.fork('incidents'));
  const aws = [...generateAwsActivity(root.fork('aws'), dayStarts), ...incidents.aws].filter((e) =>
    inside(e.time),
  );
  const gcp = [...generateGcpActivity(root.fork('gcp'), dayStarts), ...incidents.gcp].filter((e) =>
    inside(e.time),
  );
  const azure = [...generateAzureActivity(root.fork('azure'), dayStarts), ...incidents.azure].filter((e) =>
    inside(e.time),
  );
  const files = [...cloudTrailFiles(root.fork('files/aws'), aws), ...gcpFiles(gcp), ...azureFiles(azure)];
  const kept = incidents.incidents.filter((i) => inside(Date.parse(i.time)));
  files.push({
    path: 'incidents.json',
    data: Buffer.from(`${JSON.stringify(kept, null, 2)}\n`),
    format: 'incidents',
    records: 0,
  });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, incidents: kept, days };
}

// ---- AWS: the S3 layout CloudTrail delivers ----------------------------------------------

/** Hours of events per CloudTrail file; CloudTrail delivers every few minutes, we batch to keep the count low. */
const CT_WINDOW_HOURS = 6;
const MGMT_TRAIL = 'acme-mgmt-trail';
const TRAIL_BUCKET = 'acme-org-cloudtrail-logs';

function cloudTrailFiles(rng: Rng, events: CtEvent[]): SampleFile[] {
  const groups = new Map<string, CtEvent[]>();
  for (const e of events) {
    const window = Math.floor(e.time / (CT_WINDOW_HOURS * HOUR)) * CT_WINDOW_HOURS * HOUR;
    const key = `${e.account}|${e.region}|${window}`;
    const list = groups.get(key);
    if (list) list.push(e);
    else groups.set(key, [e]);
  }
  const files: SampleFile[] = [];
  const digestSources: { key: string; text: string; oldest: number; newest: number; stamp: number }[] = [];
  for (const key of [...groups.keys()].sort()) {
    const list = (groups.get(key) ?? []).sort(byTime((e) => String(e.record.eventID)));
    const [accountKey, region, windowText] = key.split('|') as [keyof typeof AWS_ACCOUNTS, string, string];
    const account = AWS_ACCOUNTS[accountKey];
    const stamp = Number(windowText) + CT_WINDOW_HOURS * HOUR - 5 * 60_000;
    const { y, m, d } = ymd(stamp);
    const prefix = account.orgTrail ? `AWSLogs/${ORG_ID}/${account.id}` : `AWSLogs/${account.id}`;
    const name = `${account.id}_CloudTrail_${region}_${compactMinute(stamp)}_${rng.fork(key).alnum(16)}.json.gz`;
    const s3Key = `${prefix}/CloudTrail/${region}/${y}/${m}/${d}/${name}`;
    const text = JSON.stringify({ Records: list.map((e) => e.record) });
    files.push({
      path: `aws/${s3Key}`,
      data: gzipFixed(text),
      format: 'cloudtrail-s3',
      records: list.length,
    });
    if (accountKey === 'mgmt' && region === 'us-east-1') {
      digestSources.push({
        key: s3Key,
        text,
        oldest: list[0]?.time ?? 0,
        newest: list[list.length - 1]?.time ?? 0,
        stamp,
      });
    }
  }
  const firstDigest = digestSources[0];
  if (firstDigest) files.push(digestFile(firstDigest));
  return files;
}

/** A CloudTrail digest for the hour in which one management-account log file was delivered. */
function digestFile(source: {
  key: string;
  text: string;
  oldest: number;
  newest: number;
  stamp: number;
}): SampleFile {
  const account = AWS_ACCOUNTS.mgmt.id;
  const start = Math.floor(source.stamp / HOUR) * HOUR;
  const end = start + HOUR;
  const { y, m, d } = ymd(end);
  const digestKey = `AWSLogs/${account}/CloudTrail-Digest/us-east-1/${y}/${m}/${d}/${account}_CloudTrail-Digest_us-east-1_${MGMT_TRAIL}_us-east-1_${compactMinute(end).replace('Z', '00Z')}.json.gz`;
  const digest = {
    awsAccountId: account,
    digestStartTime: isoSeconds(start),
    digestEndTime: isoSeconds(end),
    digestS3Bucket: TRAIL_BUCKET,
    digestS3Object: digestKey,
    digestPublicKeyFingerprint: '7f3c1e9a2b4d6f8a0c1e3a5b7d9f1a2c',
    digestSignatureAlgorithm: 'SHA256withRSA',
    newestEventTime: isoSeconds(source.newest),
    oldestEventTime: isoSeconds(source.oldest),
    previousDigestS3Bucket: null,
    previousDigestS3Object: null,
    previousDigestHashValue: null,
    previousDigestHashAlgorithm: null,
    previousDigestSignature: null,
    logFiles: [
      {
        s3Bucket: TRAIL_BUCKET,
        s3Object: source.key,
        hashValue: createHash('sha256').update(source.text).digest('hex'),
        hashAlgorithm: 'SHA-256',
        newestEventTime: isoSeconds(source.newest),
        oldestEventTime: isoSeconds(source.oldest),
      },
    ],
  };
  return {
    path: `aws/${digestKey}`,
    data: gzipFixed(JSON.stringify(digest)),
    format: 'cloudtrail-digest',
    records: 0,
  };
}

// ---- Google Cloud: a GCS sink for acme-prod-1, `gcloud logging read` exports for acme-data-2 --

function gcpFiles(entries: GcpEntry[]): SampleFile[] {
  const files: SampleFile[] = [];
  const sink = new Map<string, GcpEntry[]>();
  const gcloud = new Map<string, GcpEntry[]>();
  for (const e of entries) {
    const { y, m, d, h } = ymd(e.time);
    if (e.project === 'prod') {
      const key = `gcp/sink/cloudaudit.googleapis.com/${e.logType}/${y}/${m}/${d}/${h}:00:00_${h}:59:59_S0.json`;
      const list = sink.get(key);
      if (list) list.push(e);
      else sink.set(key, [e]);
    } else {
      const key = `gcp/${GCP_PROJECTS[e.project].id}/${y}-${m}-${d}.json`;
      const list = gcloud.get(key);
      if (list) list.push(e);
      else gcloud.set(key, [e]);
    }
  }
  const order = byTime<GcpEntry>((e) => String(e.entry.insertId));
  for (const [path, list] of sink) {
    list.sort(order);
    files.push({
      path,
      data: Buffer.from(list.map((e) => `${JSON.stringify(e.entry)}\n`).join('')),
      format: 'gcp-sink-ndjson',
      records: list.length,
    });
  }
  for (const [path, list] of gcloud) {
    // gcloud prints newest first, keys sorted, two-space indent.
    list.sort(order).reverse();
    const text = `${JSON.stringify(
      list.map((e) => sortKeys(e.entry)),
      null,
      2,
    )}\n`;
    files.push({ path, data: Buffer.from(text), format: 'gcp-gcloud-json', records: list.length });
  }
  return files;
}

// ---- Azure: storage-account diagnostic exports and Event Hub message bodies --------------

function azureFiles(records: AzureRecord[]): SampleFile[] {
  const files: SampleFile[] = [];
  const groups = new Map<string, { format: SampleFormat; list: AzureRecord[] }>();
  for (const r of records) {
    const { y, m, d, h } = ymd(r.time);
    const hourPath = `y=${y}/m=${m}/d=${d}/h=${h}/m=00/PT1H.json`;
    let path: string;
    let format: SampleFormat;
    if (r.kind === 'signin') {
      path = `azure/insights-logs-signinlogs/resourceId=/tenants/${AZURE_TENANT}/providers/Microsoft.aadiam/${hourPath}`;
      format = 'entra-signin-pt1h';
    } else if (r.kind === 'audit') {
      path = `azure/insights-logs-auditlogs/resourceId=/tenants/${AZURE_TENANT}/providers/Microsoft.aadiam/${hourPath}`;
      format = 'entra-audit-pt1h';
    } else if (r.subscription === 'prod') {
      path = `azure/insights-activity-logs/resourceId=/SUBSCRIPTIONS/${AZURE_SUBSCRIPTIONS.prod.id.toUpperCase()}/${hourPath}`;
      format = 'azure-activity-pt1h';
    } else {
      path = `azure/eventhub/insights-activity-logs/${AZURE_SUBSCRIPTIONS.shared.name}/${y}/${m}/${d}/${h}.json`;
      format = 'azure-activity-eventhub';
    }
    const group = groups.get(path);
    if (group) group.list.push(r);
    else groups.set(path, { format, list: [r] });
  }
  for (const [path, { format, list }] of groups) {
    list.sort(byTime((r) => `${r.id}|${String(r.record.resultType)}`));
    const data =
      format === 'azure-activity-eventhub'
        ? `${JSON.stringify({ records: list.map((r) => r.record) })}\n`
        : list.map((r) => `${JSON.stringify(r.record)}\n`).join('');
    files.push({ path, data: Buffer.from(data), format, records: list.length });
  }
  return files;
}
