import { createHash } from 'node:crypto';
import { buildCharts, drawChart } from './pdf-charts.js';
import { COLORS, CONTENT_WIDTH, type Column, colorOf, Layout, PAGE, type Row, safe } from './pdf-layout.js';
import { renderFindingsCsv } from './render-csv.js';
import type { ControlResult, Report, ReportFinding } from './report-model.js';
import { CONTROL_STATUSES, chainBreakText, SEVERITY_ORDER } from './report-model.js';

/**
 * The PDF: cover, contents, executive summary, evidence coverage, review record, controls,
 * findings, activity charts, evidence queries and appendix. Layout only: every number comes from
 * the computed Report. Past `maxFindingsPerDetector` a detector's findings are listed only in the
 * attached CSV (named and hashed in the text), so a noisy month stays a readable document.
 */

export interface PdfOptions {
  maxFindingsPerDetector: number;
}

export interface PdfResult {
  pdf: Buffer;
  pages: number;
  attachment: { name: string; sha256: string; rows: number } | null;
}

const short = (hash: string | null | undefined, n = 12): string => (hash ? hash.slice(0, n) : '');
const day = (iso: string | null | undefined): string => (iso ? iso.slice(0, 10) : '');
const time = (iso: string | null | undefined): string =>
  iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : '';
const periodText = (r: Report): string =>
  `${day(r.period.from)} to ${day(new Date(Date.parse(r.period.to) - 1).toISOString())} (${r.period.days.length} days, UTC)`;

/** Consecutive days as ranges: 2026-11-01..2026-11-03, 2026-11-07. */
export function dayRanges(days: readonly string[]): string {
  const out: string[] = [];
  let start: string | null = null;
  let prev: string | null = null;
  const next = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  for (const d of [...days].sort()) {
    if (start && prev && next(prev) === d) {
      prev = d;
      continue;
    }
    if (start) out.push(start === prev ? start : `${start}..${prev}`);
    start = d;
    prev = d;
  }
  if (start) out.push(start === prev ? start : `${start}..${prev}`);
  return out.join(', ');
}

function verificationText(v: Report['store']['verification']): string {
  const days = `${v.range.from ?? 'the first day'} to ${v.range.to ?? 'the last'}`;
  if (v.status === 'not verified') {
    return `Chain not verified for this report (made with --no-verify): run \`auditlake verify --from ${v.range.from ?? '...'} --to ${v.range.to ?? '...'}\`.`;
  }
  const count = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
  const checked = `${count(v.checked.events, 'event')} of ${days} and ${count(v.checked.batches, 'chain link')}`;
  if (v.status === 'intact')
    return `Verified when this report was made: ${checked} recompute to their committed digests.`;
  const first = v.first_break ? chainBreakText(v.first_break) : 'see auditlake verify';
  return `CHAIN BROKEN when this report was made (${count(v.problems_total, 'problem')} over ${checked}): ${first}. Stored events changed, vanished or appeared after they were chained; \`auditlake verify\` lists them.`;
}

