import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  S3Client,
} from '@aws-sdk/client-s3';
import { isDigestPath } from '../../integrity/cloudtrail-digest.js';
import { withRetry } from '../../util/retry.js';
import { MAX_DECOMPRESSED_BYTES } from '../files/read-file.js';
import type {
  ConnectorContext,
  DigestIntegrityHooks,
  DigestObject,
  JsonValue,
  LogObjectHash,
  SourceConnector,
  SourceRecordBatch,
} from '../source-connector.js';
import { SourceError } from '../source-connector.js';
import { errorName, isRetryable, kindOf, retryAfterMs, toSourceError } from './aws-errors.js';
import type { CredentialProvider } from './credentials.js';
import { listPublicKeys } from './public-keys.js';
import { DamagedText, parseTrailText, readBodyText, type TrailObject, TransferError } from './s3-object.js';

/**
 * Checkpoint of one account/region under the bucket. `after`: the greatest key read (or, before
 * any, the day folder reading starts at). `recent`: the keys read whose file time lies within the
 * overlap before `after`'s, so the next run can list that stretch again for files delivered late
 * (or named in the same minute with a smaller random suffix) without reading twice.
 */
export interface TrailStreamCursor {
  after: string;
  recent: string[];
}

/** The checkpoint of a bucket source: one entry per account/region, keyed by its path under AWSLogs/. */
export interface TrailCursor {
  streams: Record<string, TrailStreamCursor>;
  /** The same for the CloudTrail-Digest/ folders, when digests are verified. */
  digests?: Record<string, TrailStreamCursor>;
}

export interface TrailStream {
  /** '111122223333/us-east-1' or 'o-abc123def4/111122223333/us-east-1'. */
  id: string;
  /** '<prefix>/AWSLogs/[o-org/]<account>/CloudTrail/<region>/' (CloudTrail-Digest/ for digests). */
  base: string;
  /** Log files (events) or digest files (integrity evidence). */
  kind?: 'logs' | 'digests';
}

export interface S3TrailOptions {
  bucket: string;
  /** Key prefix before AWSLogs/, '' or ending in '/'. */
  prefix: string;
  organizationId: string | undefined;
  accounts: readonly string[] | null;
  regions: readonly string[] | null;
  region: string;
  endpoint: string | undefined;
  credentials: CredentialProvider | undefined;
  start: Date;
  overlapMs: number;
  concurrency: number;
  retry: { attempts: number; base_ms: number; max_ms: number };
  context: ConnectorContext;
  /** Also read the CloudTrail-Digest/ folders and hash the log files, for digest verification. */
  verifyDigests?: boolean;
  /** CloudTrail endpoint for ListPublicKeys (tests, VPC endpoints). */
  cloudtrailEndpoint?: string | undefined;
}

const DAY_MS = 86_400_000;
/**
 * `<account>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<unique>.json.gz`: the delivery time in the name;
 * digests end in `_YYYYMMDDTHHmmssZ.json.gz`.
 */
const FILE_TIME = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(?:\d{2})?Z[_.]/;

export function createS3Client(options: {
  region: string;
  endpoint: string | undefined;
  credentials: CredentialProvider | undefined;
}): S3Client {
  return new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // Retries are ours (withRetry), with backoff a nightly run can ride out.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
  });
}

export function normalizePrefix(prefix: string | undefined): string {
  const p = (prefix ?? '').replace(/^\/+/, '');
  return p === '' || p.endsWith('/') ? p : `${p}/`;
}

function dayFolder(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replaceAll('-', '/');
}

function fileTime(key: string): number | null {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const m = FILE_TIME.exec(name);
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  return Number.isNaN(t) ? null : t;
}

function compactTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
}

/**
 * Where listing resumes: the overlap before `after`'s file time, as a key of the same form, so
 * S3's StartAfter skips everything older in one request.
 */
export function listFrom(stream: TrailStream, cursor: TrailStreamCursor, overlapMs: number): string {
  const t = fileTime(cursor.after);
  if (t === null || !cursor.after.startsWith(stream.base)) return cursor.after;
  const name = cursor.after.slice(cursor.after.lastIndexOf('/') + 1);
  const cut = name.search(FILE_TIME);
  const low = t - overlapMs;
  return `${stream.base}${dayFolder(low)}/${name.slice(0, cut + 1)}${compactTime(low)}`;
}

