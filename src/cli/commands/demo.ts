import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { detectionConnections, restrictForDetection } from '../../detect/detection-connection.js';
import { listFindings } from '../../detect/findings-store.js';
import {
  type IncidentCoverage,
  incidentCoverage,
  type KnownIncident,
} from '../../detect/incident-coverage.js';
import { loadDetectors } from '../../detect/load-detectors.js';
import { runDetection } from '../../detect/run-detection.js';
import { computeReport } from '../../report/compute-report.js';
import { defaultOutPath, writeReport } from '../../report/generate-report.js';
import { signingKeyFromConfig } from '../../report/signing-key.js';
import { type DayCounts, eventsPerDay, eventsPerFormat, type FormatCounts } from '../../store/inventory.js';
import { openStore, resolveDbPath } from '../../store/open-store.js';
import { storeOptionsFromEnvironment } from '../../store/store-key.js';
import { packageRoot } from '../../util/package-root.js';
import type { CommandResult, GlobalOptions } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { chooseFormat, renderDocument, renderRows } from '../output.js';
import { type IngestFilesResult, ingestSummaryText, runIngestFiles } from './ingest-files.js';

/** samples/ of the installed package, whatever the working directory. */
export const SAMPLES_DIR = join(packageRoot(), 'samples');

export interface DemoDetection {
  days_judged: number;
  detectors: number;
  failed_detectors: { detector: string; error: string }[];
  findings_by_severity: Record<string, number>;
  new_findings: number;
  coverage: IncidentCoverage;
}

export interface DemoResult {
  ingest: IngestFilesResult;
  per_format: FormatCounts[];
  per_day: DayCounts[];
  detection: DemoDetection;
  /** The compliance PDF written for the samples' period, when asked for. */
  report: {
    framework: string;
    path: string;
    pages: number;
    /** The hash chain recomputed for the report's period: intact, broken or not verified. */
    integrity: string;
    events_verified: number;
  } | null;
}

/** The framework of the demo's report: PCI DSS Requirement 10 covers logging and daily review. */
const DEMO_FRAMEWORK = 'pci_dss_v4.0';

/** The folders of samples/ that hold logs (its README and incidents list are not logs). */
function sampleLogFolders(samplesDir: string): string[] {
  return readdirSync(samplesDir)
    .map((name) => join(samplesDir, name))
    .filter((path) => statSync(path).isDirectory())
    .sort();
}

function readIncidents(samplesDir: string): KnownIncident[] {
  try {
    return JSON.parse(readFileSync(join(samplesDir, 'incidents.json'), 'utf8')) as KnownIncident[];
  } catch {
    return [];
  }
}

/**
 * Incidents name their key events by native id; Azure Activity exports have no per-record id, so
 * the samples cite the correlation id there. Map both to the stored event ids.
 */
async function resolveIncidentEvents(
  c: DuckDBConnection,
  incidents: KnownIncident[],
): Promise<KnownIncident[]> {
  const ids = incidents.flatMap((i) => i.event_ids);
  if (ids.length === 0) return incidents;
  const reader = await c.runAndReadAll(
    `select event_id, coalesce(raw->>'$.correlationId', raw->>'$.CorrelationId') as correlation_id
from events
where event_id in (select unnest($1::varchar[]))
  or coalesce(raw->>'$.correlationId', raw->>'$.CorrelationId') in (select unnest($1::varchar[]))`,
    [JSON.stringify(ids)],
  );
  const stored = new Map<string, string[]>();
  for (const [eventId, correlationId] of reader.getRows()) {
    for (const key of [String(eventId), correlationId === null ? null : String(correlationId)]) {
      if (key === null) continue;
      stored.set(key, [...(stored.get(key) ?? []), String(eventId)]);
    }
  }
  return incidents.map((i) => ({ ...i, event_ids: i.event_ids.flatMap((id) => stored.get(id) ?? [id]) }));
}

/**
 * Judges each day of the data in turn, as the nightly job would have: baselines then only see
 * earlier days, and detection_runs holds a review record for every day.
 */
async function detectDayByDay(dbPath: string, samplesDir: string): Promise<DemoDetection> {
  const library = loadDetectors();
  const config = loadConfig({}).config.detection;
  const store = await openStore({ path: dbPath, ...storeOptionsFromEnvironment() });
  try {
    const c = store.connection;
    const days = (
      await c.runAndReadAll(`select distinct strftime(event_time::date, '%Y-%m-%d') from events order by 1`)
    ).getRows();
    await restrictForDetection(c);
    const connections = await detectionConnections(store, config.parallel);
    const failed = new Map<string, string>();
    let newFindings = 0;
    for (const [day] of days) {
      const since = new Date(`${String(day)}T00:00:00Z`);
      const until = new Date(since.getTime() + 86_400_000);
      const result = await runDetection(c, {
        connections,
        detectors: library.detectors,
        problems: library.problems,
        config,
        since,
        until,
      });
      for (const o of result.outcomes) {
        newFindings += o.new_findings;
        if (o.error) failed.set(o.detector, o.error);
      }
    }
    const findings = await listFindings(c);
    const bySeverity: Record<string, number> = {};
    for (const f of findings) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
    const incidents = await resolveIncidentEvents(c, readIncidents(samplesDir));
    return {
      days_judged: days.length,
      detectors: library.detectors.length,
      failed_detectors: [...failed].map(([detector, error]) => ({ detector, error })),
      findings_by_severity: bySeverity,
      new_findings: newFindings,
      coverage: incidentCoverage(incidents, findings),
    };
  } finally {
    store.close();
  }
}

