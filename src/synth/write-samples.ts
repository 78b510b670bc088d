import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SampleSet } from './layout.js';
import { renderReadme } from './readme.js';

/** What the generator owns inside the samples folder; anything else there is left alone. */
const OWNED = ['aws', 'gcp', 'azure', 'incidents.json', 'README.md'];

/** Replaces the generated part of `dir` with the sample set and its README. */
export async function writeSamples(dir: string, set: SampleSet): Promise<{ files: number; bytes: number }> {
  for (const name of OWNED) await rm(join(dir, name), { recursive: true, force: true });
  let bytes = 0;
  for (const file of set.files) {
    const path = join(dir, file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.data);
    bytes += file.data.length;
  }
  const readme = Buffer.from(renderReadme(set));
  await writeFile(join(dir, 'README.md'), readme);
  return { files: set.files.length + 1, bytes: bytes + readme.length };
}