/** The cursor after reading `key`: `after` moves forward, `recent` keeps the keys within the overlap. */
export function advance(
  cursor: TrailStreamCursor | undefined,
  key: string,
  overlapMs: number,
): TrailStreamCursor {
  const after = cursor && cursor.after > key ? cursor.after : key;
  const t = fileTime(after);
  const keys = new Set([...(cursor?.recent ?? []), key]);
  const recent = [...keys]
    .filter((k) => {
      if (t === null) return k === after;
      const kt = fileTime(k);
      return kt !== null && kt >= t - overlapMs;
    })
    .sort();
  return { after, recent };
}

function parseCursor(raw: JsonValue | undefined): TrailCursor {
  const part = (s: JsonValue | undefined): Record<string, TrailStreamCursor> => {
    const out: Record<string, TrailStreamCursor> = {};
    if (typeof s === 'object' && s !== null && !Array.isArray(s)) {
      for (const [id, entry] of Object.entries(s)) {
        if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
        if (typeof entry.after !== 'string') continue;
        const recent = Array.isArray(entry.recent) ? entry.recent.filter((k) => typeof k === 'string') : [];
        out[id] = { after: entry.after, recent: recent as string[] };
      }
    }
    return out;
  };
  const object = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {};
  const cursor: TrailCursor = { streams: part(object.streams) };
  if (object.digests !== undefined) cursor.digests = part(object.digests);
  return cursor;
}

/** The cursor map of a stream's kind. */
function cursorsOf(cursor: TrailCursor, stream: TrailStream): Record<string, TrailStreamCursor> {
  if (stream.kind !== 'digests') return cursor.streams;
  cursor.digests ??= {};
  return cursor.digests;
}

/** A counting semaphore: bounds objects downloaded and held at once across the bucket's streams. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(n: number) {
    this.free = n;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  get available(): boolean {
    return this.free > 0;
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/** One item of a stream, in key order: an object read (or skipped), a watermark move, or the stream's failure. */
type StreamItem =
  | {
      kind: 'object';
      stream: TrailStream;
      key: string;
      content: TrailObject;
      requestId: string | undefined;
      /** The uncompressed content's sha256 (log files, when digests are verified). */
      sha256?: string | null;
      digest?: DigestObject | null;
    }
  | { kind: 'watermark'; stream: TrailStream; after: string }
  | { kind: 'failed'; stream: TrailStream; error: SourceError };

/**
 * Records per committed batch when coalescing trail objects. A commit has a fixed cost (projection,
 * chain link, checkpoint): 5,000 made S3 0.56x as fast as reading the same files from disk, 25,000
 * 0.82-0.85x (bench:connectors:aws). Held in memory until committed: ~25-50 MB of record text.
 */
const COALESCE_RECORDS = 25000;

/**
 * A CloudTrail trail bucket: discovers the account/region folders under AWSLogs/ (organization
 * trails included) and reads each one's new objects day folder by day folder, by key order.
 */
export class S3TrailConnector implements SourceConnector {
  readonly source = 'aws' as const;
  readonly stream: string;
  readonly scope: string;
  private readonly options: S3TrailOptions;
  private client: S3Client | null = null;
  /** Whether log objects are hashed: only when the bucket holds digests to check them against. */
  private hashLogs = false;

  readonly digestIntegrity: DigestIntegrityHooks | undefined;

  constructor(options: S3TrailOptions) {
    this.options = options;
    this.stream = `cloudtrail-s3/${options.bucket}/${options.prefix}`;
    this.scope = `bucket s3://${options.bucket}/${options.prefix}`;
    this.digestIntegrity = options.verifyDigests
      ? {
          bucket: options.bucket,
          hashObject: (bucket, key) => this.hashObject(bucket, key),
          publicKeys: (region, from, to) =>
            listPublicKeys({
              region,
              endpoint: options.cloudtrailEndpoint,
              credentials: options.credentials,
              from,
              to,
            }),
        }
      : undefined;
  }