function cover(l: Layout, r: Report): void {
  const doc = l.doc;
  doc.rect(0, 0, PAGE.width, 230).fill(COLORS.accent);
  doc
    .font('Helvetica')
    .fontSize(11)
    .fillColor('#ffffff')
    .text('COMPLIANCE REPORT FROM CLOUD AUDIT LOGS', PAGE.margin, 70);
  doc
    .font('Helvetica-Bold')
    .fontSize(24)
    .text(safe(`${r.framework.name} ${r.framework.version}`), PAGE.margin, 95, { width: CONTENT_WIDTH });
  doc
    .font('Helvetica')
    .fontSize(12)
    .text(safe(r.framework.title), PAGE.margin, doc.y + 6, { width: CONTENT_WIDTH });
  doc.y = 265;
  doc
    .font('Helvetica-Bold')
    .fontSize(18)
    .fillColor(COLORS.text)
    .text(safe(r.organization), PAGE.margin, doc.y);
  doc.moveDown(1);
  const sources = r.store.sources
    .map(
      (s) =>
        `${s.source} (${s.formats.join(', ') || 'no events'}; ${s.accounts} account${s.accounts === 1 ? '' : 's'}; ${s.events.toLocaleString('en-US')} events)`,
    )
    .join('\n');
  l.fields(
    [
      [
        'Framework',
        `${r.framework.name} version ${r.framework.version} (${r.framework.key})${r.framework.crosswalk_of ? `, crosswalk to ${r.framework.crosswalk_of}` : ''}`,
      ],
      ['Publisher', r.framework.publisher],
      ['Period', periodText(r)],
      ['Generated', time(r.generated_at)],
      ['Sources covered', sources || 'none: the store holds no events for this period'],
      ['Events', `${r.store.digest.events.toLocaleString('en-US')} in the period`],
    ],
    120,
  );
  doc.moveDown(0.6);
  l.subheading('Store integrity digest for the period (hash chain root)');
  l.mono(`${r.store.digest.algorithm}:${r.store.digest.value}`, 9);
  const asOf = r.store.digest.as_of_batch_id;
  l.paragraph(
    `${asOf === null ? 'The chain is empty.' : `As of chain batch ${asOf}.`} ${r.store.digest.method}`,
    { color: COLORS.muted, size: 8 },
  );
  const v = r.store.verification;
  l.paragraph(verificationText(v), {
    color: v.status === 'broken' ? COLORS.findings : v.status === 'intact' ? COLORS.satisfied : COLORS.muted,
    size: 9,
  });
  l.paragraph(
    r.appendix.signing
      ? `Signed with Ed25519 key ${r.appendix.signing.key_fingerprint} (appendix "Signature").`
      : 'Not signed: no report signing key was configured (appendix "Signature").',
    { color: COLORS.muted, size: 8 },
  );
  doc.y = PAGE.height - 150;
  l.paragraph(
    "Prepared by auditlake from the organisation's own audit log store. Control titles and requirements are paraphrases; " +
      "consult the framework's official text for the authoritative wording. Every number can be reproduced with " +
      '`auditlake query` (see the appendix).',
    { color: COLORS.muted, size: 8 },
  );
}

function statusCell(status: string): Row[number] {
  return { text: status, color: colorOf(status), bold: true };
}

function severityCell(severity: string): Row[number] {
  return { text: severity.toUpperCase(), color: colorOf(severity), bold: true };
}

function executiveSummary(l: Layout, r: Report): void {
  l.heading('Executive summary', 1);
  for (const s of r.summary.statements) l.paragraph(s);
  l.doc.moveDown(0.3);
  // Status tiles.
  const doc = l.doc;
  const w = (CONTENT_WIDTH - 3 * 8) / 4;
  const y = doc.y;
  CONTROL_STATUSES.forEach((status, i) => {
    const x = PAGE.margin + i * (w + 8);
    doc.roundedRect(x, y, w, 52, 4).fill(colorOf(status));
    doc
      .font('Helvetica-Bold')
      .fontSize(20)
      .fillColor('#ffffff')
      .text(String(r.summary.controls[status]), x, y + 8, { width: w, align: 'center' });
    doc
      .font('Helvetica')
      .fontSize(8.5)
      .text(`controls ${status}`, x, y + 34, { width: w, align: 'center' });
  });
  doc.y = y + 66;
  l.body();
  l.subheading('Findings by severity, against the previous period of equal length');
  l.table(
    [
      { header: 'Severity', width: 120 },
      { header: `This period`, width: 110, align: 'right' },
      {
        header: `Previous (${day(r.period.previous.from)} to ${day(new Date(Date.parse(r.period.previous.to) - 1).toISOString())})`,
        width: 150,
        align: 'right',
      },
      { header: 'Change', width: 115, align: 'right' },
    ],
    SEVERITY_ORDER.map((s) => {
      const now = r.summary.findings[s];
      const before = r.summary.previous_findings[s];
      const delta = now - before;
      return [
        severityCell(s),
        String(now),
        String(before),
        delta === 0 ? '=' : delta > 0 ? `+${delta}` : String(delta),
      ];
    }),
  );
  l.subheading('Most important open risks');
  if (r.summary.top_risks.length === 0)
    l.paragraph('No open findings in the period.', { color: COLORS.muted });
  else
    l.table(
      [
        { header: 'Severity', width: 55 },
        { header: 'Finding', width: 185 },
        { header: 'Actor', width: 130 },
        { header: 'Events', width: 40, align: 'right' },
        { header: 'Last seen', width: 85 },
      ],
      r.summary.top_risks.map((t) => [
        severityCell(t.severity),
        `${t.title} (${t.finding_id})`,
        t.actor ?? '',
        String(t.count),
        time(t.last_seen),
      ]),
      { maxLines: 2 },
    );
}

