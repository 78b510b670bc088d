import { SEVERITIES, type Severity } from '../detect/detector-header.js';
import type { SlackTarget } from './notifications-config.js';
import { type DeliveryOutcome, type PostDeps, postJson } from './post-json.js';
import {
  describeFindings,
  failedSources,
  type NotificationFinding,
  type RunNotification,
  severityRank,
  summaryLine,
} from './run-notification.js';

/**
 * A Slack incoming-webhook message (also accepted by Slack-compatible chats such as Mattermost):
 * `text` for notifications and clients without blocks, Block Kit blocks for the channel.
 *
 * Everything that came from logs (actors, accounts, titles and summaries that quote events, error
 * messages) is escaped: `<` and `>` would otherwise let an attacker who controls a user name write
 * `<!channel>` or a disguised link into the security team's channel.
 */

export interface SlackTextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}

export type SlackBlock =
  | { type: 'header'; text: SlackTextObject }
  | { type: 'section'; text?: SlackTextObject; fields?: SlackTextObject[] }
  | { type: 'context'; elements: SlackTextObject[] }
  | { type: 'divider' };

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
  unfurl_links: false;
  unfurl_media: false;
}

/** Slack's limits: header 150 characters, section text 3000, a field 2000, 50 blocks a message. */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;

/** Slack mrkdwn's control characters, as Slack documents: only these three are escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Cuts before escaping, so an entity is never cut in half. */
function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Untrusted text, clipped and escaped. */
function user(text: string | null, max: number): string {
  return escapeMrkdwn(clip(text ?? '-', max));
}

const SEVERITY_MARK: Record<Severity, string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':large_blue_circle:',
  info: ':white_circle:',
};

const STATUS_MARK = { ok: ':white_check_mark:', partial: ':warning:', failed: ':x:' } as const;

function mrkdwn(text: string, max = SECTION_MAX): SlackTextObject {
  return { type: 'mrkdwn', text: text.length > max ? `${text.slice(0, max - 1)}…` : text };
}

function headerText(n: RunNotification, findings: readonly NotificationFinding[]): string {
  if (n.status === 'failed') return `auditlake run failed on ${clip(n.host, 60)}`;
  const run = n.status === 'partial' ? 'auditlake run partial' : 'auditlake';
  return `${run}: ${describeFindings(findings)}`;
}

function findingBlock(f: NotificationFinding): SlackBlock {
  const lines = [
    `${SEVERITY_MARK[f.severity]} *${f.severity.toUpperCase()}* · *${user(f.title, 150)}*`,
    `\`${user(f.detector, 100)}\` · actor ${user(f.actor, 150)} · account ${user(f.account, 80)} · first seen ${user(f.first_seen, 40)}`,
  ];
  if (f.summary) lines.push(user(f.summary, 500));
  lines.push(`id \`${user(f.id, 80)}\``);
  return { type: 'section', text: mrkdwn(lines.join('\n')) };
}

/**
 * The message for one run. `findings` are the ones at or above the target's min_severity, most
 * severe first; at most `maxFindings` get a block of their own, the rest are counted.
 */
export function slackMessage(
  n: RunNotification,
  findings: readonly NotificationFinding[],
  options: { maxFindings: number; minSeverity: Severity },
): SlackMessage {
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: clip(headerText(n, findings), HEADER_MAX), emoji: true },
    },
  ];
  const sourceCount = n.ingest.sources.length;
  blocks.push({
    type: 'section',
    fields: [
      mrkdwn(`*Status*\n${STATUS_MARK[n.status]} ${n.status} (exit ${n.exit_code})`, FIELD_MAX),
      mrkdwn(`*Host*\n${user(n.host, 200)}`, FIELD_MAX),
      mrkdwn(
        `*Events*\n${n.ingest.events_new} new, ${n.ingest.events_duplicate} duplicate` +
          (n.ingest.errors > 0 ? `, ${n.ingest.errors} unreadable` : '') +
          ` from ${sourceCount} source${sourceCount === 1 ? '' : 's'}`,
        FIELD_MAX,
      ),
      mrkdwn(
        `*Detectors*\n${n.detection.detectors_run} run` +
          (n.detection.detectors_failed > 0 ? `, ${n.detection.detectors_failed} failed` : ''),
        FIELD_MAX,
      ),
      mrkdwn(`*New findings*\n${n.new_findings.length}`, FIELD_MAX),
      mrkdwn(`*Run*\n${n.run_id ?? '-'} · ${user(n.finished_at, 40)}`, FIELD_MAX),
    ],
  });
  if (n.error) blocks.push({ type: 'section', text: mrkdwn(`*Error*\n${user(n.error, 1000)}`) });
  const failed = failedSources(n);
  if (failed.length > 0) {
    const lines = failed.map((s) => `• ${user(`${s.source} ${s.name}`, 100)}: ${user(s.error, 400)}`);
    blocks.push({ type: 'section', text: mrkdwn(`*Failed sources*\n${lines.join('\n')}`) });
  }
  const shown = findings.slice(0, Math.max(0, options.maxFindings));
  if (shown.length > 0) {
    blocks.push({ type: 'divider' });
    for (const f of shown) blocks.push(findingBlock(f));
  }
  const more = findings.length - shown.length;
  if (more > 0) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `…and ${more} more at ${options.minSeverity} or above: \`auditlake findings --status open --severity ${SEVERITIES.filter((s) => severityRank(s) >= severityRank(options.minSeverity)).join(',')}\``,
        ),
      ],
    });
  }
  const below = n.new_findings.length - findings.length;
  const footer = [`store ${user(n.store, 300)}`];
  if (below > 0)
    footer.push(`${below} new finding${below === 1 ? '' : 's'} below ${options.minSeverity} not shown`);
  if (n.reports.length > 0) footer.push(`reports: ${n.reports.map((r) => user(r, 300)).join(', ')}`);
  blocks.push({ type: 'context', elements: [mrkdwn(footer.join(' · '))] });
  return {
    text: escapeMrkdwn(clip(summaryLine(n), 3000)),
    blocks,
    unfurl_links: false,
    unfurl_media: false,
  };
}

export async function sendSlack(
  args: {
    url: string;
    target: SlackTarget;
    notification: RunNotification;
    findings: readonly NotificationFinding[];
  },
  deps: PostDeps,
): Promise<DeliveryOutcome> {
  const message = slackMessage(args.notification, args.findings, {
    maxFindings: args.target.max_findings,
    minSeverity: args.target.min_severity,
  });
  return postJson(
    {
      url: args.url,
      body: JSON.stringify(message),
      headers: () => ({ 'user-agent': 'auditlake-slack/1' }),
      timeoutMs: args.target.timeout_seconds * 1000,
      attempts: args.target.retries + 1,
    },
    deps,
  );
}