  async *pull(raw: JsonValue | undefined, signal: AbortSignal): AsyncIterable<SourceRecordBatch> {
    const { bucket, context } = this.options;
    const cursor = parseCursor(raw);
    const client = createS3Client(this.options);
    this.client = client;
    const failures: SourceError[] = [];
    const damaged: { key: string; reason: string; requestId: string | undefined }[] = [];
    try {
      const streams = await this.discover(signal);
      context.log('aws.s3_streams', { stream: this.stream, found: streams.length });
      if (this.options.verifyDigests) {
        const digestStreams = await this.discoverDigests(signal);
        context.log('aws.s3_digest_streams', { stream: this.stream, found: digestStreams.length });
        streams.push(...digestStreams);
        this.hashLogs = digestStreams.length > 0;
      }
      const slots = new Slots(this.options.concurrency);
      const iterables = streams.map(
        (s) => () => this.readStream(s, cursorsOf(cursor, s)[s.id], slots, signal),
      );
      // Objects are coalesced into batches of about COALESCE_RECORDS records: each commit has a
      // fixed cost that would otherwise dominate buckets of many small objects. The batch's cursor
      // covers every object in it, and they commit together.
      const empty = () => ({
        records: [] as string[],
        origins: [] as string[],
        objects: 0,
        digests: [] as DigestObject[],
        logHashes: [] as LogObjectHash[],
      });
      let pending = empty();
      const flush = (): SourceRecordBatch | null => {
        if (pending.objects === 0) return null;
        const batch: SourceRecordBatch = {
          origin: pending.origins[0] ?? `s3://${bucket}/`,
          records: pending.records,
          origins: pending.origins,
          cursor: snapshot(cursor),
          pages: pending.objects,
          ...(pending.digests.length ? { digests: pending.digests } : {}),
          ...(pending.logHashes.length ? { logHashes: pending.logHashes } : {}),
        };
        pending = empty();
        return batch;
      };
      for await (const item of mergeLimited(iterables, this.options.concurrency)) {
        if (item.kind === 'failed') {
          failures.push(item.error);
          context.log('aws.s3_stream_failed', {
            stream: this.stream,
            part: item.stream.id,
            error: item.error.describe(),
          });
          continue;
        }
        if (item.kind === 'watermark') {
          const ready = flush();
          if (ready) yield ready;
          cursorsOf(cursor, item.stream)[item.stream.id] = { after: item.after, recent: [] };
          yield {
            origin: `s3://${bucket}/${item.stream.base}`,
            records: [],
            cursor: snapshot(cursor),
            pages: 0,
          };
          continue;
        }
        const cursors = cursorsOf(cursor, item.stream);
        cursors[item.stream.id] = advance(cursors[item.stream.id], item.key, this.options.overlapMs);
        const { content } = item;
        if (content.skipped) context.log('aws.s3_object_skipped', { key: item.key, reason: content.skipped });
        if (content.defect) {
          damaged.push({ key: item.key, reason: content.defect, requestId: item.requestId });
          context.log('aws.s3_object_damaged', {
            key: item.key,
            reason: content.defect,
            records_kept: content.records.length,
          });
        }
        // The object's records are held in the pending batch (bounded by COALESCE_RECORDS), so its
        // download slot is free again.
        slots.release();
        const objectOrigin = `s3://${bucket}/${item.key}`;
        if (item.digest) pending.digests.push(item.digest);
        if (item.sha256 !== undefined)
          pending.logHashes.push({ key: item.key, origin: objectOrigin, sha256: item.sha256 });
        for (const record of content.records) {
          pending.records.push(record);
          pending.origins.push(objectOrigin);
        }
        pending.objects++;
        // An object without records still moves the cursor: it travels in the next batch.
        if (pending.records.length >= COALESCE_RECORDS) {
          const ready = flush();
          if (ready) yield ready;
        }
      }
      const last = flush();
      if (last) yield last;
    } catch (error) {
      if (signal.aborted) throw error;
      throw toSourceError(error, `s3://${bucket}`, { stream: this.stream, scope: this.scope });
    } finally {
      client.destroy();
      this.client = null;
    }
    // Every stream that could go on went on; now report what did not.
    if (damaged.length > 0) {
      const first = damaged[0] as (typeof damaged)[number];
      failures.unshift(
        new SourceError(
          'malformed',
          `${damaged.length} damaged object(s) read as far as they go and passed (first: s3://${bucket}/${first.key}: ${first.reason})`,
          { source: 'aws', stream: this.stream, scope: this.scope, requestId: first.requestId },
          { hint: 'the records before each defect were ingested; the objects are not read again' },
        ),
      );
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) {
      const first = failures[0] as SourceError;
      throw new SourceError(
        first.kind,
        `${first.message} (and ${failures.length - 1} more account/region failure(s), see the log)`,
        {
          source: 'aws',
          stream: this.stream,
          scope: this.scope,
          requestId: String(first.context.requestId ?? '') || undefined,
        },
        { ...(first.hint ? { hint: first.hint } : {}), cause: first },
      );
    }
  }

