import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface HuntFile {
  /** File name without `.sql`: what `auditlake hunt NAME` runs. */
  readonly id: string;
  readonly title: string;
}

/**
 * The saved hunts in `queries/hunts/*.sql`, for `.hunts`: ids and the `title:` of their header.
 * Only a listing: running and validating hunts is `auditlake hunt`'s job, so a header this cannot
 * read still lists with an empty title.
 */
export function listHuntFiles(huntsDir: string): HuntFile[] | null {
  if (!existsSync(huntsDir)) return null;
  return readdirSync(huntsDir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.sql') && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort()
    .map((name) => ({
      id: name.replace(/\.sql$/, ''),
      title: headerTitle(readFileSync(join(huntsDir, name), 'utf8')),
    }));
}

/** The `-- title: ...` line of a header, unquoted; '' when there is none. */
export function headerTitle(sql: string): string {
  const match = /^--\s*title:\s*(.*)$/m.exec(sql);
  const raw = (match?.[1] ?? '').trim();
  const quoted = /^(["'])(.*)\1$/.exec(raw);
  return quoted ? (quoted[2] ?? '') : raw;
}
