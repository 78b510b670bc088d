import SVGtoPDF from 'svg-to-pdfkit';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { COLORS, CONTENT_WIDTH, type Layout, PAGE } from './pdf-layout.js';
import type { Report } from './report-model.js';
import { SEVERITY_ORDER } from './report-model.js';

/**
 * Charts as small Vega-Lite specs, compiled and rendered to SVG headless by Vega, then drawn as
 * vectors into the PDF by svg-to-pdfkit: crisp at any zoom, text still extractable, and the same
 * specs could feed a web view later.
 */

export interface Chart {
  title: string;
  svg: string | null;
  width: number;
  height: number;
}

const SOURCE_COLORS = { domain: ['aws', 'gcp', 'azure'], range: ['#ff9900', '#4285f4', '#0078d4'] };
const SEVERITY_COLORS = {
  domain: [...SEVERITY_ORDER],
  range: SEVERITY_ORDER.map((s) => COLORS[s]),
};

const CONFIG = {
  font: 'Helvetica',
  axis: { labelFontSize: 8, titleFontSize: 9, labelColor: '#333', titleColor: '#333', gridColor: '#e4e7eb' },
  legend: { labelFontSize: 8, titleFontSize: 9 },
  view: { stroke: null },
  background: 'white',
};

async function toSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const W = 430;

export async function buildCharts(report: Report): Promise<Record<string, Chart>> {
  const charts: Record<string, Chart> = {};
  const events = report.coverage.events_per_day;
  charts.eventsPerDay = {
    title: 'Events per day by source',
    width: W,
    height: 150,
    svg: events.length
      ? await toSvg({
          width: W,
          height: 150,
          config: CONFIG,
          data: { values: events },
          mark: { type: 'bar' },
          encoding: {
            x: { field: 'day', type: 'ordinal', title: null, axis: { labelAngle: -45 } },
            y: { field: 'events', type: 'quantitative', title: 'events', stack: 'zero' },
            color: { field: 'source', type: 'nominal', scale: SOURCE_COLORS, title: 'source' },
          },
        })
      : null,
  };
  const perDay = report.charts.findings_per_day;
  charts.findingsPerDay = {
    title: 'Findings per day by severity (first seen)',
    width: W,
    height: 140,
    svg: perDay.length
      ? await toSvg({
          width: W,
          height: 140,
          config: CONFIG,
          data: { values: perDay },
          mark: { type: 'bar' },
          encoding: {
            x: {
              field: 'day',
              type: 'ordinal',
              title: null,
              axis: { labelAngle: -45 },
              scale: { domain: report.period.days },
            },
            y: { field: 'findings', type: 'quantitative', title: 'findings', axis: { tickMinStep: 1 } },
            color: { field: 'severity', type: 'nominal', scale: SEVERITY_COLORS, title: 'severity' },
            order: { field: 'severity', sort: 'ascending' },
          },
        })
      : null,
  };
  const priv = report.charts.privileged_by_actor.map((p) => ({
    actor: p.actor.length > 48 ? `…${p.actor.slice(-47)}` : p.actor,
    events: p.events,
  }));
  charts.privileged = {
    title: 'Privileged actions by actor (top 10)',
    width: 280,
    height: Math.max(40, priv.length * 16),
    svg: priv.length
      ? await toSvg({
          width: 280,
          height: Math.max(40, priv.length * 16),
          config: CONFIG,
          data: { values: priv },
          mark: { type: 'bar', color: COLORS.accent },
          encoding: {
            y: { field: 'actor', type: 'nominal', sort: '-x', title: null, axis: { labelLimit: 220 } },
            x: { field: 'events', type: 'quantitative', title: 'events' },
          },
        })
      : null,
  };
  const hours = report.charts.activity_by_hour;
  charts.byHour = {
    title: 'Activity by hour of day (UTC)',
    width: W,
    height: 130,
    svg: hours.length
      ? await toSvg({
          width: W,
          height: 130,
          config: CONFIG,
          data: { values: hours },
          mark: { type: 'bar' },
          encoding: {
            x: {
              field: 'hour',
              type: 'ordinal',
              title: 'hour (UTC)',
              scale: { domain: [...Array(24).keys()] },
            },
            y: { field: 'events', type: 'quantitative', title: 'events' },
            color: { field: 'source', type: 'nominal', scale: SOURCE_COLORS, title: 'source' },
          },
        })
      : null,
  };
  return charts;
}

/** The SVG's own size in points (Vega writes width/height attributes in px). */
function svgSize(svg: string): { width: number; height: number } {
  const w = /<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1];
  const h = /<svg[^>]*\sheight="([\d.]+)"/.exec(svg)?.[1];
  return { width: Number(w ?? 500), height: Number(h ?? 200) };
}

export function drawChart(layout: Layout, chart: Chart): void {
  const doc = layout.doc;
  if (!chart.svg) {
    layout.subheading(chart.title);
    layout.paragraph('No data in the period.', { color: COLORS.muted });
    return;
  }
  const size = svgSize(chart.svg);
  const scale = Math.min(1, CONTENT_WIDTH / size.width);
  const width = size.width * scale;
  const height = size.height * scale;
  layout.ensure(height + 30);
  layout.subheading(chart.title);
  const y = doc.y;
  SVGtoPDF(doc, chart.svg, PAGE.margin, y, {
    width,
    height,
    assumePt: true,
    preserveAspectRatio: 'xMinYMin meet',
  });
  doc.y = y + height + 10;
  doc.x = PAGE.margin;
}
