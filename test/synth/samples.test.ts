import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildSamples, type SampleFile } from '../../src/synth/layout.js';

type Row = Record<string, unknown>;

function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a file the way its native format is read, returning its records. */
function parseNative(file: SampleFile): Row[] {
  switch (file.format) {
    case 'cloudtrail-s3': {
      const doc: unknown = JSON.parse(gunzipSync(file.data).toString('utf8'));
      if (!isRow(doc) || !Array.isArray(doc.Records)) throw new Error(`${file.path}: no Records array`);
      return doc.Records.filter(isRow);
    }
    case 'cloudtrail-digest': {
      const doc: unknown = JSON.parse(gunzipSync(file.data).toString('utf8'));
      if (!isRow(doc) || !('digestStartTime' in doc) || !Array.isArray(doc.logFiles))
        throw new Error(`${file.path}: not a digest`);
      return [];
    }
    case 'gcp-gcloud-json': {
      const doc: unknown = JSON.parse(file.data.toString('utf8'));
      if (!Array.isArray(doc)) throw new Error(`${file.path}: not an array`);
      return doc.filter(isRow);
    }
    case 'azure-activity-eventhub': {
      const doc: unknown = JSON.parse(file.data.toString('utf8'));
      if (!isRow(doc) || !Array.isArray(doc.records)) throw new Error(`${file.path}: no records array`);
      return doc.records.filter(isRow);
    }
    case 'gcp-sink-ndjson':
    case 'azure-activity-pt1h':
    case 'entra-signin-pt1h':
    case 'entra-audit-pt1h':
      return file.data
        .toString('utf8')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => {
          const value: unknown = JSON.parse(line);
          if (!isRow(value)) throw new Error(`${file.path}: a line is not an object`);
          return value;
        });
    case 'incidents':
      return [];
  }
}

function nativeId(file: SampleFile, record: Row): string[] {
  if (file.format === 'cloudtrail-s3') return [String(record.eventID)];
  if (file.format.startsWith('gcp-')) return [String(record.insertId)];
  const properties = isRow(record.properties) ? record.properties : {};
  if (file.format.startsWith('entra-')) return [String(properties.id)];
  return [String(record.correlationId)];
}

describe('synthetic samples', () => {
  const full = buildSamples();

  it('gives identical bytes when generated twice', () => {
    const a = buildSamples(1);
    const b = buildSamples(1);
    expect(a.files.map((f) => f.path)).toEqual(b.files.map((f) => f.path));
    a.files.forEach((file, i) => {
      expect(file.data.equals(b.files[i]?.data ?? Buffer.alloc(0))).toBe(true);
    });
  });

  it('gives the same first day whether one day or the whole period is generated', () => {
    const day = buildSamples(1);
    const first = full.files.filter((f) => f.path.startsWith('gcp/sink/') && f.path.includes('/2026/11/01/'));
    for (const file of first) {
      const same = day.files.find((f) => f.path === file.path);
      expect(same?.data.equals(file.data)).toBe(true);
    }
  });

  it('writes gzip headers with mtime 0', () => {
    for (const file of full.files.filter((f) => f.path.endsWith('.gz'))) {
      expect(file.data.readUInt32LE(4)).toBe(0);
      expect(file.data[9]).toBe(3);
    }
  });

  it('parses every file as its native format, with unique ids per record', () => {
    const seen = new Set<string>();
    let records = 0;
    for (const file of full.files) {
      const rows = parseNative(file);
      expect(rows.length).toBe(file.records);
      for (const row of rows) {
        records++;
        if (file.format === 'cloudtrail-s3') {
          expect(row.eventVersion).toMatch(/^1\.(0[89]|1\d)$/);
          expect(row.eventID).toMatch(/^[0-9a-f-]{36}$/);
          expect(isRow(row.userIdentity)).toBe(true);
        } else if (file.format.startsWith('gcp-')) {
          const payload = row.protoPayload;
          expect(isRow(payload) && payload['@type']).toBe('type.googleapis.com/google.cloud.audit.AuditLog');
          expect(String(row.timestamp)).toMatch(/\.\d{9}Z$/);
        } else if (file.format.startsWith('entra-') || file.format.startsWith('azure-')) {
          expect(isRow(row.properties)).toBe(true);
        }
        for (const id of nativeId(file, row)) {
          // Activity Log Start and outcome records share a correlationId; all other ids are unique.
          if (!file.format.startsWith('azure-activity')) expect(seen.has(id)).toBe(false);
          seen.add(id);
        }
      }
    }
    expect(records).toBeGreaterThan(15_000);
  });

  it('holds every incident event id', () => {
    const ids = new Set<string>();
    for (const file of full.files)
      for (const row of parseNative(file)) for (const id of nativeId(file, row)) ids.add(id);
    expect(full.incidents.length).toBeGreaterThanOrEqual(15);
    for (const incident of full.incidents) {
      expect(incident.event_ids.length).toBeGreaterThan(0);
      for (const id of incident.event_ids) expect(ids.has(id), `${incident.id}: ${id}`).toBe(true);
    }
  });

  it('skips nothing it claims: the CloudTrail paths follow the S3 delivery layout', () => {
    const trail = full.files.filter((f) => f.format === 'cloudtrail-s3');
    for (const file of trail) {
      expect(file.path).toMatch(
        /^aws\/AWSLogs\/(o-[a-z0-9]{10}\/)?\d{12}\/CloudTrail\/[a-z]{2}-[a-z]+-\d\/\d{4}\/\d{2}\/\d{2}\/\d{12}_CloudTrail_[a-z]{2}-[a-z]+-\d_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$/,
      );
    }
    expect(full.files.filter((f) => f.format === 'cloudtrail-digest')).toHaveLength(1);
  });
});
