import { resolve } from 'node:path';
import { buildSamples } from './layout.js';
import { PERIOD_DAYS } from './period.js';
import { writeSamples } from './write-samples.js';

/** `npm run samples [-- --out DIR --days N]`: writes the synthetic sample logs. */
async function main(argv: readonly string[]): Promise<void> {
  const option = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const out = resolve(option('--out') ?? 'samples');
  const days = Number(option('--days') ?? PERIOD_DAYS);
  if (!Number.isInteger(days) || days < 1 || days > PERIOD_DAYS)
    throw new Error(`--days must be 1..${PERIOD_DAYS}`);
  const started = Date.now();
  const set = buildSamples(days);
  const written = await writeSamples(out, set);
  const records = set.files.reduce((sum, f) => sum + f.records, 0);
  process.stdout.write(
    `wrote ${written.files} files, ${records} records, ${(written.bytes / 1024 / 1024).toFixed(2)} MiB, ${set.incidents.length} incidents to ${out} in ${Date.now() - started} ms\n`,
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`samples: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
