/**
 * How close the Cloud Logging connector gets to the API's ceiling: 60 entries.list requests per
 * minute per project at 1,000 entries a page, i.e. 1,000 entries/s per project.
 *
 * Against the loopback fake (test/fakes/gcp-logging.ts) enforcing that quota per project with
 * 429 RESOURCE_EXHAUSTED beyond it. Time is scaled by BENCH_SCALE (default 5): the fake then
 * allows 60 requests per 12 s per project and the connector is configured for 300 a "minute", the
 * same ratio of client rate to quota, so the fraction of the ceiling means the same thing.
 * Paging is sequential (each request needs the previous page's token), so a page's round trip
 * must fit in the request interval: 1 s in reality, 200 ms at x5. At x10 (100 ms) the fake,
 * building 1 MB pages in this same process, and JSON parsing on a busy 2-core machine take about
 * that long, and the figure measures the machine rather than the connector.
 *
 * 1. connector: two projects pulled concurrently, batches drained (the connector's own ceiling).
 * 2. end to end: the same through `ingestSources` into an in-memory DuckDB store, at real time
 *    (BENCH_E2E_SCALE, default 1: 1 request/s per project), so the store write is included.
 *
 *   npm run bench:connectors:gcp
 *   BENCH_SCALE=1 BENCH_PAGES=20 npm run bench:connectors:gcp
 */
import { availableParallelism, loadavg } from 'node:os';
import { gcpSourceSchema } from '../src/config/sources/gcp.js';
import { createGcpConnectors } from '../src/connectors/gcp/index.js';
import type { ConnectorContext, SourceConnector } from '../src/connectors/source-connector.js';
import { ingestSources } from '../src/ingest/ingest-sources.js';
import { openStore } from '../src/store/open-store.js';
import { startRun } from '../src/store/runs.js';
import { auditEntry, FAKE_TOKEN, FakeCloudLogging } from '../test/fakes/gcp-logging.js';

const PAGE = 1000;
const PROJECTS = ['bench-alpha', 'bench-beta'];
const QUOTA_PER_MINUTE = 60;

const scale = Number(process.env.BENCH_SCALE ?? 5);
const pages = Number(process.env.BENCH_PAGES ?? 20);
const e2eScale = Number(process.env.BENCH_E2E_SCALE ?? 1);
const e2ePages = Number(process.env.BENCH_E2E_PAGES ?? 10);

const NOW = new Date('2026-03-01T12:00:00Z');
const START = '2026-02-28T00:00:00Z';

interface Result {
  label: string;
  entries: number;
  seconds: number;
  /** Between the first and the last page: the sustained rate, without the first free request. */
  steadyPerSecond: number;
  ceilingPerSecond: number;
  throttled: number;
}

function seed(fake: FakeCloudLogging, pagesPerProject: number): void {
  const count = pagesPerProject * PAGE;
  const start = Date.parse(START);
  for (const project of PROJECTS) {
    const entries = [];
    for (let i = 0; i < count; i++) {
      entries.push(auditEntry(`projects/${project}`, 'activity', i, new Date(start + i * 50).toISOString()));
    }
    fake.addEntries(`projects/${project}`, entries);
  }
}

function setup(fake: FakeCloudLogging, timeScale: number) {
  // The quota: 60 requests per (60 / scale) s per project, bucket of a minute's requests.
  fake.enforceQuota({ requests: QUOTA_PER_MINUTE, windowMs: 60_000 / timeScale });
  const source = gcpSourceSchema.parse({
    projects: PROJECTS,
    log_kinds: ['activity'],
    start: START,
    endpoint: fake.url,
    page_size: PAGE,
    requests_per_minute: QUOTA_PER_MINUTE * timeScale,
  });
  const context: ConnectorContext = { now: () => NOW, log: () => {} };
  const connectors = createGcpConnectors({
    auth: async () => ({ getRequestHeaders: async () => ({ Authorization: `Bearer ${FAKE_TOKEN}` }) }),
  }).connectors([source], context);
  return { connectors, ceilingPerSecond: (PROJECTS.length * QUOTA_PER_MINUTE * timeScale * PAGE) / 60 };
}

