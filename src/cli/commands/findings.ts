import type { Command } from 'commander';
import { SEVERITIES } from '../../detect/detector-header.js';
import type { ManualAction } from '../../detect/finding-lifecycle.js';
import { FINDING_STATUSES } from '../../detect/finding-lifecycle.js';
import { changeFindingStatus, type FindingFilter, listFindings } from '../../detect/findings-store.js';
import { UsageError } from '../../errors.js';
import { openStore, resolveDbPath } from '../../store/open-store.js';
import { storeOptionsFromEnvironment } from '../../store/store-key.js';
import type { CommandResult, GlobalOptions } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { chooseFormat, renderDocument, renderRows } from '../output.js';
import { listOption, parseTime } from './detect.js';

interface ListOptions {
  status?: string[];
  severity?: string[];
  detector?: string[];
  actor?: string;
  since?: string;
  until?: string;
  format?: string;
}

function checkValues(flag: string, values: string[], allowed: readonly string[]): string[] {
  const bad = values.filter((v) => !allowed.includes(v));
  if (bad.length)
    throw new UsageError(`${flag} ${bad.join(', ')} unknown`, `use one of: ${allowed.join(', ')}`);
  return values;
}

const ACTIONS: { name: ManualAction; description: string }[] = [
  { name: 'ack', description: 'acknowledge a finding: someone is on it' },
  {
    name: 'suppress',
    description: 'suppress one finding (for a pattern, add a rule to auditlake.yaml instead)',
  },
  { name: 'resolve', description: 'resolve a finding; it reopens if it fires again' },
];

export function registerFindings(
  program: Command,
  globals: () => GlobalOptions,
  done: (r: CommandResult) => void,
): void {
  const findings = program.command('findings').description('list findings and change their status');
  findings
    .command('list', { isDefault: true })
    .description('list findings (the default)')
    .option(
      '--status <statuses...>',
      `only these statuses (${FINDING_STATUSES.join(', ')}; comma-separated or repeated)`,
    )
    .option('--severity <severities...>', `only these severities (${SEVERITIES.join(', ')})`)
    .option('--detector <ids...>', 'only these detectors')
    .option('--actor <glob>', 'actor matches this glob (e.g. *alice*)')
    .option('--since <time>', 'last seen at or after')
    .option('--until <time>', 'first seen before')
    .option('--format <format>', 'table, json, csv or ndjson')
    .action(async (opts: ListOptions) => {
      const format = chooseFormat(opts.format, Boolean(process.stdout.isTTY));
      const filter: FindingFilter = {
        status: checkValues('--status', listOption(opts.status), FINDING_STATUSES),
        severity: checkValues('--severity', listOption(opts.severity), SEVERITIES),
        detector: listOption(opts.detector),
        ...(opts.actor ? { actor: opts.actor } : {}),
        ...(opts.since ? { since: parseTime('--since', opts.since) } : {}),
        ...(opts.until ? { until: parseTime('--until', opts.until) } : {}),
      };
      const store = await openStore({
        path: resolveDbPath(globals().db),
        readOnly: true,
        ...storeOptionsFromEnvironment(),
      });
      try {
        const records = await listFindings(store.connection, filter);
        let output: string;
        if (format === 'table') {
          const rows = records.map((f) => ({
            id: f.id,
            severity: f.severity,
            status: f.status,
            detector: f.detector,
            actor: f.actor,
            account: f.account,
            count: f.count,
            last_seen: f.last_seen,
            title: f.title,
          }));
          output = rows.length ? renderRows(rows, 'table') : 'no findings\n';
        } else output = renderRows(records as unknown as Record<string, unknown>[], format);
        done({ output, exitCode: EXIT.ok });
      } finally {
        store.close();
      }
    });
  for (const action of ACTIONS) {
    findings
      .command(action.name)
      .description(action.description)
      .argument('<id>', 'finding id (a unique prefix of 6+ characters is enough)')
      .requiredOption('--reason <text>', 'why (kept in the finding history)')
      .option('--by <name>', 'who (default: $USER)')
      .option('--format <format>', 'table (text) or json')
      .action(async (id: string, opts: { reason: string; by?: string; format?: string }) => {
        const format = chooseFormat(opts.format, true);
        const by = opts.by ?? process.env.USER ?? process.env.USERNAME;
        if (!by) throw new UsageError('who is this? $USER is not set', 'pass --by NAME');
        const store = await openStore({
          path: resolveDbPath(globals().db),
          ...storeOptionsFromEnvironment(),
        });
        try {
          const change = await changeFindingStatus(store.connection, id, action.name, by, opts.reason);
          done({
            output: renderDocument(
              change,
              format,
              () =>
                `finding ${change.id}: ${change.from} -> ${change.to} by ${change.by} (${change.reason})\n`,
            ),
            exitCode: EXIT.ok,
          });
        } finally {
          store.close();
        }
      });
  }
}