function coverageSection(l: Layout, r: Report, charts: Awaited<ReturnType<typeof buildCharts>>): void {
  l.heading('Evidence coverage', 1);
  l.paragraph(
    'Which logs the store holds for the period, per source and per log stream (source, format, account, and region for AWS). ' +
      'A day without a single event from a stream is a silent day: for PCI DSS 10.7 and the CIS logging controls it is itself an exception, ' +
      'since a logging failure looks exactly like this.',
  );
  l.table(
    [
      { header: 'Source', width: 55 },
      { header: 'Formats', width: 150 },
      { header: 'Accounts', width: 55, align: 'right' },
      { header: 'Events', width: 70, align: 'right' },
      { header: 'First / last event', width: 165 },
    ],
    r.store.sources.map((s) => [
      { text: s.source, bold: true },
      s.missing
        ? { text: 'MISSING: no events in the period', color: COLORS.findings, bold: true }
        : s.formats.join(', '),
      String(s.accounts),
      s.events.toLocaleString('en-US'),
      s.first_event ? `${time(s.first_event)} / ${time(s.last_event)}` : '',
    ]),
  );
  drawChart(l, charts.eventsPerDay ?? { title: 'Events per day', svg: null, width: 0, height: 0 });
  l.subheading(`Log streams: ${r.coverage.streams.length}, silent stream-days: ${r.coverage.gap_count}`);
  if (r.coverage.streams.length === 0)
    l.paragraph('No log stream delivered events in the period or the 30 days before it.', {
      color: COLORS.findings,
    });
  else
    l.table(
      [
        { header: 'Source / format', width: 90 },
        { header: 'Account', width: 135, mono: true },
        { header: 'Region', width: 60 },
        { header: 'Events', width: 50, align: 'right' },
        { header: 'Days', width: 35, align: 'right' },
        { header: 'Silent days', width: 125 },
      ],
      r.coverage.streams.map((s) => [
        `${s.source} / ${s.format}`,
        s.account || '(none)',
        s.region ?? '',
        s.events.toLocaleString('en-US'),
        `${s.days_with_data}/${r.period.days.length}`,
        s.gap_days.length
          ? {
              text: `${dayRanges(s.gap_days)}${s.low_volume ? ' (low-volume stream)' : ''}`,
              color: COLORS.findings,
            }
          : { text: 'none', color: COLORS.satisfied },
      ]),
      { maxLines: 3 },
    );
}

