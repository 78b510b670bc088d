import { DAY, HOUR } from './period.js';
import { Rng } from './prng.js';

/**
 * The cast: the people and machines of Acme (a made-up company) whose work fills the samples.
 * Addresses are from the documentation ranges (RFC 5737) and names from the .example domain.
 */
export const DOMAIN = 'acme.example';
export const ORG_ID = 'o-7k2m9x4q1b';

export interface AwsAccount {
  id: string;
  alias: string;
  /** Logs delivered by the organization trail (`AWSLogs/<org>/<account>/...`) or an account trail. */
  orgTrail: boolean;
}

export const AWS_ACCOUNTS = {
  prod: { id: '111122223333', alias: 'acme-prod', orgTrail: true },
  dev: { id: '444455556666', alias: 'acme-dev', orgTrail: true },
  mgmt: { id: '777788889999', alias: 'acme-management', orgTrail: false },
} as const satisfies Record<string, AwsAccount>;
export type AwsAccountKey = keyof typeof AWS_ACCOUNTS;
export const AWS_REGIONS = ['us-east-1', 'eu-west-1'] as const;
export type AwsRegion = (typeof AWS_REGIONS)[number];
export const IDENTITY_STORE = 'd-9067a1b2c3';

export const GCP_ORG = '281946735012';
export const GCP_PROJECTS = {
  prod: { id: 'acme-prod-1', number: '613452870194', region: 'europe-west1', cluster: 'prod-gke-1' },
  data: { id: 'acme-data-2', number: '908124357761', region: 'europe-west4', cluster: 'data-gke-1' },
} as const;
export type GcpProjectKey = keyof typeof GCP_PROJECTS;

export const AZURE_TENANT = '3f2a9c1e-7b4d-4e8a-9c6f-1d2e3b4a5c6d';
export const AZURE_SUBSCRIPTIONS = {
  prod: { id: '8c1f4e2a-5d3b-4f6e-9a7c-2b1d0e3f4a5b', name: 'acme-prod', location: 'westeurope' },
  shared: { id: 'b7e3d9a1-2c4f-4b8e-8d6a-9f0e1c2b3a4d', name: 'acme-shared', location: 'northeurope' },
} as const;
export type AzureSubKey = keyof typeof AZURE_SUBSCRIPTIONS;

export type Duty = 'admin' | 'sre' | 'dev' | 'data' | 'security' | 'it' | 'business' | 'contractor';

export interface Human {
  slug: string;
  name: string;
  /** Hours from UTC (fixed: the period is after the autumn clock change). */
  tz: number;
  start: number;
  end: number;
  duty: Duty;
  /** Bursts of cloud work in a busy working hour. */
  pace: number;
  city: string;
  country: string;
  office: string;
  home: string;
  browser: string;
  os: string;
  aws?: { accounts: readonly AwsAccountKey[]; permissionSet: string; iamUser?: boolean };
  gcp?: { projects: readonly GcpProjectKey[] };
  azure?: { subscriptions: readonly AzureSubKey[] };
  objectId: string;
}

const CHROME =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
const CHROME_WIN =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0';
const FIREFOX = 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0';
const SAFARI =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15';

interface Row {
  slug: string;
  name: string;
  tz: number;
  hours: [number, number];
  duty: Duty;
  pace: number;
  where: [string, string, string];
  ua: string;
  os: string;
  aws?: Human['aws'];
  gcp?: Human['gcp'];
  azure?: Human['azure'];
}

const OFFICES: Record<string, string> = {
  London: '198.51.100.12',
  Berlin: '198.51.100.44',
  'New York': '198.51.100.71',
  'San Francisco': '198.51.100.103',
  Bengaluru: '198.51.100.131',
  Tokyo: '198.51.100.162',
  Madrid: '198.51.100.45',
  Paris: '198.51.100.46',
  Chicago: '198.51.100.72',
  Prague: '198.51.100.47',
};

