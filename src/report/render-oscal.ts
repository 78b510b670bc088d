import { createHash } from 'node:crypto';
import type { ControlResult, Report } from './report-model.js';

/**
 * OSCAL Assessment Results (1.1.2) JSON: one result for the period, a finding per control (its
 * status as the objective's state) and an observation per auditlake finding and per control.
 * UUIDs are derived from the content (name-based, version 5 layout) so the same report gives the
 * same document.
 */

export const OSCAL_VERSION = '1.1.2';

function uuidFrom(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('\u0000')).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** NIST-style control ids in OSCAL catalogs are lower case with dots for enhancements (ac-2.7). */
export function oscalControlId(framework: string, id: string): string {
  if (framework.startsWith('nist_')) return id.toLowerCase().replace(/\((\d+)\)/g, '.$1');
  return id
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-|-$/g, '');
}

function state(c: ControlResult): 'satisfied' | 'not-satisfied' {
  return c.status === 'satisfied' || c.status === 'not applicable' ? 'satisfied' : 'not-satisfied';
}

export function renderOscal(report: Report): string {
  const key = report.framework.key;
  const base = [key, report.period.from, report.period.to, report.store.digest.value];
  const findingObs = report.findings.map((f) => ({
    uuid: uuidFrom(...base, 'finding', f.id),
    title: f.title,
    description: f.summary ?? f.title,
    methods: ['AUTOMATED'],
    types: ['finding'],
    props: [
      { name: 'severity', ns: 'https://auditlake.dev/ns/oscal', value: f.severity },
      { name: 'status', ns: 'https://auditlake.dev/ns/oscal', value: f.status },
      { name: 'detector', ns: 'https://auditlake.dev/ns/oscal', value: f.detector },
    ],
    subjects: f.actor
      ? [{ 'subject-uuid': uuidFrom('actor', f.actor), type: 'party', title: f.actor }]
      : undefined,
    'relevant-evidence': [
      {
        description: `${f.count} event(s) from ${f.first_seen} to ${f.last_seen}; evidence ids: ${f.evidence
          .map((e) => e.event_id)
          .join(', ')}`,
      },
    ],
    collected: f.last_seen,
  }));
  const obsByFinding = new Map(report.findings.map((f, i) => [f.id, findingObs[i]?.uuid ?? '']));
  const controlObs = report.controls.map((c) => ({
    uuid: uuidFrom(...base, 'control', c.id),
    title: `${c.id} ${c.title}`,
    description: `${c.status}: ${c.reason}`,
    methods: ['AUTOMATED'],
    types: ['control-objective'],
    'relevant-evidence': [
      ...c.checks.map((k) => ({ description: `check ${k.name}: ${k.status} (${k.detail})` })),
      ...c.detectors.map((d) => ({
        description: `detector ${d.id}: ${d.ran ? 'ran' : 'did not run'}, ${d.findings} finding(s)`,
      })),
    ],
    collected: report.generated_at,
  }));
  const findings = report.controls.map((c, i) => ({
    uuid: uuidFrom(...base, 'control-finding', c.id),
    title: `${c.id} ${c.title}`,
    description: c.requirement,
    target: {
      type: 'objective-id',
      'target-id': oscalControlId(key, c.id),
      status: {
        state: state(c),
        ...(c.status === 'not applicable' ? { reason: 'not-applicable' } : {}),
        remarks: `${c.status}: ${c.reason}`,
      },
    },
    'related-observations': [
      { 'observation-uuid': controlObs[i]?.uuid ?? '' },
      ...c.finding_ids.map((id) => ({ 'observation-uuid': obsByFinding.get(id) ?? '' })),
    ],
  }));
  const document = {
    'assessment-results': {
      uuid: uuidFrom(...base, 'assessment-results'),
      metadata: {
        title: `${report.framework.title}: ${report.organization}, ${report.period.from.slice(0, 10)} to ${report.period.to.slice(0, 10)}`,
        'last-modified': report.generated_at,
        version: report.store.digest.value.slice(0, 16),
        'oscal-version': OSCAL_VERSION,
        parties: [
          { uuid: uuidFrom('party', report.organization), type: 'organization', name: report.organization },
        ],
      },
      'import-ap': { href: `#${key}` },
      results: [
        {
          uuid: uuidFrom(...base, 'result'),
          title: `${report.framework.name} ${report.framework.version} assessment from audit logs`,
          description: report.summary.statements.join(' '),
          start: report.period.from,
          end: report.period.to,
          props: [
            { name: 'store-digest', ns: 'https://auditlake.dev/ns/oscal', value: report.store.digest.value },
          ],
          'reviewed-controls': {
            'control-selections': [
              {
                'include-controls': report.controls.map((c) => ({ 'control-id': oscalControlId(key, c.id) })),
              },
            ],
          },
          observations: [...controlObs, ...findingObs],
          findings,
        },
      ],
    },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