/** The nightly pipeline on the bundled samples: what `npm start` runs. */
export async function runDemo(
  dbPath: string,
  samplesDir: string,
  quiet: boolean,
  options: { report?: boolean } = {},
): Promise<DemoResult> {
  const ingest = await runIngestFiles(dbPath, sampleLogFolders(samplesDir), { quiet, command: 'demo' });
  const detection = await detectDayByDay(dbPath, samplesDir);
  const store = await openStore({ path: dbPath, readOnly: true, ...storeOptionsFromEnvironment() });
  try {
    const perDay = await eventsPerDay(store.connection);
    return {
      ingest,
      per_format: await eventsPerFormat(store.connection),
      per_day: perDay,
      detection,
      report: options.report === false ? null : await demoReport(store.connection, perDay),
    };
  } finally {
    store.close();
  }
}

/** The last step: the compliance PDF for the samples' days, in reports/out/ (git-ignored). */
async function demoReport(c: DuckDBConnection, perDay: DayCounts[]): Promise<DemoResult['report']> {
  const first = perDay[0]?.day;
  const last = perDay.at(-1)?.day;
  if (!first || !last) return null;
  const loaded = loadConfig({});
  const config = loaded.config.report;
  const signingKey = signingKeyFromConfig(loaded);
  const report = await computeReport(c, {
    framework: DEMO_FRAMEWORK,
    from: new Date(`${first}T00:00:00Z`),
    to: new Date(Date.parse(`${last}T00:00:00Z`) + 86_400_000),
    generatedAt: new Date(),
    organization: config.organization,
  });
  const written = await writeReport(report, 'pdf', defaultOutPath(report, 'pdf'), {
    maxFindingsPerDetector: config.max_findings_per_detector,
    signingKey,
  });
  return {
    framework: DEMO_FRAMEWORK,
    path: written.files[0] ?? '',
    pages: written.pdf?.pages ?? 0,
    integrity: report.store.verification.status,
    events_verified: report.store.verification.checked.events,
  };
}

function detectionText(d: DemoDetection): string {
  const severities = ['critical', 'high', 'medium', 'low', 'info']
    .filter((s) => d.findings_by_severity[s])
    .map((s) => `${d.findings_by_severity[s]} ${s}`)
    .join(', ');
  const total = Object.values(d.findings_by_severity).reduce((a, b) => a + b, 0);
  const incidents = d.coverage.found.length + d.coverage.missed.length;
  const lines = [
    `${d.detectors} detectors judged ${d.days_judged} days one at a time; ${d.new_findings} new findings this run`,
    `findings in the store: ${total}${severities ? ` (${severities})` : ''}`,
    `embedded incidents found: ${d.coverage.found.length} of ${incidents}`,
  ];
  for (const f of d.coverage.found) lines.push(`  found   ${f.incident}  <- ${f.detectors.join(', ')}`);
  for (const m of d.coverage.missed) lines.push(`  missed  ${m.incident}: ${m.title}`);
  const noisy = new Map<string, number>();
  for (const f of d.coverage.background) noisy.set(f.detector, (noisy.get(f.detector) ?? 0) + 1);
  lines.push(
    `findings on benign background activity: ${d.coverage.background.length}` +
      (noisy.size
        ? ` (${[...noisy]
            .sort((a, b) => b[1] - a[1])
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')})`
        : ''),
  );
  for (const f of d.failed_detectors) lines.push(`  detector failed: ${f.detector}: ${f.error}`);
  return `${lines.join('\n')}\n`;
}

function demoText(result: DemoResult): string {
  return [
    'auditlake demo: the nightly pipeline on samples/',
    '',
    '== ingest ==',
    ingestSummaryText(result.ingest),
    '== events by source and format ==',
    renderRows(result.per_format as unknown as Record<string, unknown>[], 'table'),
    '== events per day ==',
    renderRows(result.per_day as unknown as Record<string, unknown>[], 'table'),
    '== detection ==',
    detectionText(result.detection),
    ...(result.report
      ? [
          '== report ==',
          `${result.report.framework} compliance PDF (${result.report.pages} pages): ${result.report.path}`,
          `hash chain for its period, recomputed: ${result.report.integrity} (${result.report.events_verified} events)`,
          '',
        ]
      : []),
    'Try:',
    '  npx auditlake findings --severity critical,high',
    `  npx auditlake query "select actor, count(*) as events from events group by actor order by events desc limit 10"`,
    '',
  ].join('\n');
}

export function registerDemo(
  program: Command,
  globals: () => GlobalOptions,
  done: (r: CommandResult) => void,
): void {
  program
    .command('demo')
    .description('run the nightly pipeline on the bundled samples/ (what `npm start` does)')
    .option('--samples <dir>', 'sample directory', SAMPLES_DIR)
    .option('--format <format>', 'summary as table (text) or json')
    .action(async (opts: { samples: string; format?: string }) => {
      const format = chooseFormat(opts.format, true);
      const result = await runDemo(resolveDbPath(globals().db), opts.samples, format !== 'table');
      const clean = result.ingest.status === 'ok' && result.detection.failed_detectors.length === 0;
      done({
        output: renderDocument(result, format, () => demoText(result)),
        exitCode: clean ? EXIT.ok : EXIT.partial,
      });
    });
}