  /** Runs `fn` with this connector's calls going through `client` (doctor uses discover()). */
  async withClient<T>(client: S3Client, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.client = client;
    try {
      return await fn(new AbortController().signal);
    } finally {
      this.client = null;
    }
  }

  /** The account/region folders to read, found with Delimiter listings (never a full key scan). */
  async discover(signal: AbortSignal): Promise<TrailStream[]> {
    return this.discoverFolders('CloudTrail', signal);
  }

  /** The account/region folders of digest files (CloudTrail-Digest/), for digest verification. */
  async discoverDigests(signal: AbortSignal): Promise<TrailStream[]> {
    return this.discoverFolders('CloudTrail-Digest', signal);
  }

  private async discoverFolders(
    folderName: 'CloudTrail' | 'CloudTrail-Digest',
    signal: AbortSignal,
  ): Promise<TrailStream[]> {
    const { organizationId, accounts, regions } = this.options;
    const root = `${this.options.prefix}AWSLogs/`;
    const accountBases: { id: string; base: string }[] = [];
    const tops = organizationId ? [`${root}${organizationId}/`] : await this.folders(root, signal);
    for (const top of tops) {
      const name = top.slice(root.length, -1);
      if (/^\d{12}$/.test(name)) accountBases.push({ id: name, base: top });
      else if (/^o-[a-z0-9]+$/.test(name)) {
        for (const sub of await this.folders(top, signal)) {
          const account = sub.slice(top.length, -1);
          if (/^\d{12}$/.test(account)) accountBases.push({ id: `${name}/${account}`, base: sub });
        }
      }
    }
    const out: TrailStream[] = [];
    for (const a of accountBases) {
      const account = a.id.slice(-12);
      if (accounts && !accounts.includes(account)) continue;
      for (const folder of await this.folders(`${a.base}${folderName}/`, signal)) {
        const region = folder.slice(`${a.base}${folderName}/`.length, -1);
        if (regions && !regions.includes(region)) continue;
        out.push({
          id: `${a.id}/${region}`,
          base: folder,
          ...(folderName === 'CloudTrail-Digest' ? { kind: 'digests' as const } : {}),
        });
      }
    }
    return out;
  }

