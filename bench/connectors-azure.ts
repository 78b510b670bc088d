/**
 * How close the azure connector runs to the Log Analytics query ceiling (200 queries per 30 s
 * per identity, 5 at once), against the loopback fake enforcing exactly that.
 *
 * Time is scaled down SCALE times (default 3: the window is 10 s, query latency scaled too), so the
 * run is short; the ratio achieved/ceiling is what scales back. Data: a 14-day backfill of 2 workspaces x
 * 3 tables with a business-hours profile and random bursts, so rows per query vary from none to
 * beyond the per-query row cap (which the fake answers with a partial result, forcing splits).
 *
 * `npm run bench:connectors:azure` (options: --scale N, --days N, --thin N to divide the rows).
 * Three processes: this one makes the fake's throwaway certificate and starts the connector process
 * with NODE_EXTRA_CA_CERTS trusting it (Node reads it at process start only); that one starts the
 * fake in a process of its own, as the real service is remote: serializing answers must not take
 * the connector's event loop.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { azureSourceSchema } from '../src/config/sources/azure.js';
import { createAzureConnectors } from '../src/connectors/azure/index.js';
import type { SourceRecordBatch } from '../src/connectors/source-connector.js';
import { mergeAsync } from '../src/util/merge-async.js';
import {
  FakeLogAnalytics,
  type FakeRow,
  type FakeTable,
  type QueryLog,
} from '../test/fakes/azure-log-analytics.js';
import { hasOpenssl, makeLoopbackCertificate } from '../test/fakes/azure-tls.js';

const CHILD = 'AUDITLAKE_BENCH_AZURE_TLS_DIR';
const ROLE = 'AUDITLAKE_BENCH_AZURE_ROLE';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

function parent(): void {
  if (!hasOpenssl()) {
    console.error("bench:connectors:azure needs openssl for the fake's TLS certificate");
    process.exit(1);
  }
  const cert = makeLoopbackCertificate();
  try {
    const result = spawnSync(process.execPath, ['--import', 'tsx', ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, NODE_EXTRA_CA_CERTS: cert.trustFile, [CHILD]: cert.dir },
    });
    process.exitCode = result.status ?? 1;
  } finally {
    rmSync(cert.dir, { recursive: true, force: true });
  }
}

/** Deterministic pseudo-random numbers, so every run benchmarks the same data. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** Rows of one table: a daily profile (busy 8-18 h), random quiet hours and 10x bursts. */
function tableRows(
  workspace: string,
  table: FakeTable,
  from: number,
  to: number,
  perHour: number,
  seed: number,
): FakeRow[] {
  const r = random(seed);
  const rows: FakeRow[] = [];
  let n = 0;
  for (let hour = from; hour < to; hour += 3_600_000) {
    const h = new Date(hour).getUTCHours();
    const profile = h >= 8 && h < 18 ? 1.6 : 0.4;
    const burst = r() < 0.04 ? 10 : r() < 0.15 ? 0 : 1;
    const count = Math.round(perHour * profile * burst * (0.5 + r()));
    for (let i = 0; i < count; i++) {
      rows.push({
        workspace,
        table,
        time: hour + Math.floor(r() * 3_600_000),
        id: `${table}-${workspace.slice(0, 4)}-${seed}-${n++}`,
      });
    }
  }
  return rows;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0
    ? 0
    : (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number);
}

interface Plan {
  scale: number;
  days: number;
  windowMs: number;
  now: number;
  workspaces: string[];
  tables: FakeTable[];
}

function plan(): Plan {
  // 3x: faster than that, the fake and the connector (two processes on a shared 2-core machine)
  // run out of CPU serializing and parsing rows before the connector runs out of quota.
  const scale = arg('scale', 3);
  return {
    scale,
    days: arg('days', 14),
    windowMs: 30_000 / scale,
    now: Date.parse('2024-05-08T00:00:00Z'),
    workspaces: ['11111111-2222-4333-8444-555555555555', '66666666-7777-4888-8999-aaaaaaaaaaaa'],
    tables: ['AzureActivity', 'SigninLogs', 'AuditLogs'],
  };
}

interface FakeStats {
  log: QueryLog[];
  quotaViolations: number;
  maxConcurrent: number;
}

/** The fake service, in its own process: reports {endpoint, total} when listening, its stats when asked. */
async function fakeProcess(): Promise<void> {
  const dir = process.env[CHILD] as string;
  const p = plan();
  const thin = arg('thin', 1);
  const perHour: Record<FakeTable, number> = {
    AzureActivity: 60 / thin,
    SigninLogs: 160 / thin,
    AuditLogs: 30 / thin,
  };
  const fake = await new FakeLogAnalytics({
    certificate: {
      dir,
      certFile: join(dir, 'cert.pem'),
      keyFile: join(dir, 'key.pem'),
      trustFile: join(dir, 'trust.pem'),
    },
    token: 'bench-token',
    workspaces: p.workspaces,
    now: () => p.now,
    quota: { perWindow: 200, windowMs: p.windowMs, concurrency: 5 },
    // A per-query row cap scaled down with the data (the service's is 500,000).
    maxRows: 2000,
    // Log Analytics answers small queries in ~0.3-1 s; scaled like the window.
    latencyMs: (rows) => (300 + rows * 0.2) / p.scale,
  }).start();
  // What a correct run reads: everything before now minus the settle delay (5 min).
  let total = 0;
  p.workspaces.forEach((ws, w) => {
    p.tables.forEach((t, i) => {
      const rows = tableRows(ws, t, p.now - p.days * 86_400_000, p.now, perHour[t], 1 + w * 10 + i);
      total += rows.filter((r) => r.time < p.now - 300_000).length;
      fake.add(rows);
    });
  });
  process.on('message', (message) => {
    if (message !== 'stats') return;
    const stats: FakeStats = {
      log: fake.log,
      quotaViolations: fake.quotaViolations,
      maxConcurrent: fake.maxConcurrent,
    };
    process.send?.(stats, () => {
      void fake.close().then(() => process.exit(0));
    });
  });
  process.send?.({ endpoint: fake.endpoint, total });
}

