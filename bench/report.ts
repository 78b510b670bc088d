/**
 * Report benchmark: a 30-day store of 10,000,000 synthetic events with 5,000 findings, generated
 * directly with DuckDB SQL (fast), then the report's computation and PDF rendering timed
 * separately, with peak RSS. Rendering is also timed with 1,000, 2,500 and 5,000 findings to show
 * it grows linearly with them.
 *
 *   npm run bench:report                         # 10M events, 5k findings
 *   npm run bench:report -- --events 2000000     # smaller store
 *
 * Targets (2 cores): computation + rendering under 30 s, peak RSS under 1 GiB.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadDetectors } from '../src/detect/load-detectors.js';
import { computeReport } from '../src/report/compute-report.js';
import { detectorServes, loadFramework } from '../src/report/frameworks.js';
import { renderPdf } from '../src/report/render-pdf.js';
import type { Report } from '../src/report/report-model.js';
import { extendChain } from '../src/store/chain.js';
import { GENESIS_DIGEST } from '../src/store/chain-sql.js';
import { openStore } from '../src/store/open-store.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const EVENTS = arg('--events', 10_000_000);
const FINDINGS = arg('--findings', 5_000);
const DAYS = 30;
const ROOT = resolve('bench/.work');
const DB = join(ROOT, `report-${EVENTS}-${FINDINGS}.duckdb`);
const FROM = new Date('2026-10-01T00:00:00Z');
const TO = new Date(FROM.getTime() + DAYS * 86_400_000);

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const rssMiB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

async function build(): Promise<void> {
  if (existsSync(DB)) return;
  mkdirSync(ROOT, { recursive: true });
  rmSync(`${DB}.wal`, { force: true });
  const started = Date.now();
  const store = await openStore({ path: DB, memoryLimit: '1GB' });
  const c = store.connection;
  const usPerEvent = Math.floor((DAYS * 86_400_000_000) / EVENTS);
  // Events in time order, as ingest writes them, so row-group zone maps prune by time.
  await c.run(`insert into events by name
select 'e' || i as event_id,
  (['aws', 'gcp', 'azure'])[1 + i % 3] as source,
  (['cloudtrail', 'gcp_audit', 'azure_activity'])[1 + i % 3] as format,
  timestamptz '2026-10-01 00:00:00+00' + to_microseconds(i * ${usPerEvent}) as event_time,
  'acct-' || (i % 3) || '-' || (i % 4) as account,
  (['us-east-1', 'eu-west-1'])[1 + (i // 3) % 2] as region,
  'svc' || (i % 20) as service,
  (['GetObject', 'PutRolePolicy', 'ConsoleLogin', 'ListBuckets', 'AttachUserPolicy', 'DescribeInstances'])[1 + i % 6] as action,
  'AwsApiCall' as log_type,
  'user-' || (i % 300) as actor,
  case when i % 5000 = 0 then 'root' else 'user' end as actor_type,
  null as actor_issuer,
  '198.51.100.' || (i % 250) as source_ip,
  'bench' as user_agent,
  case when i % 40 = 0 then 'failure' else 'success' end as outcome,
  null as error_code,
  null as error_message,
  i % 2 = 0 as mfa,
  ['resource-' || (i % 1000)] as resources,
  null as details,
  json_object('eventID', 'e' || i, 'eventName', 'bench', 'n', i) as raw,
  'bench' as origin,
  i as position,
  now() as ingested_at,
  1 as run_id,
  1 as batch_id
from range(${EVENTS}) t(i)`);
  // One chain link for the generated events, as ingest would have committed them: the report's
  // cover prints the chain root for the period (docs/integrity.md), read from batch_days.
  await extendChain(c, { batchId: 1, prevDigest: GENESIS_DIGEST, runId: 1, connector: 'bench' });
  // Only detectors that serve the report's framework, so every finding is in the report.
  const framework = loadFramework('pci_dss_v4.0');
  const library = loadDetectors().detectors.filter((d) =>
    framework.controls.some((c) => detectorServes(d.header.controls, c)),
  );
  const ids = library.map((d) => d.id);
  const controls = library.map((d) => JSON.stringify(d.header.controls));
  const severities = library.map((d) => d.header.severity);
  await c.run(
    `create temp table lib as
select unnest($1::varchar[]) as id, unnest($2::varchar[]) as controls, unnest($3::varchar[]) as severity`,
    [JSON.stringify(ids), JSON.stringify(controls), JSON.stringify(severities)],
  );
  await c.run(`create temp table lib_n as select row_number() over (order by id) - 1 as n, * from lib`);
  const stride = Math.max(1, Math.floor(EVENTS / FINDINGS));
  await c.run(`insert into findings
select substr(sha256('f' || i), 1, 16), sha256('f' || i), l.id, 'bench', 'Bench finding ' || i, l.severity, l.controls::json, [],
  json_object('actor', 'user-' || (i % 300)), 'user-' || (i % 300), 'acct-0-0', 'us-east-1', '198.51.100.7', 'PutRolePolicy', 'resource-1',
  'user-' || (i % 300) || ' did something noteworthy (' || i || ')',
  timestamptz '2026-10-01 00:00:00+00' + to_microseconds(i * ${stride} * ${usPerEvent}),
  timestamptz '2026-10-01 00:00:00+00' + to_microseconds((i * ${stride} + 2) * ${usPerEvent}),
  3, ['e' || (i * ${stride}), 'e' || (i * ${stride} + 1), 'e' || (i * ${stride} + 2)],
  case when i % 50 = 0 then 'suppressed' when i % 7 = 0 then 'acknowledged' else 'open' end,
  'bench', 'bench', now(), null, null, now(), now(), 2, 2
from range(${FINDINGS}) t(i)
join lib_n l
  on l.n = i % (select count(*) from lib_n)`);
  await c.run(`insert into finding_history
select id, created_at, null, 'open', 'auditlake detect', 'first detected', 2
from findings`);
  await c.run(`insert into detection_runs
select 2 + d, l.id, 'bench-version', timestamptz '2026-10-01 00:00:00+00' + to_days(d::int),
  timestamptz '2026-10-01 00:00:00+00' + to_days(d::int + 1), now(), 10, 5, 1, 0, 0, 0, null
from range(${DAYS}) t(d)
cross join lib l`);
  await c.run('checkpoint');
  store.close();
  console.log(`built ${DB} in ${seconds(Date.now() - started)}`);
}

function withFindings(report: Report, n: number): Report {
  const findings = report.findings.slice(0, n);
  const kept = new Set(findings.map((f) => f.id));
  return {
    ...report,
    findings,
    controls: report.controls.map((c) => ({ ...c, finding_ids: c.finding_ids.filter((id) => kept.has(id)) })),
  };
}

await build();
const store = await openStore({ path: DB, readOnly: true });
const t0 = Date.now();
const report = await computeReport(store.connection, {
  framework: 'pci_dss_v4.0',
  from: FROM,
  to: TO,
  generatedAt: new Date('2026-11-01T00:00:00Z'),
  organization: 'Bench Org',
});
const computeMs = Date.now() - t0;
// The same computation without recomputing the hash chain (report --no-verify): what the check costs.
const t1 = Date.now();
await computeReport(store.connection, {
  framework: 'pci_dss_v4.0',
  from: FROM,
  to: TO,
  generatedAt: new Date('2026-11-01T00:00:00Z'),
  organization: 'Bench Org',
  verifyChain: false,
});
const unverifiedMs = Date.now() - t1;
store.close();
const rssAfterCompute = rssMiB();
const lines = [
  `events: ${report.store.digest.events.toLocaleString('en-US')} over ${DAYS} days; findings in report: ${report.findings.length}`,
  `compute: ${seconds(computeMs)} (peak RSS so far ${rssAfterCompute} MiB); chain ${report.store.verification.status}, ` +
    `${report.store.verification.checked.events.toLocaleString('en-US')} events recomputed; with --no-verify ${seconds(unverifiedMs)}`,
];
let fullRender = 0;
for (const n of [1_000, 2_500, 5_000]) {
  const t = Date.now();
  const { pdf, pages } = await renderPdf(withFindings(report, n), { maxFindingsPerDetector: 10 });
  const ms = Date.now() - t;
  if (n === 5_000) {
    fullRender = ms;
    writeFileSync(join(ROOT, 'report-bench.pdf'), pdf);
  }
  lines.push(`render ${n} findings: ${seconds(ms)}, ${pages} pages, ${(pdf.length / 1024).toFixed(0)} KiB`);
}
lines.push(`compute + render (5,000 findings): ${seconds(computeMs + fullRender)}; peak RSS ${rssMiB()} MiB`);
console.log(lines.join('\n'));
