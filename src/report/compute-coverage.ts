import type { DuckDBConnection } from '@duckdb/node-api';
import { DAY_MS, daysOf, isoOrNull, num, readRows, str, strOrNull } from './query-rows.js';
import type { Checkpoint, Coverage, CoverageStream, DayCount, SourceSummary } from './report-model.js';

/**
 * What data the store holds for the period: sources, log streams and their silent days, events per
 * day. A stream is a source/format/account, plus the region for AWS (trails deliver per region;
 * GCP and Azure "locations" are where resources live, not where logs come from). Streams are the
 * ones seen in the period or in the LOOKBACK_DAYS before it, so a stream that fell silent for the
 * whole period still shows up as a gap.
 */
export const LOOKBACK_DAYS = 30;
const LOW_VOLUME_PER_DAY = 5;

export interface StoreFacts {
  sources: SourceSummary[];
  coverage: Coverage;
  checkpoints: Checkpoint[];
  oldestEvent: Date | null;
  /** Sources with events in the period or the lookback before it. */
  knownSources: string[];
  /** Distinct accounts per day and source, for the review record. */
  accountsPerDay: Map<string, Map<string, number>>;
}

// Days and hours by integer arithmetic on epoch microseconds: UTC whatever the session's zone,
// and several times faster over tens of millions of rows than strftime or hour() on timestamptz.
export const STREAM_SQL = `select source,
  format,
  account,
  region,
  strftime(date '1970-01-01' + day_no::int, '%Y-%m-%d') as day,
  events,
  first_event,
  last_event
from (
  select source,
    format,
    coalesce(account, '') as account,
    case when source = 'aws' then coalesce(region, '') end as region,
    epoch_us(event_time) // 86400000000 as day_no,
    count(*)::bigint as events,
    min(event_time) as first_event,
    max(event_time) as last_event
  from events
  where event_time >= $1::timestamptz
    and event_time < $2::timestamptz
  group by all
)`;

export async function computeStoreFacts(
  connection: DuckDBConnection,
  from: Date,
  to: Date,
  scope: readonly string[] | null,
): Promise<StoreFacts> {
  const days = daysOf(from, to);
  const firstDay = days[0] ?? '';
  const lookback = new Date(from.getTime() - LOOKBACK_DAYS * DAY_MS);
  const daily = await readRows(connection, STREAM_SQL, [lookback.toISOString(), to.toISOString()]);
  const streams = new Map<string, CoverageStream & { seen: Set<string> }>();
  const perDay = new Map<string, number>();
  const knownSources = new Set<string>();
  const accounts = new Map<string, Map<string, Set<string>>>();
  const summary = new Map<
    string,
    { formats: Set<string>; accounts: Set<string>; events: number; first: Date | null; last: Date | null }
  >();
  for (const r of daily) {
    const source = str(r.source);
    knownSources.add(source);
    const key = [source, str(r.format), str(r.account), strOrNull(r.region) ?? ''].join('\u0000');
    let s = streams.get(key);
    if (!s) {
      s = {
        source,
        format: str(r.format),
        account: str(r.account),
        region: strOrNull(r.region),
        events: 0,
        days_with_data: 0,
        gap_days: [],
        low_volume: false,
        seen: new Set(),
      };
      streams.set(key, s);
    }
    const day = str(r.day);
    if (day < firstDay) continue;
    const n = num(r.events);
    s.events += n;
    s.seen.add(day);
    const dayKey = `${day}\u0000${source}`;
    perDay.set(dayKey, (perDay.get(dayKey) ?? 0) + n);
    const daily = accounts.get(day) ?? new Map<string, Set<string>>();
    accounts.set(day, daily.set(source, (daily.get(source) ?? new Set<string>()).add(s.account)));
    const sum = summary.get(source) ?? {
      formats: new Set(),
      accounts: new Set(),
      events: 0,
      first: null,
      last: null,
    };
    sum.formats.add(s.format);
    sum.accounts.add(s.account);
    sum.events += n;
    const first = r.first_event instanceof Date ? r.first_event : null;
    const last = r.last_event instanceof Date ? r.last_event : null;
    if (first && (!sum.first || first < sum.first)) sum.first = first;
    if (last && (!sum.last || last > sum.last)) sum.last = last;
    summary.set(source, sum);
  }
  const inScope = (source: string) => scope === null || scope.includes(source);
  const out: CoverageStream[] = [];
  for (const s of streams.values()) {
    if (!inScope(s.source)) continue;
    const { seen, ...rest } = s;
    out.push({
      ...rest,
      days_with_data: seen.size,
      gap_days: days.filter((d) => !seen.has(d)),
      low_volume: seen.size > 0 && s.events / seen.size < LOW_VOLUME_PER_DAY,
    });
  }
  out.sort(
    (a, b) =>
      a.source.localeCompare(b.source) ||
      a.format.localeCompare(b.format) ||
      a.account.localeCompare(b.account) ||
      (a.region ?? '').localeCompare(b.region ?? ''),
  );
  const eventsPerDay: DayCount[] = [...perDay]
    .map(([k, events]) => {
      const [day = '', source = ''] = k.split('\u0000');
      return { day, source, events };
    })
    .filter((d) => inScope(d.source))
    .sort((a, b) => a.day.localeCompare(b.day) || a.source.localeCompare(b.source));

  const wanted = [...new Set([...(scope ?? []), ...knownSources])].filter(inScope).sort();
  const sources: SourceSummary[] = wanted.map((source) => {
    const x = summary.get(source);
    return {
      source,
      formats: x ? [...x.formats].sort() : [],
      accounts: x ? x.accounts.size : 0,
      events: x?.events ?? 0,
      first_event: x?.first ? x.first.toISOString() : null,
      last_event: x?.last ? x.last.toISOString() : null,
      missing: !x,
    };
  });

  const checkpointRows = await readRows(
    connection,
    `select source,
  count(*)::bigint as origins,
  max(updated_at) as last_update
from checkpoints
group by source
order by source`,
  );
  const oldest = await readRows(connection, 'select min(event_time) as oldest from events');
  const oldestEvent = oldest[0]?.oldest;
  return {
    sources,
    coverage: {
      streams: out,
      events_per_day: eventsPerDay,
      gap_count: out.reduce((n, s) => n + s.gap_days.length, 0),
    },
    checkpoints: checkpointRows.map((r) => ({
      source: str(r.source),
      origins: num(r.origins),
      last_update: isoOrNull(r.last_update),
    })),
    oldestEvent: oldestEvent instanceof Date ? oldestEvent : null,
    accountsPerDay: new Map(
      [...accounts].map(([day, m]) => [day, new Map([...m].map(([src, set]) => [src, set.size]))]),
    ),
    knownSources: [...knownSources].sort(),
  };
}

/** Events per UTC hour of day and source, for the activity chart. */
export async function activityByHour(
  connection: DuckDBConnection,
  from: Date,
  to: Date,
): Promise<{ hour: number; source: string; events: number }[]> {
  const rows = await readRows(
    connection,
    `select ((epoch_us(event_time) // 3600000000) % 24)::int as hour,
  source,
  count(*)::bigint as events
from events
where event_time >= $1::timestamptz
  and event_time < $2::timestamptz
group by all
order by hour, source`,
    [from.toISOString(), to.toISOString()],
  );
  return rows.map((r) => ({ hour: num(r.hour), source: str(r.source), events: num(r.events) }));
}
