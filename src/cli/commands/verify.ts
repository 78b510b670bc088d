import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AuditlakeError, describeError } from '../../errors.js';
import { type DigestSummary, digestSummary } from '../../integrity/digest-summary.js';
import { checkAgainstHeads, exportChainHeads, parseChainHeads } from '../../store/chain-heads.js';
import { type ChainProblem, type ChainVerification, verifyChain } from '../../store/chain-verify.js';
import { type ConflictSummary, conflictSummary } from '../../store/event-conflicts.js';
import { openStore, resolveDbPath } from '../../store/open-store.js';
import { storeOptionsFromEnvironment } from '../../store/store-key.js';
import type { CommandResult, GlobalOptions } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { chooseFormat, renderDocument, renderRows } from '../output.js';
import { parseTime } from './detect.js';

interface VerifyOptions {
  from?: string;
  to?: string;
  export?: string;
  against?: string;
  format?: string;
}

export interface VerifyResult extends ChainVerification {
  against: { file: string; exported_at: string; head_batch_id: number | null } | null;
  exported: { file: string; days: number; head_batch_id: number | null } | null;
  /** Duplicate event ids with different content on record: not tampering, but worth a look. */
  conflicts: ConflictSummary;
  /**
   * CloudTrail's own digest validation as recorded at ingest: a problem there means the source's
   * log files or digests were altered or are missing before auditlake read them (also a finding of
   * aws/cloudtrail-digest-validation-failed); it does not change the exit code, which is about the store.
   */
  cloudtrail_digests: DigestSummary;
}

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function where(p: ChainProblem): string {
  const parts = [p.batch_id === null ? 'no batch' : `batch ${p.batch_id}`];
  if (p.run_id !== null || p.committed_at !== null) {
    parts[0] += ` (${[
      p.run_id === null ? null : `run ${p.run_id}`,
      p.committed_at ? `committed ${p.committed_at}` : null,
    ]
      .filter(Boolean)
      .join(', ')})`;
  }
  if (p.source) parts.push(`source ${p.source}`);
  if (p.day) parts.push(`day ${p.day}`);
  return parts.join(', ');
}

function text(r: VerifyResult): string {
  const days =
    r.range.from || r.range.to
      ? `days ${r.range.from ?? '…'} to ${r.range.to ?? '…'} (exclusive)`
      : 'all days';
  const counts =
    `${r.checked.batches} batches, ${r.checked.slices} day slices, ` +
    `${r.checked.events.toLocaleString('en-US')} events recomputed (${days}), ${r.checked.pruned_days} pruned days`;
  const lines: string[] = [];
  if (r.status === 'intact') lines.push(`chain intact: ${counts}`);
  else {
    const first = r.first_break;
    lines.push(`chain BROKEN: ${counts}`);
    if (first) lines.push(`first broken link: ${where(first)}`, `  ${first.kind}: ${first.detail}`);
  }
  if (r.head) {
    lines.push(`head: batch ${r.head.batch_id}, committed ${r.head.committed_at}, sha256 ${r.head.digest}`);
  } else lines.push('head: none (no batch committed yet)');
  if (r.against) {
    lines.push(
      `checked against ${r.against.file} (exported ${r.against.exported_at}, head batch ${r.against.head_batch_id ?? 'none'})`,
    );
  }
  lines.push(
    r.conflicts.recorded === 0
      ? 'conflicting duplicates: none recorded'
      : `conflicting duplicates: ${plural(r.conflicts.recorded, 'copy', 'copies')} of ` +
          `${plural(r.conflicts.events, 'event id', 'event ids')} differed from the stored event ` +
          `(last ${r.conflicts.last_detected_at}); the first copies are the ones kept and chained: ` +
          'auditlake query "select * from event_conflicts order by detected_at"',
  );
  const digests = Object.entries(r.cloudtrail_digests.by_status);
  if (digests.length > 0) {
    lines.push(
      `cloudtrail digests: ${digests.map(([status, n]) => `${n} ${status}`).join(', ')}` +
        (r.cloudtrail_digests.problems > 0
          ? ` (PROBLEMS: see findings of aws/cloudtrail-digest-validation-failed)`
          : ''),
    );
    for (const p of r.cloudtrail_digests.first_problems) {
      lines.push(
        `  ${p.status}: account ${p.account}, ${p.region}, trail ${p.trail}, digest ending ${p.digest_end}${p.detail ? `: ${p.detail}` : ''}`,
      );
    }
  }
  if (r.exported) {
    lines.push(
      `heads exported to ${r.exported.file}: ${r.exported.days} days, head batch ${r.exported.head_batch_id ?? 'none'}; ` +
        'keep it write-once (docs/integrity.md)',
    );
  }
  let out = `${lines.join('\n')}\n`;
  if (r.problems.length > 0) {
    out += `\n${r.problems_total} problem(s)${r.problems_total > r.problems.length ? `, the first ${r.problems.length}` : ''}:\n`;
    out += renderRows(
      r.problems.map((p) => ({
        batch: p.batch_id,
        source: p.source,
        day: p.day,
        kind: p.kind,
        detail: p.detail,
      })),
      'table',
    );
  }
  return out;
}