function reviewSection(l: Layout, r: Report): void {
  l.heading('Record of log review', 1);
  const rv = r.review;
  l.paragraph(
    `For each day of the period: the data reviewed (events and accounts per source, silent streams), the detection runs that judged it ` +
      `(window, run ids, number of detectors, failures), and what they raised. ${rv.days_reviewed} of ${r.period.days.length} days were reviewed` +
      (rv.days_not_reviewed.length
        ? `; not reviewed: ${dayRanges(rv.days_not_reviewed)} (gaps in review).`
        : '.'),
  );
  l.table(
    [
      { header: 'Day', width: 58 },
      { header: 'Data reviewed (events / accounts)', width: 128 },
      { header: 'Review window', width: 82 },
      { header: 'Detectors\nrun / failed', width: 52, align: 'right' },
      { header: 'Runs', width: 42 },
      { header: 'New\nfindings', width: 40, align: 'right' },
      { header: 'Silent streams', width: 93 },
    ],
    rv.days.map((d) => [
      { text: d.day, bold: true, color: d.reviewed ? COLORS.text : COLORS.findings },
      d.sources.length
        ? d.sources.map((s) => `${s.source} ${s.events.toLocaleString('en-US')} / ${s.accounts}`).join(', ')
        : { text: 'no events', color: COLORS.findings },
      d.reviewed
        ? `${time(d.window_start).slice(5, 16)} - ${time(d.window_end).slice(5, 16)}`
        : { text: 'NOT REVIEWED', color: COLORS.findings, bold: true },
      `${d.detectors_run} / ${d.detectors_failed.length}`,
      d.runs.length ? d.runs.join(', ') : '',
      String(d.new_findings),
      d.gaps.length ? { text: d.gaps.join(', '), color: COLORS.findings } : 'none',
    ]),
    { size: 7.5, maxLines: 3 },
  );
  const failed = [...new Set(rv.days.flatMap((d) => d.detectors_failed))];
  if (failed.length)
    l.paragraph(`Detectors that failed on some day: ${failed.join(', ')}.`, { color: COLORS.findings });
  l.subheading('Dispositions of exceptions');
  if (rv.dispositions.length === 0) {
    l.paragraph(
      'No finding was acknowledged, suppressed or resolved: every exception raised is still open.',
      { color: COLORS.muted },
    );
  } else
    l.table(
      [
        { header: 'When', width: 85 },
        { header: 'Finding', width: 75, mono: true },
        { header: 'Change', width: 95 },
        { header: 'By', width: 80 },
        { header: 'Why', width: 160 },
      ],
      rv.dispositions.map((d) => [
        time(d.at),
        d.finding_id,
        `${d.from_status ?? 'new'} -> ${d.to_status}`,
        d.by,
        d.reason ?? '',
      ]),
      { maxLines: 3 },
    );
}

function evidenceText(c: ControlResult): string {
  const parts: string[] = [];
  if (c.detectors.length) parts.push(`${c.detectors.length} detector${c.detectors.length === 1 ? '' : 's'}`);
  for (const k of c.checks) parts.push(`${k.name}: ${k.status}`);
  if (c.queries.length) parts.push(`queries: ${c.queries.join(', ')}`);
  return parts.join('; ') || 'none';
}

function countsText(c: ControlResult): string {
  const parts = SEVERITY_ORDER.filter((s) => c.findings[s] > 0).map((s) => `${c.findings[s]} ${s}`);
  return parts.join(', ');
}

