import type { FileOutcome, RecordFate } from './ingest-corpus.js';
import type { Suite, SuiteContext, SuiteResult } from './suite.js';

const COUNTED: readonly RecordFate['kind'][] = [
  'event',
  'duplicate',
  'error',
  'not-events',
  'lost',
  'crashed',
];

/** Reasons printed in the by-reason list before the rest is summed up. */
const PRINTED_REASONS = 15;
/** Lost records printed before the rest is summed up (each is a failure anyway). */
const PRINTED_LOST = 20;

export interface CoverageCounts {
  files: number;
  records: number;
  byKind: Record<RecordFate['kind'], number>;
}

function emptyCounts(): CoverageCounts {
  return {
    files: 0,
    records: 0,
    byKind: { event: 0, duplicate: 0, error: 0, 'not-events': 0, lost: 0, crashed: 0 },
  };
}

/** Counts per corpus (in first-seen order) and in total. */
export function countFates(outcomes: readonly FileOutcome[]): {
  corpora: Map<string, CoverageCounts>;
  total: CoverageCounts;
} {
  const corpora = new Map<string, CoverageCounts>();
  const total = emptyCounts();
  for (const o of outcomes) {
    const c = corpora.get(o.file.corpus) ?? emptyCounts();
    corpora.set(o.file.corpus, c);
    for (const counts of [c, total]) {
      counts.files++;
      // A file-level pseudo-record (unreadable file) is not a record of the file.
      counts.records += o.records.filter((r) => r.unit !== 'file').length;
      for (const fate of o.fates) counts.byKind[fate.kind]++;
    }
  }
  return { corpora, total };
}

/** Error reasons with their counts, most frequent first. */
export function reasonCounts(outcomes: readonly FileOutcome[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const o of outcomes) {
    for (const fate of o.fates)
      if (fate.kind === 'error') counts.set(fate.reason, (counts.get(fate.reason) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

/**
 * Every record of every corpus file must become an event, a duplicate of one, or an
 * ingest_errors row with a reason (or sit in a file the pipeline skips as not events, with a
 * note), and no file may make the pipeline throw.
 */
export const coverageSuite: Suite = {
  name: 'Record accounting: records read = events + duplicates + errors (+ skipped not-event files)',
  async run(context: SuiteContext): Promise<SuiteResult> {
    const ingest = await context.corpusIngest();
    const { corpora, total } = countFates(ingest.files);
    const row = (name: string, c: CoverageCounts) => [
      name,
      String(c.files),
      String(c.records),
      ...COUNTED.map((k) => String(c.byKind[k])),
    ];
    const rows = [...[...corpora.entries()].map(([name, c]) => row(name, c)), row('total', total)];
    const failures: string[] = [];
    const notes: string[] = [];

    for (const o of ingest.files) {
      if (o.crash) failures.push(`${o.file.name}: the pipeline crashed: ${o.crash}`);
    }
    const lost = ingest.files.flatMap((o) =>
      o.fates.flatMap((f, i) => {
        const r = o.records[i];
        return f.kind === 'lost' && r ? [`${o.file.name} ${r.unit} ${r.position}: ${f.detail}`] : [];
      }),
    );
    if (lost.length > 0) {
      failures.push(`${lost.length} records are neither an event, a duplicate nor an error`);
      notes.push('Lost records:', ...lost.slice(0, PRINTED_LOST).map((l) => `  ${l}`));
      if (lost.length > PRINTED_LOST) notes.push(`  ... and ${lost.length - PRINTED_LOST} more`);
    }
    for (const p of ingest.problems) failures.push(`accounting: ${p}`);

    const reasons = reasonCounts(ingest.files);
    if (reasons.length > 0) {
      notes.push('Errors by reason:');
      for (const [reason, n] of reasons.slice(0, PRINTED_REASONS))
        notes.push(`  ${String(n).padStart(5)}  ${reason}`);
      const rest = reasons.slice(PRINTED_REASONS).reduce((sum, [, n]) => sum + n, 0);
      if (rest > 0)
        notes.push(`  ${String(rest).padStart(5)}  (${reasons.length - PRINTED_REASONS} other reasons)`);
    }
    const skipped = ingest.files.filter((o) => o.notEvents);
    if (skipped.length > 0) {
      notes.push('Files skipped as not events:', ...skipped.map((o) => `  ${o.file.name}: ${o.notEvents}`));
    }
    return {
      name: this.name,
      columns: ['corpus', 'files', 'records', ...COUNTED],
      rows,
      notes,
      failures,
    };
  },
};