function next<T>(fake: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    fake.once('message', (m) => resolve(m as T));
    fake.once('exit', (code) => reject(new Error(`the fake exited (${code})`)));
  });
}

async function runner(): Promise<void> {
  const p = plan();
  const { scale, windowMs, now, workspaces, tables, days } = p;
  const ceiling = 200 / (windowMs / 1000);
  const fake = spawn(process.execPath, ['--import', 'tsx', ...process.argv.slice(1)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [ROLE]: 'fake' },
  });
  const { endpoint, total } = await next<{ endpoint: string; total: number }>(fake);
  const connectors = createAzureConnectors({
    credential: {
      getToken: async () => ({ token: 'bench-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
    },
    limits: { queriesPerWindow: 200, windowMs, concurrency: 5 },
    tuning: {
      // Targets scaled down with the data (production: 50,000 rows / 24 MiB).
      targets: { rows: 600, chars: 64 * 1024 * 1024 },
      retry: { attempts: 6, baseMs: 1000 / scale, maxMs: 60_000 / scale },
    },
  });
  const sources = workspaces.map((workspace_id) =>
    azureSourceSchema.parse({ workspace_id, start: `${days}d`, endpoint }),
  );
  const splits: number[] = [];
  const retries: string[] = [];
  const streams = connectors.connectors(sources, {
    now: () => new Date(now),
    log: (event, fields) => {
      if (event === 'azure.slice.split') splits.push(1);
      if (event === 'azure.query.retry') retries.push(`${fields.kind}`);
    },
  });
  const controller = new AbortController();
  const failures: string[] = [];
  const started = performance.now();
  const cpu = process.cpuUsage();
  let records = 0;
  const merged = mergeAsync(
    streams.map((s) => ({ key: s, iterable: s.pull(undefined, controller.signal) })),
    (s, error) => failures.push(`${s.stream}: ${String(error)}`),
  );
  for await (const { value } of merged) records += (value as SourceRecordBatch).records.length;
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const statsReply = next<FakeStats>(fake);
  fake.send('stats');
  const stats = await statsReply;

  const queries = stats.log.filter((l) => l.from !== null);
  const answered = queries.filter((l) => l.status === 200);
  const rowsPer = answered.map((l) => l.rows).sort((a, b) => a - b);
  const achieved = queries.length / seconds;
  // The steady state: the busiest run of one full window, as the fake counted them.
  const t0 = queries[0]?.started ?? 0;
  const last = queries.at(-1)?.started ?? 0;
  let bestWindow = 0;
  for (let a = t0; a + windowMs <= last + 1; a += windowMs / 10) {
    bestWindow = Math.max(
      bestWindow,
      queries.filter((l) => l.started >= a && l.started < a + windowMs).length,
    );
  }
  const busy = queries.reduce((n, l) => n + l.ms, 0) / 1000;
  const real = (x: number) => (x / scale).toFixed(2);
  console.log(
    'azure connector vs the Log Analytics query ceiling (loopback fake in its own process, time scaled down)',
  );
  console.log(`  time scale          1/${scale}: quota 200 queries per ${windowMs} ms, 5 concurrent`);
  console.log(
    `  data                ${days} days x ${sources.length} workspaces x ${tables.length} tables, ${total} rows to read`,
  );
  console.log(
    `  records read        ${records}${records === total ? ' (all, once)' : ` (EXPECTED ${total})`}`,
  );
  console.log(
    `  queries             ${queries.length} (${answered.length} answered, ${splits.length} slice splits on partial results, ${retries.length} retries)`,
  );
  console.log(
    `  rows per query      p10 ${percentile(rowsPer, 0.1)}, p50 ${percentile(rowsPer, 0.5)}, p90 ${percentile(rowsPer, 0.9)}, max ${percentile(rowsPer, 1)}`,
  );
  console.log(
    `  wall time           ${seconds.toFixed(2)} s (${(seconds * scale).toFixed(1)} s at real scale)`,
  );
  console.log(`  ceiling             ${ceiling.toFixed(1)} queries/s (${real(ceiling)} at real scale)`);
  console.log(`  achieved            ${achieved.toFixed(1)} queries/s (${real(achieved)} at real scale)`);
  console.log(`  fraction of ceiling ${(achieved / ceiling).toFixed(3)} over the whole run`);
  console.log(`  busiest window      ${bestWindow} of 200 queries (${(bestWindow / 200).toFixed(3)})`);
  console.log(
    `  quota violations    ${stats.quotaViolations} (429s the fake had to send), max concurrent ${stats.maxConcurrent}`,
  );
  console.log(`  queries in flight   ${(busy / seconds).toFixed(2)} on average (of 5 allowed)`);
  console.log(`  connector cpu       ${((used.user + used.system) / 1e6).toFixed(2)} s`);
  console.log(
    `  rows per second     ${Math.round(records / seconds)} (${Math.round(records / seconds / scale)} at real scale)`,
  );
  if (failures.length > 0 || records !== total || stats.quotaViolations > 0) {
    if (failures.length > 0) console.log(`  FAILED streams:\n    ${failures.join('\n    ')}`);
    process.exitCode = 1;
  }
}

if (process.env[ROLE] === 'fake') await fakeProcess();
else if (process.env[CHILD]) await runner();
else parent();