const ROWS: Row[] = [
  {
    slug: 'priya.raman',
    name: 'Priya Raman',
    tz: 0,
    hours: [8, 18],
    duty: 'admin',
    pace: 3,
    where: ['London', 'GB', 'London'],
    ua: CHROME,
    os: 'MacOs',
    aws: { accounts: ['prod', 'dev', 'mgmt'], permissionSet: 'AdministratorAccess' },
    gcp: { projects: ['prod', 'data'] },
    azure: { subscriptions: ['prod', 'shared'] },
  },
  {
    slug: 'daniel.okafor',
    name: 'Daniel Okafor',
    tz: -5,
    hours: [9, 18],
    duty: 'sre',
    pace: 4,
    where: ['New York', 'US', 'New York'],
    ua: FIREFOX,
    os: 'Linux',
    aws: { accounts: ['prod', 'dev'], permissionSet: 'PowerUserAccess' },
    gcp: { projects: ['prod'] },
    azure: { subscriptions: ['prod'] },
  },
  {
    slug: 'meilin.chen',
    name: 'Mei Lin Chen',
    tz: -8,
    hours: [9, 17],
    duty: 'security',
    pace: 2.5,
    where: ['San Francisco', 'US', 'California'],
    ua: CHROME,
    os: 'MacOs',
    aws: { accounts: ['prod', 'dev', 'mgmt'], permissionSet: 'SecurityAudit' },
    gcp: { projects: ['prod', 'data'] },
    azure: { subscriptions: ['prod', 'shared'] },
  },
  {
    slug: 'lukas.becker',
    name: 'Lukas Becker',
    tz: 1,
    hours: [9, 18],
    duty: 'dev',
    pace: 3,
    where: ['Berlin', 'DE', 'Berlin'],
    ua: FIREFOX,
    os: 'Linux',
    aws: { accounts: ['dev', 'prod'], permissionSet: 'DeveloperAccess' },
    gcp: { projects: ['prod'] },
  },
  {
    slug: 'sofia.rossi',
    name: 'Sofia Rossi',
    tz: 1,
    hours: [8, 17],
    duty: 'dev',
    pace: 2.5,
    where: ['Berlin', 'DE', 'Berlin'],
    ua: CHROME,
    os: 'MacOs',
    aws: { accounts: ['dev'], permissionSet: 'DeveloperAccess' },
    gcp: { projects: ['prod'] },
  },
  {
    slug: 'arjun.mehta',
    name: 'Arjun Mehta',
    tz: 5.5,
    hours: [10, 19],
    duty: 'data',
    pace: 3,
    where: ['Bengaluru', 'IN', 'Karnataka'],
    ua: CHROME_WIN,
    os: 'Windows10',
    aws: { accounts: ['dev'], permissionSet: 'DataEngineer' },
    gcp: { projects: ['data', 'prod'] },
  },
  {
    slug: 'hannah.schmidt',
    name: 'Hannah Schmidt',
    tz: 1,
    hours: [8, 16],
    duty: 'data',
    pace: 2,
    where: ['Berlin', 'DE', 'Berlin'],
    ua: CHROME,
    os: 'MacOs',
    gcp: { projects: ['data'] },
  },
  {
    slug: 'marcus.johnson',
    name: 'Marcus Johnson',
    tz: -6,
    hours: [9, 17],
    duty: 'dev',
    pace: 2,
    where: ['Chicago', 'US', 'Illinois'],
    ua: SAFARI,
    os: 'MacOs',
    aws: { accounts: ['dev'], permissionSet: 'DeveloperAccess' },
    azure: { subscriptions: ['shared'] },
  },
  {
    slug: 'olivia.brown',
    name: 'Olivia Brown',
    tz: -5,
    hours: [9, 18],
    duty: 'dev',
    pace: 2,
    where: ['New York', 'US', 'New York'],
    ua: CHROME,
    os: 'MacOs',
    aws: { accounts: ['dev', 'prod'], permissionSet: 'DeveloperAccess' },
    azure: { subscriptions: ['prod'] },
  },
  {
    slug: 'tomas.garcia',
    name: 'Tomás García',
    tz: 1,
    hours: [9, 19],
    duty: 'sre',
    pace: 3.5,
    where: ['Madrid', 'ES', 'Madrid'],
    ua: FIREFOX,
    os: 'Linux',
    aws: { accounts: ['prod', 'dev'], permissionSet: 'PowerUserAccess' },
    gcp: { projects: ['prod'] },
    azure: { subscriptions: ['prod', 'shared'] },
  },
  {
    slug: 'yuki.tanaka',
    name: 'Yuki Tanaka',
    tz: 9,
    hours: [10, 19],
    duty: 'data',
    pace: 2.5,
    where: ['Tokyo', 'JP', 'Tokyo'],
    ua: CHROME,
    os: 'MacOs',
    gcp: { projects: ['data'] },
  },
  {
    slug: 'noah.williams',
    name: 'Noah Williams',
    tz: -8,
    hours: [9, 18],
    duty: 'dev',
    pace: 2.5,
    where: ['San Francisco', 'US', 'California'],
    ua: CHROME,
    os: 'MacOs',
    aws: { accounts: ['dev', 'prod'], permissionSet: 'DeveloperAccess' },
    gcp: { projects: ['prod'] },
  },
  {
    slug: 'emma.dubois',
    name: 'Emma Dubois',
    tz: 1,
    hours: [9, 18],
    duty: 'dev',
    pace: 1.5,
    where: ['Paris', 'FR', 'Île-de-France'],
    ua: FIREFOX,
    os: 'Windows10',
    aws: { accounts: ['dev'], permissionSet: 'ReadOnlyAccess' },
    azure: { subscriptions: ['shared'] },
  },
  {
    slug: 'kwame.mensah',
    name: 'Kwame Mensah',
    tz: 0,
    hours: [8, 17],
    duty: 'it',
    pace: 2,
    where: ['London', 'GB', 'London'],
    ua: CHROME_WIN,
    os: 'Windows10',
    azure: { subscriptions: ['prod', 'shared'] },
  },
  {
    slug: 'ana.pereira',
    name: 'Ana Pereira',
    tz: 0,
    hours: [9, 17],
    duty: 'business',
    pace: 1,
    where: ['London', 'GB', 'London'],
    ua: CHROME_WIN,
    os: 'Windows10',
  },
  {
    slug: 'ravi.iyer',
    name: 'Ravi Iyer',
    tz: 5.5,
    hours: [10, 19],
    duty: 'dev',
    pace: 2.5,
    where: ['Bengaluru', 'IN', 'Karnataka'],
    ua: CHROME,
    os: 'Linux',
    aws: { accounts: ['dev'], permissionSet: 'DeveloperAccess' },
    gcp: { projects: ['prod'] },
    azure: { subscriptions: ['shared'] },
  },
  {
    slug: 'jack.thompson',
    name: 'Jack Thompson',
    tz: -5,
    hours: [8, 17],
    duty: 'business',
    pace: 1,
    where: ['New York', 'US', 'New York'],
    ua: SAFARI,
    os: 'MacOs',
  },
  {
    slug: 'chloe.martin',
    name: 'Chloe Martin',
    tz: 1,
    hours: [9, 17],
    duty: 'business',
    pace: 1,
    where: ['Paris', 'FR', 'Île-de-France'],
    ua: CHROME_WIN,
    os: 'Windows10',
  },
  {
    slug: 'omar.haddad',
    name: 'Omar Haddad',
    tz: 0,
    hours: [9, 18],
    duty: 'sre',
    pace: 2,
    where: ['London', 'GB', 'London'],
    ua: CHROME,
    os: 'MacOs',
    aws: { accounts: ['prod'], permissionSet: 'PowerUserAccess', iamUser: true },
    azure: { subscriptions: ['prod'] },
  },
  {
    slug: 'isabel.novak',
    name: 'Isabel Novak',
    tz: 1,
    hours: [8, 16],
    duty: 'data',
    pace: 2,
    where: ['Prague', 'CZ', 'Prague'],
    ua: FIREFOX,
    os: 'Linux',
    aws: { accounts: ['dev'], permissionSet: 'DataEngineer' },
    gcp: { projects: ['data'] },
  },
  {
    slug: 'grace.kim',
    name: 'Grace Kim',
    tz: -5,
    hours: [8, 16],
    duty: 'business',
    pace: 1,
    where: ['New York', 'US', 'New York'],
    ua: CHROME,
    os: 'MacOs',
  },
  {
    slug: 'felix.wagner',
    name: 'Felix Wagner',
    tz: 1,
    hours: [9, 17],
    duty: 'contractor',
    pace: 1.5,
    where: ['Berlin', 'DE', 'Berlin'],
    ua: CHROME,
    os: 'Linux',
    aws: { accounts: ['dev'], permissionSet: 'ContractorReadOnly' },
  },
];

