import type { Command } from 'commander';
import { formatIssue } from '../../config/yaml-source.js';
import { ATTACK_VERSION } from '../../detect/attack-techniques.js';
import { type FixtureResult, runFixtures } from '../../detect/fixtures.js';
import {
  defaultQueriesRoot,
  displayPath,
  type LoadedDetectors,
  loadDetectors,
} from '../../detect/load-detectors.js';
import { AuditlakeError } from '../../errors.js';
import type { CommandResult, GlobalOptions } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { chooseFormat, renderDocument, renderRows } from '../output.js';
import { selectDetectors } from './detect.js';

function assertValid(library: LoadedDetectors): void {
  if (library.problems.length === 0) return;
  const issues = library.problems.flatMap((p) => p.issues);
  throw new AuditlakeError(
    'detector',
    `${library.problems.length} detector file(s) invalid: ${issues.slice(0, 5).map(formatIssue).join('; ')}${issues.length > 5 ? '; ...' : ''}`,
    { hint: 'the header format is in docs/detector-format.md' },
  );
}

export function registerDetectors(
  program: Command,
  _globals: () => GlobalOptions,
  done: (r: CommandResult) => void,
): void {
  const detectors = program.command('detectors').description('list and test the detector library');
  detectors
    .command('list')
    .description(`list detectors with severity, method, sources, ATT&CK (${ATTACK_VERSION}) and controls`)
    .option('--queries <dir>', 'detector folder (default: the queries/ shipped with auditlake)')
    .option('--format <format>', 'table, json, csv or ndjson')
    .action((opts: { queries?: string; format?: string }) => {
      const format = chooseFormat(opts.format, Boolean(process.stdout.isTTY));
      const library = loadDetectors(opts.queries ?? defaultQueriesRoot());
      assertValid(library);
      const table = format === 'table' || format === 'csv';
      const rows = library.detectors.map((d) => ({
        id: d.id,
        title: d.header.title,
        severity: d.header.severity,
        method: d.header.method,
        sources: table ? d.header.sources.join(' ') : d.header.sources,
        attack: table ? d.header.attack.join(' ') : d.header.attack,
        controls: table
          ? Object.entries(d.header.controls)
              .map(([k, ids]) => `${k}:${(ids ?? []).join(',')}`)
              .join(' ')
          : d.header.controls,
        ...(table
          ? {}
          : { params: d.header.params, keys: d.header.keys, file: displayPath(d.file), version: d.version }),
      }));
      const output =
        format === 'table' && rows.length === 0
          ? `no detectors in ${displayPath(library.root)}\n`
          : renderRows(rows, format, ['id', 'title', 'severity', 'method', 'sources', 'attack', 'controls']);
      done({
        output: format === 'json' || format === 'ndjson' ? renderRows(rows, format) : output,
        exitCode: EXIT.ok,
      });
    });
  detectors
    .command('test')
    .description("run detectors' fixtures: positive cases must fire, negative ones stay silent")
    .argument('[ids...]', 'detector ids or globs (default: all)')
    .option('--queries <dir>', 'detector folder (default: the queries/ shipped with auditlake)')
    .option('--format <format>', 'table, json, csv or ndjson')
    .action(async (ids: string[], opts: { queries?: string; format?: string }) => {
      const format = chooseFormat(opts.format, Boolean(process.stdout.isTTY));
      const library = loadDetectors(opts.queries ?? defaultQueriesRoot());
      const selected = selectDetectors(library.detectors, library.problems, ids);
      const results: FixtureResult[] = selected.problems.map((p) => ({
        detector: p.id,
        kind: 'file',
        name: displayPath(p.file),
        passed: false,
        message: p.issues.map(formatIssue).join('; '),
        rows: 0,
      }));
      for (const detector of selected.detectors) results.push(...(await runFixtures(detector)));
      const failed = results.filter((r) => !r.passed).length;
      const rows = results.map((r) => ({
        detector: r.detector,
        case: `${r.kind}: ${r.name}`,
        result: r.passed ? 'pass' : 'FAIL',
        rows: r.rows,
        message: r.message,
      }));
      const output = renderDocument({ passed: results.length - failed, failed, results }, format, () => {
        const table = rows.length ? renderRows(rows, 'table') : 'no detectors to test\n';
        return `${table}${results.length - failed} passed, ${failed} failed\n`;
      });
      done({
        output: format === 'csv' ? renderRows(rows, 'csv') : output,
        exitCode: failed > 0 ? EXIT.failed : EXIT.ok,
      });
    });
}
