/**
 * Busy-principal benchmark: the "busiest stretch" detectors (instances, APIs or secrets reached by
 * one principal within a few minutes) on one automation principal that makes N such calls in a
 * day: a patching role sending SSM commands, a fleet job pushing SSH keys, a mailer polling SES, an
 * application rereading its secrets. Such a principal is ordinary, so the detectors' cost must grow
 * linearly with its calls, not with their square.
 *
 *   npm run bench:detect:busy                          # 4,000, 16,000 and 64,000 calls a day
 *   npm run bench:detect:busy -- --calls 8000,32000     # other sizes
 *   npm run bench:detect:busy -- --copies 64,256,1024   # the library sweep's sizes (below)
 *
 * For each size it prints the detector's time, that time as a ratio to a scan of the same events
 * (`count(*), count(distinct event_id)`) measured in the same run, and the growth from the size
 * before. Target: each 4-fold step grows at most 6-fold (linear with a sort's log factor; exit
 * code 1 otherwise); a self-join over the principal's calls grows 16-fold.
 *
 * Then the library sweep: every detector on its first positive fixture case with each of that
 * case's records (but history spread over days) repeated 64, 256 and 1,024 times a second apart,
 * a burst no detector should choke on, judged the same way when the largest run takes 20 ms or more
 * (below that the fixed cost of a query hides any growth). It found the two sequence detectors whose
 * three-way joins grew with the cube and the product of their steps (aws/no-mfa-login-then-keys-
 * then-logging: 0.5 -> 30 s for 64 -> 256 copies), now ASOF joins.
 *
 * Measured on the quiet 2-core machine. Before the rewrite (self-joins, or lists over every
 * stretch), 4,000 -> 16,000 calls took: ssm-commands 456 ms -> 8.4 s, ec2-instance-connect 291 ms ->
 * 4.5 s, ses-enumeration 38 -> 236 ms, secrets-read-in-bulk 298 ms -> 4.2 s; secret-reads-unusual
 * 247 ms -> 3.7 s for 8,000 -> 32,000. After (window counts, then the busiest stretch gathered):
 * 23 -> 85 -> 364 ms, 15 -> 31 -> 93 ms, 10 -> 22 -> 95 ms, 19 -> 46 -> 218 ms and 17 -> 36 -> 123 ms
 * for 4,000 -> 16,000 -> 64,000 calls, each step 2-5 fold.
 */
import { readFileSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { refreshActivityProfile } from '../src/detect/activity-profile.js';
import { restrictForDetection } from '../src/detect/detection-connection.js';
import { resolveParams } from '../src/detect/detector-params.js';
import { type FixtureCase, fixturesSchema, openFixtureStore } from '../src/detect/fixtures.js';
import { loadDetectors } from '../src/detect/load-detectors.js';
import { runDetector } from '../src/detect/run-detector.js';
import { openStore } from '../src/store/open-store.js';
import { medianSeconds } from './median-time.js';
import { sizeListArg } from './size-list-arg.js';

const args = process.argv.slice(2);
const SIZES = sizeListArg(args, '--calls', '4000,16000,64000', 100);
const COPIES = sizeListArg(args, '--copies', '64,256,1024', 2);
/** Below this, a run's time is the query's fixed cost and says nothing about growth. */
const JUDGED_FROM_MS = 20;
const MAX_GROWTH_PER_4X = 6;
const DAY = '2026-10-31';

/** An application rereading its 20 secrets all day. */
const SECRET_READ = `'secretsmanager.amazonaws.com' as service, 'GetSecretValue' as action,
    ['arn:aws:secretsmanager:us-east-1:123456789012:secret:app-' || (i % 20)] as resources, '{}'::json as raw`;

interface Scenario {
  /** SQL columns of the principal's i-th call of the day (i from range(n)). */
  readonly columns: string;
  /** The principal was active (reads, office hours) on the 10 days before: for baseline detectors. */
  readonly history?: boolean;
}

const SCENARIOS: Readonly<Record<string, Scenario>> = {
  'aws/ssm-commands-many-instances': {
    columns: `'ssm.amazonaws.com' as service, 'SendCommand' as action,
    json_object('requestParameters', json_object('instanceIds', ['i-' || (i % 500), 'i-' || ((i + 1) % 500), 'i-' || ((i + 2) % 500)])) as raw`,
  },
  'aws/ec2-instance-connect-many-instances': {
    columns: `'ec2-instance-connect.amazonaws.com' as service, 'SendSSHPublicKey' as action,
    json_object('requestParameters', json_object('instanceId', 'i-' || (i % 500))) as raw`,
  },
  'aws/ses-enumeration': {
    columns: `'ses.amazonaws.com' as service,
    ['GetSendQuota', 'GetAccount', 'ListIdentities', 'GetSendStatistics'][i % 4 + 1] as action, '{}'::json as raw`,
  },
  'all/secrets-read-in-bulk': { columns: SECRET_READ },
  // A principal that never read a secret before: every read of the day is judged unusual.
  'all/secret-reads-unusual': { columns: SECRET_READ, history: true },
};

const PRINCIPAL = `'123456789012' as account,
  'us-east-1' as region,
  'arn:aws:sts::123456789012:assumed-role/fleet-automation/run' as actor,
  'role' as actor_type,
  'arn:aws:iam::123456789012:role/fleet-automation' as actor_issuer,
  '203.0.113.9' as source_ip,
  'success' as outcome,
  'bench' as origin,
  now() as ingested_at`;

async function fill(connection: DuckDBConnection, scenario: Scenario, n: number): Promise<void> {
  await connection.run('delete from events');
  if (scenario.history) {
    // 40 reads a day at 09:00-13:00 UTC on each of the 10 days before
    await connection.run(`insert into events by name
select
  'history-' || i as event_id,
  'aws' as source,
  'cloudtrail' as format,
  timestamptz '${DAY} 09:00:00+00' - to_days(1 + i // 40) + to_minutes(((i % 40) * 6)::integer) as event_time,
  ${PRINCIPAL},
  'ec2.amazonaws.com' as service,
  'DescribeInstances' as action
from range(400) as t(i)`);
  }
  await connection.run(`insert into events by name
select
  'busy-' || i as event_id,
  'aws' as source,
  'cloudtrail' as format,
  timestamptz '${DAY} 00:00:00+00' + to_microseconds((i * 86400000000 // ${n})::bigint) as event_time,
  ${PRINCIPAL},
  ${scenario.columns}
from range(${n}) as t(i)`);
  await refreshActivityProfile(connection, { full: true });
}

/** How much a run grew from the size before, normalized to a 4-fold step whatever the sizes. */
function growth(previous: { n: number; ms: number }, n: number, ms: number): { text: string; ok: boolean } {
  const perFourfold = (ms / previous.ms) ** (Math.log(4) / Math.log(n / previous.n));
  const ok = perFourfold <= MAX_GROWTH_PER_4X;
  return {
    ok,
    text: `grows ${perFourfold.toFixed(1)}x per 4x (target <= ${MAX_GROWTH_PER_4X}) ${ok ? 'OK' : 'MISSED'}`,
  };
}

const { detectors } = loadDetectors();
let missed = 0;

console.log('== one principal, N calls in a day');
async function medianMs(runs: number, fn: () => Promise<unknown>): Promise<number> {
  return 1000 * (await medianSeconds(runs, fn));
}

const store = await openStore({ path: ':memory:' });
const connection = store.connection;
await restrictForDetection(connection);
const window = {
  start: new Date(`${DAY}T00:00:00Z`),
  end: new Date(Date.parse(`${DAY}T00:00:00Z`) + 86_400_000),
};
try {
  for (const [id, scenario] of Object.entries(SCENARIOS)) {
    const detector = detectors.find((d) => d.id === id);
    if (detector === undefined) throw new Error(`no detector ${id} in queries/`);
    const params = resolveParams(detector, {});
    console.log(id);
    let previous: { n: number; ms: number } | undefined;
    for (const n of SIZES) {
      await fill(connection, scenario, n);
      let rows = 0;
      const ms = await medianMs(3, async () => {
        rows = (await runDetector(connection, detector, { window, params })).rows.length;
      });
      const scanMs = await medianMs(5, () =>
        connection.runAndReadAll('select count(*), count(distinct event_id) from events'),
      );
      let step = '';
      if (previous !== undefined) {
        const g = growth(previous, n, ms);
        if (!g.ok) missed++;
        step = `, ${g.text}`;
      }
      console.log(
        `  ${String(n).padStart(7)} calls: ${ms.toFixed(0).padStart(6)} ms, ${(ms / scanMs).toFixed(1)} scans of them, ${rows} finding(s)${step}`,
      );
      previous = { n, ms };
    }
  }
} finally {
  store.close();
}

/** The case with its burst records (not its history, spread over days) repeated `copies` times. */
function burst(fixture: FixtureCase, copies: number): FixtureCase {
  let longest = 0;
  const records = fixture.records.map((record) => {
    if (typeof record === 'string') return record;
    const every = Number(record._every_seconds ?? 1);
    if (every > 60) return record;
    const repeat = Number(record._repeat ?? 1) * copies;
    longest = Math.max(longest, repeat * every);
    return { ...record, _repeat: repeat, _every_seconds: every };
  });
  const window = fixture.window && {
    start: fixture.window.start,
    end: new Date(Date.parse(fixture.window.end) + longest * 1000).toISOString(),
  };
  return { ...fixture, records, ...(window ? { window } : {}) };
}

console.log(
  `\n== the library: each detector's first positive case, its records repeated ${COPIES.join(', ')} times`,
);
for (const detector of detectors) {
  const fixtures = fixturesSchema.parse(JSON.parse(readFileSync(detector.fixturesFile, 'utf8')));
  const base = fixtures.positive[0];
  if (base === undefined) continue;
  const params = { ...resolveParams(detector, {}), ...(base.params ?? {}) };
  const times: number[] = [];
  let verdict = '';
  let previous: { n: number; ms: number } | undefined;
  for (const copies of COPIES) {
    const { store: caseStore, window: caseWindow, loadError } = await openFixtureStore(burst(base, copies));
    try {
      if (loadError) throw new Error(`${detector.id}: ${loadError}`);
      const ms = await medianMs(3, () =>
        runDetector(caseStore.connection, detector, { window: caseWindow, params, timeoutMs: 60_000 }),
      );
      times.push(ms);
      if (previous !== undefined && ms >= JUDGED_FROM_MS) {
        const g = growth(previous, copies, ms);
        if (!g.ok) missed++;
        verdict = g.text;
      }
      previous = { n: copies, ms };
    } finally {
      caseStore.close();
    }
  }
  console.log(
    `  ${detector.id.padEnd(46)} ${times.map((t) => t.toFixed(0).padStart(5)).join(' ')} ms  ${verdict}`,
  );
}
console.log(missed === 0 ? 'all linear' : `${missed} step(s) grew faster than linear`);
if (missed > 0) process.exitCode = 1;