function buildHumans(): Human[] {
  return ROWS.map((row, i) => ({
    slug: row.slug,
    name: row.name,
    tz: row.tz,
    start: row.hours[0],
    end: row.hours[1],
    duty: row.duty,
    pace: row.pace,
    city: row.where[0],
    country: row.where[1],
    office: OFFICES[row.where[0]] ?? '198.51.100.1',
    home: `203.0.113.${20 + i * 7}`,
    browser: row.ua,
    os: row.os,
    ...(row.aws ? { aws: row.aws } : {}),
    ...(row.gcp ? { gcp: row.gcp } : {}),
    ...(row.azure ? { azure: row.azure } : {}),
    objectId: new Rng(`entra-object/${row.slug}`).uuid(),
  }));
}

export const HUMANS: readonly Human[] = buildHumans();

export function human(slug: string): Human {
  const found = HUMANS.find((h) => h.slug === slug);
  if (!found) throw new Error(`no such person: ${slug}`);
  return found;
}

export function email(h: Human): string {
  return `${h.slug}@${DOMAIN}`;
}

/** Whether the period's day (0 = Sunday 1 Nov) is a weekend day where the person lives. */
function localDay(h: Human, ms: number): { hour: number; weekend: boolean; dayIndex: number } {
  const local = ms + h.tz * HOUR;
  const date = new Date(local);
  const weekday = date.getUTCDay();
  return {
    hour: date.getUTCHours() + date.getUTCMinutes() / 60,
    weekend: weekday === 0 || weekday === 6,
    dayIndex: Math.floor(local / DAY),
  };
}

