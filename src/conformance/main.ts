import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditlakeError, describeError } from '../errors.js';
import { resolveCorporaDir } from './corpora-path.js';
import { listCorpusFiles } from './corpus-files.js';
import { coverageSuite } from './coverage.js';
import { elasticSuite } from './elastic.js';
import { type CorpusIngest, ingestCorpus } from './ingest-corpus.js';
import { pantherSuite } from './panther.js';
import { renderTable } from './print-table.js';
import { stratusSuite } from './stratus.js';
import type { Suite, SuiteContext, SuiteResult } from './suite.js';

/**
 * The conformance run (`npm run conformance`, called by .ci/run after the tests): the real file
 * ingest over third-party corpora, checked suite by suite. Exit 0 when every suite passes, 1 on a
 * regression (a suite failure, or a suite that threw), 2 when the corpora are not there.
 *
 * Suites run in order, each with the shared context, and return their own table and failures:
 * record accounting and Elastic field agreement (the ingest), then the detector replays of
 * Panther's labeled events and Stratus Red Team's detonation logs.
 */
const SUITES: readonly Suite[] = [coverageSuite, elasticSuite, pantherSuite, stratusSuite];

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_SETUP = 2;

function print(result: SuiteResult): void {
  console.log(`\n== ${result.name}\n`);
  console.log(renderTable(result.columns, result.rows));
  if (result.notes.length > 0) console.log(`\n${result.notes.join('\n')}`);
  console.log(
    result.failures.length === 0 ? '\nPASS' : `\nFAIL\n${result.failures.map((f) => `  - ${f}`).join('\n')}`,
  );
}

async function run(): Promise<number> {
  const started = performance.now();
  let corporaDir: string;
  try {
    corporaDir = resolveCorporaDir();
  } catch (error) {
    console.error(`conformance: ${describeError(error)}`);
    if (error instanceof AuditlakeError && error.hint) console.error(`hint: ${error.hint}`);
    return EXIT_SETUP;
  }
  const files = listCorpusFiles(corporaDir);
  if (files.length === 0) {
    console.error(`conformance: no corpus inputs under ${corporaDir} (expected elastic/ and other/)`);
    return EXIT_SETUP;
  }
  console.log(`conformance: ${files.length} input files under ${corporaDir}`);

  const workDir = mkdtempSync(join(tmpdir(), 'auditlake-conformance-'));
  let ingest: Promise<CorpusIngest> | null = null;
  const context: SuiteContext = {
    corporaDir,
    files,
    workDir,
    corpusIngest() {
      ingest ??= ingestCorpus(files, workDir);
      return ingest;
    },
  };
  const failures: string[] = [];
  try {
    for (const suite of SUITES) {
      try {
        const result = await suite.run(context);
        print(result);
        failures.push(...result.failures.map((f) => `${suite.name}: ${f}`));
      } catch (error) {
        // A suite that throws is a regression of the tool, never a pass.
        const message = error instanceof Error && error.stack ? error.stack : describeError(error);
        console.log(`\n== ${suite.name}\n\nCRASHED: ${message}`);
        failures.push(`${suite.name}: crashed: ${describeError(error)}`);
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (failures.length > 0) {
    console.log(`\nconformance: FAILED (${failures.length} failures, ${seconds}s)`);
    return EXIT_FAILED;
  }
  console.log(`\nconformance: passed (${SUITES.length} suites, ${seconds}s)`);
  return EXIT_OK;
}

run().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(
      `conformance: ${error instanceof Error && error.stack ? error.stack : describeError(error)}`,
    );
    process.exitCode = EXIT_FAILED;
  },
);
