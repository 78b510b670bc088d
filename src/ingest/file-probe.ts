import { gzipDeclaredSize, isGzipFile, readHead, sha256File } from '../connectors/files/read-file.js';
import { type FileLayout, sniffLayout } from '../connectors/files/sniff.js';
import type { FoundFile } from '../connectors/files/walk-files.js';
import { isDigestPath } from '../integrity/cloudtrail-digest.js';
import { timePhase } from '../util/phase-timings.js';

/**
 * What the file ingest learns about a file before it reads the records, by I/O alone (no store), so
 * it can run ahead of the batch being written (util/lookahead.ts):
 * - `stored`: the content a complete checkpoint recorded, under another mtime;
 * - `digest`: a CloudTrail digest file, read whole by the ingest;
 * - `records`: the decompressed head, the layout sniffed from it (null: unreadable) and, for array
 *   layouts, the decompressed size the gzip trailer declares (or the size of a plain file).
 */
export type FileProbe =
  | { kind: 'stored'; sha256: string }
  | { kind: 'digest'; sha256: string; gzip: boolean }
  | {
      kind: 'records';
      sha256: string;
      gzip: boolean;
      head: { head: string; complete: boolean; damage: string | null };
      layout: FileLayout | null;
      decompressed: number | null;
    };

/** Hashes, sniffs and sizes one file; `storedSha256` is the content its complete checkpoint recorded. */
export async function probeFile(file: FoundFile, storedSha256: string | null): Promise<FileProbe> {
  const sha256 = await timePhase('ingest.file_sha256', () => sha256File(file.path));
  if (sha256 === storedSha256) return { kind: 'stored', sha256 };
  const gzip = await isGzipFile(file.path);
  if (isDigestPath(file.path)) return { kind: 'digest', sha256, gzip };
  const head = await readHead(file.path, gzip);
  const layout = head.head.length === 0 && head.damage ? null : sniffLayout(head.head, head.complete);
  const arrays = layout?.kind === 'keyed-array' || layout?.kind === 'array';
  const decompressed = !arrays ? null : gzip ? await gzipDeclaredSize(file.path, file.size) : file.size;
  return { kind: 'records', sha256, gzip, head, layout, decompressed };
}