/**
 * How busy a person is in the hour starting at `ms` (0..1): working hours in their own time
 * zone, a lunch dip, quiet evenings, quieter weekends, and the odd day off.
 */
export function humanRhythm(h: Human, ms: number, daysOff: ReadonlySet<number>): number {
  const { hour, weekend, dayIndex } = localDay(h, ms + 30 * 60_000);
  if (daysOff.has(dayIndex)) return 0;
  let w: number;
  if (hour >= h.start && hour < h.end) w = Math.abs(hour - (h.start + h.end) / 2 - 0.5) < 0.6 ? 0.5 : 1;
  else if (hour >= h.start - 1 && hour < h.end + 2) w = 0.25;
  else if (hour >= 7 && hour < 23) w = 0.04;
  else w = 0.005;
  const onCall = h.duty === 'sre' || h.duty === 'admin';
  if (weekend) w *= onCall ? 0.12 : 0.05;
  return w;
}

/** Days (local day numbers) a person takes off: a few per head over the fortnight. */
export function daysOffFor(h: Human, rng: Rng, firstDay: number, days: number): Set<number> {
  const off = new Set<number>();
  const base = Math.floor((firstDay + h.tz * HOUR) / DAY);
  for (let i = 0; i < days; i++) if (rng.chance(0.06)) off.add(base + i);
  return off;
}

/** Which address a person works from on a given day: the office on most weekdays, else home. */
export function ipFor(h: Human, ms: number, rng: Rng): string {
  const { weekend, dayIndex } = localDay(h, ms);
  if (weekend) return h.home;
  return (dayIndex * 31 + h.slug.length) % 5 === 0 ? h.home : rng.chance(0.97) ? h.office : h.home;
}

/** The local hour of day (0..24) of `ms` for a person. */
export function localHour(h: Human, ms: number): number {
  return localDay(h, ms).hour;
}
