import { AuditlakeError } from '../errors.js';
import type { SourceName } from '../model/event.js';
import { redact } from '../util/redact.js';

/** JSON a cursor may hold: it is stored in checkpoints.cursor. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Records pulled from a cloud API or bucket, with the cursor that resumes after them. The store
 * commits the records and the cursor in one transaction, so a killed run resumes exactly here.
 */
export interface SourceRecordBatch {
  /** Where the records came from, stored as events.origin: 's3://bucket/key', 'cloudtrail-api:111122223333/us-east-1', ... */
  readonly origin: string;
  /** Each record's native JSON text (as the API or object holds it: this becomes events.raw). */
  readonly records: readonly string[];
  /**
   * Per-record origins, parallel to `records`, when one batch spans several objects (a commit has
   * a fixed cost, so connectors with many small objects coalesce them). `origin` applies otherwise.
   */
  readonly origins?: readonly string[];
  /** Resumes after this batch; the connector receives it back on the next run. */
  readonly cursor: JsonValue;
  /** API pages (or objects) this batch took, for progress. */
  readonly pages: number;
  /**
   * CloudTrail integrity evidence read with this batch (S3 trail connector): digest files with their
   * S3 signature metadata, and the hashes of the log files read. Recorded with the batch.
   */
  readonly digests?: readonly DigestObject[];
  readonly logHashes?: readonly LogObjectHash[];
}

/** A CloudTrail digest object as read: its key, uncompressed bytes and x-amz-meta-signature. */
export interface DigestObject {
  readonly key: string;
  readonly origin: string;
  readonly content: Buffer;
  readonly metaSignature: string | null;
}

/** The sha256 of a CloudTrail log object's uncompressed content (null: it does not exist). */
export interface LogObjectHash {
  readonly key: string;
  readonly origin: string;
  readonly sha256: string | null;
}

/**
 * What a connector that reads CloudTrail digests offers their verification (src/integrity/): the
 * bucket it reads, a way to hash a log file the run did not read, and CloudTrail's public keys.
 */
export interface DigestIntegrityHooks {
  readonly bucket: string;
  /** sha256 of an object's uncompressed content, or null when it does not exist. */
  hashObject(bucket: string, key: string): Promise<string | null>;
  /** ListPublicKeys of a region over a time range: value as base64 DER. */
  publicKeys(
    region: string,
    from: Date,
    to: Date,
  ): Promise<{ fingerprint: string; value: string; validFrom: Date | null; validTo: Date | null }[]>;
}

/**
 * One resumable stream of one source: a CloudTrail account and region, a trail bucket prefix, a
 * GCP project's audit logs, a Log Analytics workspace table. Knows nothing of DuckDB.
 */
export interface SourceConnector {
  readonly source: SourceName;
  /** Stable id of the stream, the checkpoint key: 'cloudtrail-api/111122223333/us-east-1'. */
  readonly stream: string;
  /** The account, project or workspace the stream reads, for messages. */
  readonly scope: string;
  /**
   * Yields batches after `cursor` (undefined on the first run) until the source has nothing newer.
   * Throws SourceError for failures the run should report (auth, permission, missing resource,
   * retries exhausted); the driver keeps every batch yielded before.
   */
  pull(cursor: JsonValue | undefined, signal: AbortSignal): AsyncIterable<SourceRecordBatch>;
  /** Set by connectors that read CloudTrail digests. */
  readonly digestIntegrity?: DigestIntegrityHooks;
}

export type SourceErrorKind =
  | 'auth'
  | 'permission'
  | 'not_found'
  | 'throttled'
  | 'network'
  | 'server'
  | 'malformed'
  | 'config';

/** A failure of one source stream, with what a person needs to act on it. */
export class SourceError extends AuditlakeError {
  readonly kind: SourceErrorKind;
  constructor(
    kind: SourceErrorKind,
    message: string,
    context: { source: SourceName; stream: string; scope: string; requestId?: string | undefined },
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super('source', message, { context, ...options });
    this.name = 'SourceError';
    this.kind = kind;
  }

  /** One line: what failed, where, and the request id to quote to the cloud's support. */
  describe(): string {
    const c = this.context;
    const request = c.requestId ? ` (request id ${c.requestId})` : '';
    return redact(`${c.source} ${c.scope} [${c.stream}]: ${this.kind}: ${this.message}${request}`);
  }
}

/** A check `auditlake doctor` reports: credentials, permissions, the resource's existence. */
export interface DoctorCheck {
  readonly source: SourceName;
  readonly scope: string;
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** What a cloud's connector module offers the CLI; listed in connectors/registry.ts. */
export interface CloudConnectors<Config> {
  readonly source: SourceName;
  /** One connector per stream the configured sources name. */
  connectors(sources: readonly Config[], context: ConnectorContext): SourceConnector[];
  /** Checks credentials and permissions of each configured source without ingesting. */
  doctor(sources: readonly Config[], context: ConnectorContext): Promise<DoctorCheck[]>;
}

export interface ConnectorContext {
  /** The clock (tests pin it). */
  readonly now: () => Date;
  /** Structured log lines for operators (never secrets). */
  readonly log: (event: string, fields: Record<string, string | number | boolean | null>) => void;
}