export function registerVerify(
  program: Command,
  globals: () => GlobalOptions,
  done: (r: CommandResult) => void,
): void {
  program
    .command('verify')
    .description("recompute the store's integrity chain and name the first broken link")
    .option(
      '--from <date>',
      'recompute the events of UTC days from this one (the chain links are always all checked)',
    )
    .option('--to <date>', 'up to this day, exclusive')
    .option(
      '--export <file>',
      'when intact, write the chain heads (per source and day) as JSON to keep write-once',
    )
    .option('--against <file>', 'also check the store against heads exported earlier')
    .option('--format <format>', 'table (text) or json (default: table on a terminal, json when piped)')
    .addHelpText(
      'after',
      `
Exit code 0 when the chain is intact (and matches --against), 1 when anything was changed, deleted
or inserted behind auditlake's back. See docs/integrity.md.

Examples:
  auditlake verify
  auditlake verify --from 2026-10-01 --to 2026-11-01 --export heads-2026-10.json
  auditlake verify --against heads-2026-10.json`,
    )
    .action(async (opts: VerifyOptions) => {
      const format = chooseFormat(opts.format, Boolean(process.stdout.isTTY));
      const range = { from: parseTime('--from', opts.from), to: parseTime('--to', opts.to) };
      const heads = opts.against ? parseChainHeads(await readText(opts.against), opts.against) : null;
      const store = await openStore({
        path: resolveDbPath(globals().db),
        readOnly: true,
        ...storeOptionsFromEnvironment(),
      });
      let result: VerifyResult;
      try {
        const extra = heads ? await checkAgainstHeads(store.connection, heads) : [];
        const verification = await verifyChain(store.connection, range, extra);
        result = {
          ...verification,
          against:
            heads && opts.against
              ? {
                  file: opts.against,
                  exported_at: heads.exported_at,
                  head_batch_id: heads.head?.batch_id ?? null,
                }
              : null,
          exported: null,
          conflicts: await conflictSummary(store.connection),
          cloudtrail_digests: await digestSummary(store.connection),
        };
        // Heads of a broken chain would vouch for the tampering: export only an intact one.
        if (opts.export && verification.status === 'intact') {
          const exported = await exportChainHeads(store.connection, range);
          await writeFile(opts.export, `${JSON.stringify(exported, null, 2)}\n`);
          result.exported = {
            file: opts.export,
            days: exported.days.length,
            head_batch_id: exported.head?.batch_id ?? null,
          };
        }
      } finally {
        store.close();
      }
      done({
        output: renderDocument(result, format, () => text(result)),
        exitCode: result.status === 'intact' ? EXIT.ok : EXIT.failed,
      });
    });
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new AuditlakeError('input', `cannot read ${file}: ${describeError(error)}`, { context: { file } });
  }
}
