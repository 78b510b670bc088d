import { opendir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface FoundFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** Every regular file under the given paths (files or directories), in a stable sorted order. */
export async function* walkFiles(paths: readonly string[]): AsyncGenerator<FoundFile> {
  for (const given of paths) {
    const path = resolve(given);
    const info = await stat(path);
    if (info.isFile()) yield { path, size: info.size, mtimeMs: info.mtimeMs };
    else if (info.isDirectory()) yield* walkDirectory(path);
  }
}

async function* walkDirectory(dir: string): AsyncGenerator<FoundFile> {
  const entries: { name: string; isDir: boolean; isFile: boolean }[] = [];
  for await (const entry of await opendir(dir)) {
    if (entry.name.startsWith('.')) continue;
    entries.push({ name: entry.name, isDir: entry.isDirectory(), isFile: entry.isFile() });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDir) yield* walkDirectory(path);
    else if (entry.isFile) {
      const info = await stat(path);
      yield { path, size: info.size, mtimeMs: info.mtimeMs };
    }
  }
}