  /** Common prefixes one level below `prefix`. */
  private async folders(prefix: string, signal: AbortSignal): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.list({ Prefix: prefix, Delimiter: '/', ContinuationToken: token }, signal);
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) out.push(p.Prefix);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  private async list(
    input: {
      Prefix: string;
      Delimiter?: string;
      StartAfter?: string | undefined;
      ContinuationToken?: string | undefined;
    },
    signal: AbortSignal,
  ): Promise<ListObjectsV2CommandOutput> {
    const client = this.client;
    if (!client) throw new Error('ListObjectsV2 outside pull()');
    return this.retrying('ListObjectsV2', signal, () =>
      client.send(
        new ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: input.Prefix,
          ...(input.Delimiter ? { Delimiter: input.Delimiter } : {}),
          ...(input.StartAfter ? { StartAfter: input.StartAfter } : {}),
          ...(input.ContinuationToken ? { ContinuationToken: input.ContinuationToken } : {}),
        }),
        { abortSignal: signal },
      ),
    );
  }

  private retrying<T>(operation: string, signal: AbortSignal, call: () => Promise<T>): Promise<T> {
    const { retry, context } = this.options;
    return withRetry(call, {
      attempts: retry.attempts,
      baseMs: retry.base_ms,
      maxMs: retry.max_ms,
      signal,
      classify: (error) => ({ retry: !signal.aborted && isRetryable(error), afterMs: retryAfterMs(error) }),
      onRetry: (attempt, delayMs, error) =>
        context.log('aws.retry', {
          stream: this.stream,
          operation,
          attempt,
          delay_ms: delayMs,
          error: errorName(error),
        }),
    });
  }

  /** New keys of one account/region, day folder by day folder from the checkpoint to today. */
  private async *newKeys(
    stream: TrailStream,
    cursor: TrailStreamCursor | undefined,
    signal: AbortSignal,
  ): AsyncGenerator<string> {
    const now = this.options.context.now().getTime();
    const from = cursor
      ? listFrom(stream, cursor, this.options.overlapMs)
      : `${stream.base}${dayFolder(this.options.start.getTime())}/`;
    const seen = new Set(cursor?.recent ?? []);
    const firstDay = /(\d{4})\/(\d{2})\/(\d{2})\/?/.exec(from.slice(stream.base.length));
    let day = firstDay
      ? Date.UTC(Number(firstDay[1]), Number(firstDay[2]) - 1, Number(firstDay[3]))
      : this.options.start.getTime();
    if (Number.isNaN(day)) day = this.options.start.getTime();
    for (let first = true; day <= now; day += DAY_MS, first = false) {
      const prefix = `${stream.base}${dayFolder(day)}/`;
      let token: string | undefined;
      do {
        const page = await this.list(
          { Prefix: prefix, StartAfter: first && from > prefix ? from : undefined, ContinuationToken: token },
          signal,
        );
        for (const object of page.Contents ?? []) {
          const key = object.Key;
          if (!key || seen.has(key)) continue;
          // Only objects named as CloudTrail names digests are digests; others there are not read.
          if (stream.kind === 'digests' && !isDigestPath(key)) continue;
          yield key;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    }
  }

  /** Items of one account/region in key order, downloading a few objects ahead. */
  private async *readStream(
    stream: TrailStream,
    cursor: TrailStreamCursor | undefined,
    slots: Slots,
    signal: AbortSignal,
  ): AsyncGenerator<StreamItem> {
    const ahead: { key: string; result: Promise<ObjectRead> }[] = [];
    let read = 0;
    // The oldest download leaves `ahead` only once it succeeded: a failed one's slot is released below.
    const take = async (): Promise<StreamItem> => {
      const next = ahead[0] as (typeof ahead)[number];
      const done = await next.result;
      ahead.shift();
      read++;
      return { kind: 'object', stream, key: next.key, ...done };
    };
    try {
      for await (const key of this.newKeys(stream, cursor, signal)) {
        // Hand over finished objects before waiting for a slot, or streams could hold every slot
        // with objects none of them yields.
        while (ahead.length > 0 && (ahead.length >= this.options.concurrency || !slots.available)) {
          yield await take();
        }
        await slots.acquire();
        const result =
          stream.kind === 'digests' ? this.readDigest(key, signal) : this.readObject(key, signal);
        result.catch(() => {});
        ahead.push({ key, result });
      }
      while (ahead.length > 0) yield await take();
      // Nothing new yet: remember the day reached so a quiet stream is not listed from `start` forever.
      if (read === 0) {
        const day = `${stream.base}${dayFolder(this.options.context.now().getTime() - this.options.overlapMs)}/`;
        if (!cursor || (fileTime(cursor.after) === null && cursor.after < day))
          yield { kind: 'watermark', stream, after: day };
      }
    } catch (error) {
      // Slots of downloads that will not be yielded go back; their errors are not this one.
      for (const _ of ahead) slots.release();
      ahead.length = 0;
      if (signal.aborted) throw error;
      yield {
        kind: 'failed',
        stream,
        error: toSourceError(error, `s3://${this.options.bucket}/${stream.base}`, {
          stream: this.stream,
          scope: `${this.scope} ${stream.id}`,
        }),
      };
    } finally {
      for (const _ of ahead) slots.release();
    }
  }

  /** Downloads and parses one object; a cut transfer is retried, a damaged object salvaged. */
  private async readObject(key: string, signal: AbortSignal): Promise<ObjectRead> {
    const client = this.client;
    if (!client) throw new Error('GetObject outside pull()');
    let requestId: string | undefined;
    const text = await this.retrying('GetObject', signal, async () => {
      const answer = await client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }), {
        abortSignal: signal,
      });
      requestId = answer.$metadata.requestId;
      // A fresh hash per attempt: a retried download starts over.
      const hash = this.hashLogs ? createHash('sha256') : undefined;
      try {
        const body = await readBodyText(answer.Body as Readable, answer.ContentLength, hash);
        return { text: body, damage: null, sha256: hash?.digest('hex') };
      } catch (error) {
        // A damaged object's hash is of what decompressed: it cannot match a digest's record.
        if (error instanceof DamagedText)
          return { text: error.text, damage: error.message, sha256: hash?.digest('hex') };
        throw error;
      }
    }).catch((error: unknown) => {
      // Name the object in the message: the key is what an operator looks up.
      if (signal.aborted || kindOf(error) === 'malformed') throw error;
      throw toSourceError(error, `GetObject s3://${this.options.bucket}/${key}`, {
        stream: this.stream,
        scope: this.scope,
      });
    });
    const content = parseTrailText(text.text, text.damage);
    return { content, requestId, ...(text.sha256 === undefined ? {} : { sha256: text.sha256 }) };
  }

  /** Downloads a digest file: its uncompressed bytes and the signature in its S3 metadata. */
  private async readDigest(key: string, signal: AbortSignal): Promise<ObjectRead> {
    const client = this.client;
    if (!client) throw new Error('GetObject outside pull()');
    let requestId: string | undefined;
    const read = await this.retrying('GetObject', signal, async () => {
      const answer = await client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }), {
        abortSignal: signal,
      });
      requestId = answer.$metadata.requestId;
      const bytes = Buffer.from((await answer.Body?.transformToByteArray()) ?? new Uint8Array());
      if (answer.ContentLength !== undefined && bytes.length < answer.ContentLength) {
        throw new TransferError(`download cut short: ${bytes.length} of ${answer.ContentLength} bytes`);
      }
      return { bytes, signature: answer.Metadata?.signature ?? null };
    }).catch((error: unknown) => {
      if (signal.aborted) throw error;
      throw toSourceError(error, `GetObject s3://${this.options.bucket}/${key}`, {
        stream: this.stream,
        scope: this.scope,
      });
    });
    let content: Buffer;
    try {
      content =
        read.bytes[0] === 0x1f && read.bytes[1] === 0x8b
          ? gunzipSync(read.bytes, { maxOutputLength: MAX_DECOMPRESSED_BYTES })
          : read.bytes;
    } catch (error) {
      // Recorded as it is: a digest that does not decompress cannot be what CloudTrail signed.
      content = Buffer.from(`damaged gzip: ${(error as Error).message}`);
    }
    const origin = `s3://${this.options.bucket}/${key}`;
    return {
      content: { records: [], skipped: null, defect: null },
      requestId,
      digest: { key, origin, content, metaSignature: read.signature },
    };
  }

  /** sha256 of an object's uncompressed content, or null when there is no such object. */
  private async hashObject(bucket: string, key: string): Promise<string | null> {
    const client = createS3Client(this.options);
    const signal = new AbortController().signal;
    try {
      return await this.retrying('GetObject', signal, async () => {
        try {
          const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          const hash = createHash('sha256');
          try {
            await readBodyText(answer.Body as Readable, answer.ContentLength, hash);
          } catch (error) {
            if (!(error instanceof DamagedText)) throw error;
          }
          return hash.digest('hex');
        } catch (error) {
          if (errorName(error) === 'NoSuchKey') return null;
          throw error;
        }
      });
    } finally {
      client.destroy();
    }
  }
}