async function drain(connector: SourceConnector, arrivals: number[]): Promise<number> {
  let entries = 0;
  for await (const batch of connector.pull(undefined, new AbortController().signal)) {
    if (batch.records.length) arrivals.push(performance.now());
    entries += batch.records.length;
  }
  return entries;
}

function steady(arrivals: number[], entries: number, projects: number): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  const first = sorted[0] ?? 0;
  const last = sorted.at(-1) ?? 0;
  // The first page of each project came at once; the rest at the limiter's pace.
  return ((entries - projects * PAGE) / Math.max(1, last - first)) * 1000;
}

async function connectorOnly(): Promise<Result> {
  const fake = await FakeCloudLogging.start();
  try {
    seed(fake, pages);
    const { connectors, ceilingPerSecond } = setup(fake, scale);
    const arrivals: number[] = [];
    const started = performance.now();
    const counts = await Promise.all(connectors.map((c) => drain(c, arrivals)));
    const seconds = (performance.now() - started) / 1000;
    const entries = counts.reduce((a, b) => a + b, 0);
    return {
      label: `connector only, time x${scale}`,
      entries,
      seconds,
      steadyPerSecond: steady(arrivals, entries, PROJECTS.length),
      ceilingPerSecond,
      throttled: fake.throttled,
    };
  } finally {
    await fake.close();
  }
}

async function endToEnd(): Promise<Result> {
  const fake = await FakeCloudLogging.start();
  const store = await openStore({ path: ':memory:' });
  try {
    seed(fake, e2ePages);
    const { connectors, ceilingPerSecond } = setup(fake, e2eScale);
    const arrivals: number[] = [];
    const seen = new Map<string, number>();
    const started = performance.now();
    const summaries = await ingestSources(
      store.connection,
      await startRun(store.connection, 'bench'),
      connectors,
      {
        onProgress: (p) => {
          // The closing empty batch of a stream reports progress too: count pages with entries.
          if (p.events > (seen.get(p.stream) ?? 0)) arrivals.push(performance.now());
          seen.set(p.stream, p.events);
        },
      },
    );
    const seconds = (performance.now() - started) / 1000;
    const entries = summaries.reduce((n, s) => n + s.events_new, 0);
    if (summaries.some((s) => s.status !== 'ok')) throw new Error(JSON.stringify(summaries));
    return {
      label: `end to end into DuckDB, time x${e2eScale}`,
      entries,
      seconds,
      steadyPerSecond: steady(arrivals, entries, PROJECTS.length),
      ceilingPerSecond,
      throttled: fake.throttled,
    };
  } finally {
    store.close();
    await fake.close();
  }
}

function report(r: Result): void {
  const achieved = r.entries / r.seconds;
  const realCeiling = (PROJECTS.length * QUOTA_PER_MINUTE * PAGE) / 60;
  const factor = r.ceilingPerSecond / realCeiling;
  console.log(
    `\n${r.label}: ${PROJECTS.length} projects, ${r.entries.toLocaleString('en')} entries in ${r.seconds.toFixed(2)} s`,
  );
  console.log(
    `  ceiling            ${Math.round(r.ceilingPerSecond).toLocaleString('en')} entries/s (= ${realCeiling.toLocaleString('en')} entries/s x${factor} time scale)`,
  );
  console.log(
    `  achieved overall   ${Math.round(achieved).toLocaleString('en')} entries/s = ${(achieved / r.ceilingPerSecond).toFixed(3)} of the ceiling`,
  );
  console.log(
    `  achieved sustained ${Math.round(r.steadyPerSecond).toLocaleString('en')} entries/s = ${(r.steadyPerSecond / r.ceilingPerSecond).toFixed(3)} of the ceiling (first page of each project left out)`,
  );
  console.log(`  429 RESOURCE_EXHAUSTED answers: ${r.throttled}`);
}

console.log(
  `Cloud Logging connector benchmark: quota ${QUOTA_PER_MINUTE} entries.list/min per project, pageSize ${PAGE} (ceiling 1,000 entries/s per project)`,
);
// The end-to-end figure depends on how fast DuckDB commits a page: say how busy the machine was.
console.log(`machine: ${availableParallelism()} cores, load average ${loadavg()[0]?.toFixed(1)} at start`);
report(await connectorOnly());
report(await endToEnd());
console.log(`\nload average ${loadavg()[0]?.toFixed(1)} at the end`);