function controlsSection(l: Layout, r: Report): void {
  l.heading('Controls', 1);
  l.paragraph(
    `${r.controls.length} controls of ${r.framework.name} ${r.framework.version}. Status for the period: satisfied (evidence present, nothing found), ` +
      'findings (exceptions found), no evidence (a source, detector run, check or query it needs is missing), not applicable (audit logs cannot show it).',
  );
  l.table(
    [
      { header: 'Control', width: 62, mono: true },
      { header: 'Title', width: 150 },
      { header: 'Status', width: 62 },
      { header: 'Findings', width: 78 },
      { header: 'Evidence', width: 143 },
    ],
    r.controls.map((c) => [
      c.id,
      c.maps_to.length ? `${c.title} (= ${c.maps_to.join(', ')})` : c.title,
      statusCell(c.status),
      countsText(c) || (c.suppressed ? `${c.suppressed} suppressed` : ''),
      c.status === 'not applicable' ? 'n/a' : evidenceText(c),
    ]),
    { maxLines: 3, size: 7.5 },
  );
  const byId = new Map(r.findings.map((f) => [f.id, f]));
  for (const c of r.controls) {
    const detailed = c.status === 'findings' || c.status === 'no evidence' || c.review;
    if (!detailed) continue;
    l.heading(`${c.id} ${c.title}`, 2);
    l.fields([
      ['Requirement', c.requirement],
      ['Status', `${c.status}: ${c.reason}`],
      ['Maps to', c.maps_to.length ? c.maps_to.join(', ') : null],
    ]);
    if (c.review) {
      const rv = r.review;
      l.paragraph(
        `Review record (section "Record of log review"): ${rv.days_reviewed} of ${r.period.days.length} days reviewed by automated detection runs` +
          `${rv.days_not_reviewed.length ? `, not reviewed: ${dayRanges(rv.days_not_reviewed)}` : ''}; ` +
          `${rv.detectors.filter((d) => d.days_run > 0).length} detectors in force (versions in the appendix); ` +
          `${rv.dispositions.length} disposition${rv.dispositions.length === 1 ? '' : 's'} recorded.`,
        { color: COLORS.accent },
      );
    }
    for (const k of c.checks) l.fields([[`Check ${k.name}`, `${k.status}: ${k.detail}`]]);
    if (c.detectors.length) {
      l.fields([
        [
          'Detectors',
          c.detectors
            .map(
              (d) =>
                `${d.id} (${d.ran ? `${d.findings} finding${d.findings === 1 ? '' : 's'}` : 'DID NOT RUN'})`,
            )
            .join(', '),
        ],
      ]);
    }
    const queries = r.queries.filter((q) => c.queries.includes(q.id));
    if (queries.length)
      l.fields([
        [
          'Queries',
          queries.map((q) => `${q.id} (${q.error ? `failed: ${q.error}` : `${q.rows} rows`})`).join(', '),
        ],
      ]);
    const list = c.finding_ids.flatMap((id) => {
      const f = byId.get(id);
      return f ? [f] : [];
    });
    if (list.length) {
      l.table(
        [
          { header: 'Finding', width: 75, mono: true },
          { header: 'Severity', width: 50 },
          { header: 'Title', width: 170 },
          { header: 'Actor', width: 130 },
          { header: 'Status', width: 70 },
        ],
        list.slice(0, 30).map((f) => [f.id, severityCell(f.severity), f.title, f.actor ?? '', f.status]),
        { maxLines: 2, size: 7.5 },
      );
      if (list.length > 30)
        l.paragraph(`${list.length - 30} more in the Findings section and the CSV attachment.`, {
          color: COLORS.muted,
        });
    }
  }
}