/** One object read: its records (none for a digest), and what digest verification needs of it. */
interface ObjectRead {
  content: TrailObject;
  requestId: string | undefined;
  sha256?: string;
  digest?: DigestObject;
}

/** The cursor as JSON, copied: later progress must not change a batch already handed over. */
function snapshot(cursor: TrailCursor): JsonValue {
  const copy = (part: Record<string, TrailStreamCursor>) => {
    const out: Record<string, JsonValue> = {};
    for (const [id, s] of Object.entries(part)) out[id] = { after: s.after, recent: [...s.recent] };
    return out;
  };
  return cursor.digests
    ? { streams: copy(cursor.streams), digests: copy(cursor.digests) }
    : { streams: copy(cursor.streams) };
}

/**
 * Runs at most `limit` generators at once, yielding items as they come; each source has one item
 * in flight, so memory stays bounded. Sources must not throw (they yield their failure).
 */
async function* mergeLimited<T>(
  factories: readonly (() => AsyncGenerator<T>)[],
  limit: number,
): AsyncGenerator<T> {
  let nextSource = 0;
  const active = new Map<
    number,
    { iterator: AsyncGenerator<T>; pending: Promise<{ id: number; result: IteratorResult<T> }> }
  >();
  const start = () => {
    while (active.size < limit && nextSource < factories.length) {
      const id = nextSource++;
      const iterator = (factories[id] as () => AsyncGenerator<T>)();
      active.set(id, { iterator, pending: iterator.next().then((result) => ({ id, result })) });
    }
  };
  try {
    start();
    while (active.size > 0) {
      const { id, result } = await Promise.race([...active.values()].map((a) => a.pending));
      const entry = active.get(id);
      if (!entry) continue;
      if (result.done) {
        active.delete(id);
        start();
        continue;
      }
      yield result.value;
      entry.pending = entry.iterator.next().then((r) => ({ id, result: r }));
    }
  } finally {
    await Promise.allSettled([...active.values()].map((a) => a.iterator.return(undefined)));
  }
}
