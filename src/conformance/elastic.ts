import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeError } from '../errors.js';
import {
  COMPARED_FIELDS,
  compareFields,
  type ElasticDoc,
  elasticRejected,
  getPath,
} from './compare-fields.js';
import { type CorpusFile, ELASTIC_CORPORA } from './corpus-files.js';
import type { FileOutcome, RecordFate } from './ingest-corpus.js';
import { ratioCell } from './print-table.js';
import type { Suite, SuiteContext, SuiteResult } from './suite.js';
import { ELASTIC_THRESHOLDS, type ElasticField } from './thresholds.js';

/** Table columns: 'event' (the record became an event at all), then each compared field. */
export const ELASTIC_FIELDS: readonly ElasticField[] = ['event', ...COMPARED_FIELDS];

/** Disagreements printed per corpus; the JSON file has them all. */
const PRINTED_PER_CORPUS = 12;

export interface Disagreement {
  corpus: string;
  file: string;
  /** Physical line of the input file (1-based), as our `position` has it. */
  line: number;
  field: ElasticField;
  ours: string | null;
  elastic: string | null;
}

interface Tally {
  agreed: number;
  compared: number;
}

/** An expected document paired with the input line it came from. */
interface Pair {
  line: number;
  doc: unknown;
}

/**
 * Pairs expected documents with input lines. Elastic's pipeline tests read a `.log` input one
 * line per document, skipping blank lines, so the k-th document belongs to the k-th non-blank line.
 */
export function pairLines(
  inputText: string,
  expected: readonly unknown[],
): { pairs: Pair[]; mismatch: string | null } {
  const lines: number[] = [];
  inputText.split('\n').forEach((text, i) => {
    if (text.trim() !== '') lines.push(i + 1);
  });
  const n = Math.min(lines.length, expected.length);
  const pairs = Array.from({ length: n }, (_, k) => ({ line: lines[k] as number, doc: expected[k] }));
  const mismatch =
    lines.length === expected.length
      ? null
      : `${lines.length} input lines but ${expected.length} expected documents`;
  return { pairs, mismatch };
}

function readExpected(path: string): unknown[] {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const list = getPath(parsed, 'expected');
  if (!Array.isArray(list)) throw new Error('no "expected" array');
  return list;
}

/** Why a record has no event to compare, for the 'event' column. */
function missingReason(fate: RecordFate | undefined): string {
  if (!fate) return 'no record read at this line';
  switch (fate.kind) {
    case 'error':
      return `ingest error: ${fate.reason}`;
    case 'not-events':
      return `skipped: ${fate.note}`;
    case 'crashed':
      return `pipeline crashed: ${fate.reason}`;
    case 'lost':
      return `lost: ${fate.detail}`;
    default:
      return fate.kind;
  }
}

/** The fate of the single record on `line`, or undefined when the line held none or several. */
function fateAtLine(outcome: FileOutcome, line: number): RecordFate | undefined {
  const indexes = outcome.records.flatMap((r, i) => (r.line === line ? [i] : []));
  if (indexes.length === 0 && outcome.notEvents) return { kind: 'not-events', note: outcome.notEvents };
  if (indexes.length !== 1) return undefined;
  return outcome.fates[indexes[0] as number];
}

export interface ElasticComparison {
  tallies: Map<string, Map<ElasticField, Tally>>;
  disagreements: Disagreement[];
  /** Expected documents not compared because Elastic itself failed on the record. */
  rejected: { file: string; line: number; reason: string }[];
  warnings: string[];
  pairedFiles: number;
  pairedDocs: number;
}