function findingBlock(l: Layout, f: ReportFinding): void {
  const doc = l.doc;
  l.ensure(120);
  const y = doc.y;
  doc.rect(PAGE.margin, y, 3, 14).fill(colorOf(f.severity));
  doc
    .font('Helvetica-Bold')
    .fontSize(10)
    .fillColor(COLORS.text)
    .text(safe(`${f.title}`), PAGE.margin + 8, y + 1, {
      width: CONTENT_WIDTH - 110,
      lineBreak: false,
      ellipsis: true,
    });
  doc
    .font('Courier')
    .fontSize(8)
    .fillColor(COLORS.muted)
    .text(f.id, PAGE.margin + CONTENT_WIDTH - 100, y + 3, { width: 100, align: 'right' });
  doc.y = y + 18;
  l.fields(
    [
      ['What happened', f.summary ?? f.title],
      ['Who', f.actor],
      ['When', `${time(f.first_seen)} to ${time(f.last_seen)} (${f.count} event${f.count === 1 ? '' : 's'})`],
      [
        'Where from',
        [
          f.source_ip && `address ${f.source_ip}`,
          f.account && `account ${f.account}`,
          f.region && `region ${f.region}`,
        ]
          .filter(Boolean)
          .join(', '),
      ],
      ['Resource', f.resource],
      ['Detector', `${f.detector} (version ${short(f.detector_version)}), controls ${f.controls.join(', ')}`],
      [
        'State',
        `${f.status}${f.status_by ? ` by ${f.status_by}` : ''} at ${time(f.status_at)}${f.status_reason ? `: ${f.status_reason}` : ''}`,
      ],
      ['Remediation', f.remediation],
    ],
    90,
  );
  if (f.evidence.length) {
    l.table(
      [
        { header: 'Event time', width: 95 },
        { header: 'Action', width: 120 },
        { header: 'Actor', width: 150 },
        { header: 'Source IP', width: 75 },
        { header: 'Outcome', width: 55 },
      ],
      f.evidence.map((e) => [
        time(e.event_time),
        e.action ?? '',
        e.actor ?? '',
        e.source_ip ?? '',
        e.outcome,
      ]),
      { size: 7, maxLines: 1 },
    );
    if (f.evidence_total > f.evidence.length) {
      doc.moveUp(0.4);
      l.paragraph(
        `${f.evidence.length} of ${f.evidence_total} evidence events shown; all are in finding_evidence.`,
        { color: COLORS.muted, size: 7.5 },
      );
    }
  }
  const moves = f.history.filter((h) => h.from_status !== null);
  if (moves.length) {
    l.paragraph(
      `Lifecycle: ${moves.map((h) => `${time(h.at)} ${h.from_status} -> ${h.to_status} by ${h.by}${h.reason ? ` (${h.reason})` : ''}`).join('; ')}`,
      {
        size: 8,
        color: COLORS.muted,
      },
    );
  }
  doc.moveDown(0.5);
}

function findingsSection(
  l: Layout,
  r: Report,
  options: PdfOptions,
  attachment: PdfResult['attachment'],
): void {
  l.heading('Findings', 1);
  const active = r.findings.filter((f) => f.status !== 'suppressed');
  l.paragraph(
    `${active.length} finding${active.length === 1 ? '' : 's'} active in the period, grouped by severity, then detector. ` +
      `At most ${options.maxFindingsPerDetector} per detector are described here` +
      (attachment
        ? `; every finding is in the attached file ${attachment.name} (${attachment.rows} rows, sha256 ${attachment.sha256}).`
        : '.'),
  );
  for (const severity of SEVERITY_ORDER) {
    const list = active.filter((f) => f.severity === severity);
    if (list.length === 0) continue;
    l.heading(`${severity[0]?.toUpperCase()}${severity.slice(1)} findings (${list.length})`, 2);
    const byDetector = new Map<string, ReportFinding[]>();
    for (const f of list) byDetector.set(f.detector, [...(byDetector.get(f.detector) ?? []), f]);
    for (const [detector, fs] of [...byDetector].sort((a, b) => a[0].localeCompare(b[0]))) {
      const shown = fs.slice(0, options.maxFindingsPerDetector);
      for (const f of shown) findingBlock(l, f);
      if (fs.length > shown.length) {
        l.paragraph(
          `${fs.length - shown.length} more ${detector} findings are listed only in ${attachment?.name ?? 'the CSV attachment'}.`,
          { color: COLORS.findings },
        );
      }
    }
  }
  const suppressed = r.findings.filter((f) => f.status === 'suppressed');
  l.heading(`Suppressed findings (${suppressed.length})`, 2);
  if (suppressed.length === 0) l.paragraph('None.', { color: COLORS.muted });
  else
    l.table(
      [
        { header: 'Finding', width: 75, mono: true },
        { header: 'Detector', width: 110 },
        { header: 'Suppressed by', width: 85 },
        { header: 'Why', width: 150 },
        { header: 'Until', width: 75 },
      ],
      suppressed.map((f) => [
        f.id,
        f.detector,
        f.suppression?.by ?? (f.suppression?.rule ? `rule #${f.suppression.rule}` : ''),
        f.suppression?.reason ?? '',
        f.suppression?.until ? day(f.suppression.until) : 'no expiry',
      ]),
      { maxLines: 3 },
    );
}

