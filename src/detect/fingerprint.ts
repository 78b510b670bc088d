import { createHash } from 'node:crypto';
import type { PlainValue } from './plain-value.js';
import type { DetectorRow } from './run-detector.js';

/** Length of the finding id people type: a prefix of the fingerprint. */
export const FINDING_ID_LENGTH = 16;

export interface Fingerprint {
  /** sha256 hex of the detector id and its key columns' values. */
  readonly fingerprint: string;
  readonly id: string;
  readonly keyValues: Readonly<Record<string, string | number | boolean | null>>;
}

function canonical(value: PlainValue | undefined): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return JSON.stringify(value.map((v) => canonical(v)));
  return value;
}

/**
 * The identity of a finding: the detector id plus the values of the header's `keys` columns
 * (default actor and account). It depends on nothing else (not the window, the row order or the
 * detector version), so every rerun over the same activity lands on the same finding.
 */
export function fingerprintOf(
  detectorId: string,
  keys: readonly string[],
  values: Readonly<Record<string, PlainValue>>,
): Fingerprint {
  const keyValues = Object.fromEntries(keys.map((k) => [k, canonical(values[k])]));
  const material = JSON.stringify([detectorId, keys.map((k) => [k, keyValues[k] ?? null])]);
  const fingerprint = createHash('sha256').update(material).digest('hex');
  return { fingerprint, id: fingerprint.slice(0, FINDING_ID_LENGTH), keyValues };
}

/** Rows of one detector run that share a fingerprint, merged. */
export interface Candidate extends Fingerprint {
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  /** Distinct evidence event ids over all rows. */
  readonly evidence: string[];
  /** The row with the latest event_time: its display columns describe the finding. */
  readonly latest: DetectorRow;
  readonly rows: DetectorRow[];
}

export function groupByFingerprint(
  detectorId: string,
  keys: readonly string[],
  rows: readonly DetectorRow[],
): Candidate[] {
  const groups = new Map<string, { fp: Fingerprint; rows: DetectorRow[] }>();
  for (const row of rows) {
    const fp = fingerprintOf(detectorId, keys, row.values);
    const group = groups.get(fp.fingerprint);
    if (group) group.rows.push(row);
    else groups.set(fp.fingerprint, { fp, rows: [row] });
  }
  return [...groups.values()].map(({ fp, rows: groupRows }) => {
    // reduce, not Math.min(...): a noisy detector can return more rows than the call stack holds.
    const earliest = groupRows.reduce((a, b) => (b.event_time < a.event_time ? b : a));
    const latest = groupRows.reduce((a, b) => (b.event_time > a.event_time ? b : a));
    return {
      ...fp,
      firstSeen: earliest.event_time,
      lastSeen: latest.event_time,
      evidence: [...new Set(groupRows.flatMap((r) => r.evidence))],
      latest,
      rows: groupRows,
    };
  });
}
