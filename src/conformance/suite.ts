import type { CorpusFile } from './corpus-files.js';
import type { CorpusIngest } from './ingest-corpus.js';

/**
 * A conformance suite: one independent check over the corpora (Elastic field agreement, record
 * accounting; later the Panther and Stratus Red Team replays). main.ts runs them in order, prints
 * each result and fails the run if any suite reports a failure.
 */
export interface Suite {
  readonly name: string;
  run(context: SuiteContext): Promise<SuiteResult>;
}

export interface SuiteResult {
  name: string;
  /** Column headers of the suite's table, then its rows (cells as display text). */
  columns: readonly string[];
  rows: readonly (readonly string[])[];
  /** Lines printed after the table: disagreements, counts by reason, where the full list went. */
  notes: readonly string[];
  /** Regressions; any makes the run exit 1. Empty when the suite passed. */
  failures: readonly string[];
}

/** What suites share: where the corpora are, their files, and one ingest of them all. */
export interface SuiteContext {
  readonly corporaDir: string;
  readonly files: readonly CorpusFile[];
  /** A scratch directory under os.tmpdir(), removed when the run ends. */
  readonly workDir: string;
  /** Every corpus file through the real ingest, once per run however many suites ask. */
  corpusIngest(): Promise<CorpusIngest>;
}