function activitySection(l: Layout, charts: Awaited<ReturnType<typeof buildCharts>>): void {
  l.heading('Activity', 1);
  for (const key of ['findingsPerDay', 'privileged', 'byHour'] as const) {
    const chart = charts[key];
    if (chart) drawChart(l, chart);
  }
}

function queriesSection(l: Layout, r: Report): void {
  l.heading('Evidence queries', 1);
  l.paragraph(
    "Queries the framework's controls cite, run over the period. The SQL of each is in the appendix.",
  );
  for (const q of r.queries) {
    l.subheading(`${q.id}: ${q.title}`);
    if (q.error) {
      l.paragraph(`Failed: ${q.error}`, { color: COLORS.findings });
      continue;
    }
    if (q.rows === 0) {
      l.paragraph('No rows.', { color: COLORS.muted });
      continue;
    }
    const cols = q.columns.slice(0, 6);
    const width = CONTENT_WIDTH / cols.length;
    l.table(
      cols.map((c) => ({ header: c, width })),
      q.sample.map((row) => cols.map((c) => (row[c] === null || row[c] === undefined ? '' : String(row[c])))),
      { size: 7, maxLines: 2 },
    );
    if (q.rows > q.sample.length)
      l.paragraph(`${q.sample.length} of ${q.rows} rows shown.`, { color: COLORS.muted, size: 8 });
  }
}

/** What retention is in force: the configured policy, and how far pruning has gone. */
export function retentionPolicyText(retention: Report['store']['retention']): string {
  const policy =
    retention.policy_days === null
      ? 'none configured: events are kept indefinitely'
      : `events older than ${retention.policy_days} days are pruned (retention.events); findings and reports are never pruned`;
  return retention.pruned_through === null
    ? `${policy}; no events pruned so far`
    : `${policy}; events pruned through ${retention.pruned_through} (their day roots stay in the hash chain)`;
}

function appendix(l: Layout, r: Report, attachment: PdfResult['attachment']): void {
  l.heading('Appendix', 1);
  l.subheading('Method');
  l.bullets([...r.appendix.method, ...r.appendix.notes]);
  l.heading('Detectors in force', 2);
  const detectors: Column[] = [
    { header: 'Detector', width: 160 },
    { header: 'Severity', width: 50 },
    { header: 'Version(s) run', width: 120, mono: true },
    { header: 'Days run', width: 45, align: 'right' },
    { header: 'Failed', width: 40, align: 'right' },
    { header: 'Controls', width: 80 },
  ];
  l.table(
    detectors,
    r.review.detectors.map((d) => [
      d.id,
      severityCell(d.severity),
      d.versions.length
        ? d.versions.map((v) => short(v)).join(' ')
        : { text: 'never ran', color: COLORS.findings },
      String(d.days_run),
      d.failed_runs ? { text: String(d.failed_runs), color: COLORS.findings } : '0',
      d.controls.join(', '),
    ]),
    { size: 7.5, maxLines: 2 },
  );
  l.heading('Suppressions', 2);
  if (r.appendix.suppressions.length === 0)
    l.paragraph('No finding of the period is suppressed.', { color: COLORS.muted });
  else
    l.table(
      [
        { header: 'Finding', width: 75, mono: true },
        { header: 'Detector', width: 120 },
        { header: 'By', width: 80 },
        { header: 'Reason', width: 150 },
        { header: 'Until', width: 70 },
      ],
      r.appendix.suppressions.map((s) => [
        s.finding_id,
        s.detector,
        s.by ?? (s.rule ? `rule #${s.rule}` : ''),
        s.reason ?? '',
        s.until ? day(s.until) : 'no expiry',
      ]),
      { maxLines: 3 },
    );
  l.heading('Data sources and checkpoints', 2);
  l.table(
    [
      { header: 'Connector', width: 120 },
      { header: 'Origins (files, buckets, APIs)', width: 170, align: 'right' },
      { header: 'Last checkpoint', width: 205 },
    ],
    r.store.checkpoints.map((c) => [c.source, String(c.origins), time(c.last_update)]),
  );
  l.fields([
    [
      'Retention',
      `oldest event ${r.store.retention.oldest_event ? time(r.store.retention.oldest_event) : 'none'}; ${r.store.retention.days_held} days held, ${r.store.retention.days_required} required`,
    ],
    ['Retention policy', retentionPolicyText(r.store.retention)],
    [
      'Attachment',
      attachment ? `${attachment.name}: ${attachment.rows} findings, sha256 ${attachment.sha256}` : 'none',
    ],
  ]);
  signatureSection(l, r);
  l.heading('Reproducing the numbers', 2);
  l.paragraph(
    'Each statement below runs as-is against the store: auditlake query "<SQL>" (or -f FILE), read-only.',
  );
  for (const q of r.appendix.reproduce) {
    l.subheading(q.what);
    l.mono(q.sql, 7);
  }
}