/** Compares every paired Elastic input with our events for it. */
export function compareElastic(
  files: readonly CorpusFile[],
  outcomes: readonly FileOutcome[],
): ElasticComparison {
  const byPath = new Map(outcomes.map((o) => [o.file.path, o]));
  const result: ElasticComparison = {
    tallies: new Map(),
    disagreements: [],
    rejected: [],
    warnings: [],
    pairedFiles: 0,
    pairedDocs: 0,
  };
  for (const file of files) {
    if (file.expectedPath === null) continue;
    const stream = file.corpus.replace(/^elastic\//, '');
    const rules = ELASTIC_CORPORA[stream];
    const outcome = byPath.get(file.path);
    if (!rules || !outcome) continue;
    let expected: unknown[];
    let inputText: string;
    try {
      expected = readExpected(file.expectedPath);
      inputText = readFileSync(file.path, 'utf8');
    } catch (error) {
      result.warnings.push(`${file.name}: cannot read the expected output: ${describeError(error)}`);
      continue;
    }
    const { pairs, mismatch } = pairLines(inputText, expected);
    if (mismatch) result.warnings.push(`${file.name}: ${mismatch}; compared the first ${pairs.length}`);
    result.pairedFiles++;
    const tallies = result.tallies.get(file.corpus) ?? new Map<ElasticField, Tally>();
    result.tallies.set(file.corpus, tallies);
    const count = (field: ElasticField, agreed: boolean) => {
      const t = tallies.get(field) ?? { agreed: 0, compared: 0 };
      t.compared++;
      if (agreed) t.agreed++;
      tallies.set(field, t);
    };
    for (const { line, doc } of pairs) {
      const rejected = elasticRejected(doc);
      if (rejected) {
        result.rejected.push({ file: file.name, line, reason: rejected });
        continue;
      }
      result.pairedDocs++;
      const elasticDoc = doc as ElasticDoc;
      const fate = fateAtLine(outcome, line);
      if (fate?.kind !== 'event' && fate?.kind !== 'duplicate') {
        count('event', false);
        const action = getPath(elasticDoc, 'event.action');
        result.disagreements.push({
          corpus: file.corpus,
          file: file.name,
          line,
          field: 'event',
          ours: missingReason(fate),
          elastic: `a document${typeof action === 'string' ? ` (event.action ${action})` : ''}`,
        });
        continue;
      }
      count('event', true);
      for (const v of compareFields(rules, fate.event, elasticDoc)) {
        if (v.status === 'not-compared') continue;
        count(v.field, v.status === 'agree');
        if (v.status === 'disagree') {
          result.disagreements.push({
            corpus: file.corpus,
            file: file.name,
            line,
            field: v.field,
            ours: v.ours,
            elastic: v.elastic,
          });
        }
      }
    }
  }
  return result;
}

/** Threshold failures: a cell below its minimum, or a cell with a threshold and nothing compared. */
export function thresholdFailures(tallies: ElasticComparison['tallies']): string[] {
  const failures: string[] = [];
  for (const [corpus, fields] of Object.entries(ELASTIC_THRESHOLDS)) {
    for (const [field, threshold] of Object.entries(fields) as [ElasticField, { min: number }][]) {
      const t = tallies.get(corpus)?.get(field);
      if (!t || t.compared === 0) {
        failures.push(`${corpus} ${field}: nothing compared (threshold ${threshold.min}%)`);
        continue;
      }
      const pct = (100 * t.agreed) / t.compared;
      if (pct < threshold.min) {
        failures.push(
          `${corpus} ${field}: ${ratioCell(t.agreed, t.compared)} is below the ${threshold.min}% threshold`,
        );
      }
    }
  }
  return failures;
}

function clip(text: string | null, max = 90): string {
  if (text === null) return '(empty)';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Writes every disagreement as JSON under os.tmpdir(); returns the path. */
function writeDisagreements(comparison: ElasticComparison): string {
  const dir = join(tmpdir(), 'auditlake-conformance');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'elastic-disagreements.json');
  writeFileSync(
    path,
    `${JSON.stringify({ disagreements: comparison.disagreements, rejected: comparison.rejected, warnings: comparison.warnings }, null, 2)}\n`,
  );
  return path;
}

export const elasticSuite: Suite = {
  name: 'Elastic pipeline tests: field agreement (agreed/compared)',
  async run(context: SuiteContext): Promise<SuiteResult> {
    const ingest = await context.corpusIngest();
    const comparison = compareElastic(context.files, ingest.files);
    const corpora = Object.keys(ELASTIC_CORPORA).map((s) => `elastic/${s}`);
    const rows = corpora.map((corpus) => {
      const fields = comparison.tallies.get(corpus);
      return [
        corpus,
        ...ELASTIC_FIELDS.map((f) => {
          const t = fields?.get(f);
          return t ? ratioCell(t.agreed, t.compared) : '—';
        }),
      ];
    });
    const notes: string[] = [
      `${comparison.pairedFiles} paired files, ${comparison.pairedDocs} documents compared` +
        (comparison.rejected.length > 0
          ? `, ${comparison.rejected.length} skipped (Elastic itself rejected them)`
          : ''),
    ];
    for (const w of comparison.warnings) notes.push(`warning: ${w}`);
    if (comparison.disagreements.length > 0) {
      notes.push(
        '',
        `Disagreements (first ${PRINTED_PER_CORPUS} per corpus; file:line field: ours | Elastic's):`,
      );
      for (const corpus of corpora) {
        const list = comparison.disagreements.filter((d) => d.corpus === corpus);
        if (list.length === 0) continue;
        notes.push(`  ${corpus} (${list.length})`);
        for (const d of list.slice(0, PRINTED_PER_CORPUS)) {
          notes.push(
            `    ${d.file.replace(`${corpus}/`, '')}:${d.line} ${d.field}: ${clip(d.ours)} | ${clip(d.elastic)}`,
          );
        }
      }
    }
    try {
      notes.push('', `Full list: ${writeDisagreements(comparison)}`);
    } catch (error) {
      notes.push('', `(could not write the full list: ${describeError(error)})`);
    }
    return {
      name: this.name,
      columns: ['corpus', ...ELASTIC_FIELDS],
      rows,
      notes,
      failures: thresholdFailures(comparison.tallies),
    };
  },
};
