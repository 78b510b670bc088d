/**
 * How well findings cover a list of known incidents (the samples' embedded incidents, or any
 * labelled exercise): an incident counts as found when a finding's evidence includes one of its
 * key events; a finding whose evidence touches no incident counts as background noise.
 */
export interface KnownIncident {
  id: string;
  title: string;
  event_ids: readonly string[];
}

export interface FindingEvidence {
  id: string;
  detector: string;
  severity: string;
  evidence: readonly string[];
}

export interface IncidentCoverage {
  found: { incident: string; title: string; detectors: string[] }[];
  missed: { incident: string; title: string }[];
  /** Findings that touch no known incident. */
  background: FindingEvidence[];
}

export function incidentCoverage(
  incidents: readonly KnownIncident[],
  findings: readonly FindingEvidence[],
): IncidentCoverage {
  const incidentOfEvent = new Map<string, string>();
  for (const incident of incidents) for (const id of incident.event_ids) incidentOfEvent.set(id, incident.id);
  const detectorsOf = new Map<string, Set<string>>();
  const background: FindingEvidence[] = [];
  for (const finding of findings) {
    const touched = new Set(
      finding.evidence.map((e) => incidentOfEvent.get(e)).filter((i) => i !== undefined),
    );
    if (touched.size === 0) background.push(finding);
    for (const incident of touched) {
      const set = detectorsOf.get(incident) ?? new Set<string>();
      set.add(finding.detector);
      detectorsOf.set(incident, set);
    }
  }
  const coverage: IncidentCoverage = { found: [], missed: [], background };
  for (const incident of incidents) {
    const detectors = detectorsOf.get(incident.id);
    if (detectors)
      coverage.found.push({ incident: incident.id, title: incident.title, detectors: [...detectors].sort() });
    else coverage.missed.push({ incident: incident.id, title: incident.title });
  }
  return coverage;
}