function signatureSection(l: Layout, r: Report): void {
  l.heading('Signature', 2);
  const signing = r.appendix.signing;
  if (!signing) {
    l.paragraph(
      'This report is not signed: no report signing key was configured (report.signing in auditlake.yaml), ' +
        'so `auditlake verify-report` cannot show that it is the document auditlake wrote.',
      { color: COLORS.findings },
    );
    return;
  }
  l.paragraph(
    'auditlake signed this file with the Ed25519 key below; the signature is in the file of the same name ' +
      'with ".sig" appended (a JSON report carries it as its "signature" member). Check it with ' +
      '`auditlake verify-report FILE --public-key KEY.pub.pem`, using a public key obtained from the organisation ' +
      'by another channel: the key printed here only shows which key the signer claims.',
  );
  l.fields([['Algorithm', 'Ed25519 (RFC 8032)']]);
  l.subheading('Public key fingerprint (sha256 of the DER public key)');
  l.mono(signing.key_fingerprint, 8);
  l.subheading('Public key');
  l.mono(signing.public_key.trim(), 8);
}

export async function renderPdf(report: Report, options: PdfOptions): Promise<PdfResult> {
  const generated = new Date(report.generated_at);
  const charts = await buildCharts(report);
  const l = new Layout({
    title: `${report.framework.name} ${report.framework.version} report: ${report.organization}`,
    author: report.organization,
    subject: `${report.framework.title}, ${periodText(report)}`,
    keywords: `audit logs, compliance, ${report.framework.key}`,
    date: generated,
  });
  let attachment: PdfResult['attachment'] = null;
  if (report.findings.length > 0) {
    const csv = Buffer.from(renderFindingsCsv(report.findings), 'utf8');
    attachment = {
      name: `findings-${report.framework.key}-${day(report.period.from)}.csv`,
      sha256: createHash('sha256').update(csv).digest('hex'),
      rows: report.findings.length,
    };
    l.doc.file(csv, {
      name: attachment.name,
      type: 'text/csv',
      description: 'Every finding of the report period',
      creationDate: generated,
      modifiedDate: generated,
    });
  }
  cover(l, report);
  l.newPage(); // reserved for the table of contents
  const tocPage = l.pageIndex();
  l.newPage();
  executiveSummary(l, report);
  coverageSection(l, report, charts);
  reviewSection(l, report);
  controlsSection(l, report);
  findingsSection(l, report, options, attachment);
  activitySection(l, charts);
  queriesSection(l, report);
  appendix(l, report, attachment);
  const pages = l.doc.bufferedPageRange().count;
  l.tableOfContents(tocPage);
  l.furniture(
    `${report.organization} - ${report.framework.name} ${report.framework.version} - ${periodText(report)}`,
  );
  return { pdf: await l.toBuffer(), pages, attachment };
}
