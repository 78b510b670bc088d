import type { SampleFormat, SampleSet } from './layout.js';
import { SEED } from './layout.js';
import { isoSeconds, PERIOD_END, PERIOD_START } from './period.js';
import {
  AWS_ACCOUNTS,
  AZURE_SUBSCRIPTIONS,
  AZURE_TENANT,
  GCP_ORG,
  GCP_PROJECTS,
  HUMANS,
  ORG_ID,
} from './principals.js';

const FORMAT_NAMES: Record<SampleFormat, string> = {
  'cloudtrail-s3': 'AWS CloudTrail, S3 trail delivery (`{"Records":[...]}`, gzip)',
  'cloudtrail-digest': 'AWS CloudTrail digest (integrity data; ingestion must skip it)',
  'gcp-sink-ndjson': 'Google Cloud audit logs, GCS sink (NDJSON, one file per log and hour)',
  'gcp-gcloud-json': 'Google Cloud audit logs, `gcloud logging read --format=json` (array, one file per day)',
  'azure-activity-pt1h': 'Azure Activity Log, storage account `PT1H.json` (one record per line)',
  'azure-activity-eventhub': 'Azure Activity Log, Event Hub message bodies (`{"records":[...]}`)',
  'entra-signin-pt1h': 'Entra ID SignInLogs, storage account `PT1H.json`',
  'entra-audit-pt1h': 'Entra ID AuditLogs, storage account `PT1H.json`',
  incidents: 'incidents.json',
};

function kib(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(2)} MiB`
    : `${(bytes / 1024).toFixed(0)} KiB`;
}

/** samples/README.md, written from the generated data so its numbers are always the data's. */
export function renderReadme(set: SampleSet): string {
  const stats = new Map<SampleFormat, { files: number; records: number; bytes: number }>();
  for (const f of set.files) {
    if (f.format === 'incidents') continue;
    const s = stats.get(f.format) ?? { files: 0, records: 0, bytes: 0 };
    s.files++;
    s.records += f.records;
    s.bytes += f.data.length;
    stats.set(f.format, s);
  }
  const total = [...stats.values()].reduce(
    (a, s) => ({ files: a.files + s.files, records: a.records + s.records, bytes: a.bytes + s.bytes }),
    { files: 0, records: 0, bytes: 0 },
  );
  const lines: string[] = [];
  const p = (...text: string[]) => lines.push(...text);
  p(
    '# Sample audit logs',
    '',
    '**Everything in this folder is synthetic.** We wrote it with a seeded generator (`src/synth/`) for',
    'auditlake\'s demo and tests. No record comes from a real cloud account; the company "Acme", its',
    'people, accounts, projects and subscriptions are made up. Addresses are from the documentation',
    'ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24), names from the `.example` domain, and AWS',
    "account ids are the ones AWS documentation uses. Each cloud's records follow that cloud's native",
    'export format and file layout, so the same files exercise the real ingestion paths.',
    '',
    `Period: ${isoSeconds(PERIOD_START)} to ${isoSeconds(PERIOD_END)} (14 days; 1 Nov 2026 is a Sunday).`,
    `Seed: \`${SEED}\`. Regenerate with \`npm run samples\`; the output is byte-identical on every run.`,
    '',
    '## Volumes',
    '',
    '| format | files | records | size |',
    '| --- | ---: | ---: | ---: |',
  );
  for (const [format, s] of [...stats.entries()].sort())
    p(`| ${FORMAT_NAMES[format]} | ${s.files} | ${s.records} | ${kib(s.bytes)} |`);
  p(`| **total** | ${total.files} | ${total.records} | ${kib(total.bytes)} |`, '');
  p(
    '## Layout',
    '',
    '```',
    'samples/',
    `  aws/AWSLogs/${ORG_ID}/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz`,
    '      organization trail: prod and dev accounts; one file per account, region and 6 hours',
    `  aws/AWSLogs/${AWS_ACCOUNTS.mgmt.id}/CloudTrail/<region>/...                 management account's own trail`,
    `  aws/AWSLogs/${AWS_ACCOUNTS.mgmt.id}/CloudTrail-Digest/us-east-1/2026/11/01/...   one digest file (not events)`,
    '  gcp/sink/cloudaudit.googleapis.com/<activity|data_access|system_event>/YYYY/MM/DD/HH:00:00_HH:59:59_S0.json',
    `      GCS sink of ${GCP_PROJECTS.prod.id}, NDJSON`,
    `  gcp/${GCP_PROJECTS.data.id}/YYYY-MM-DD.json       gcloud logging read --format=json, newest first, keys sorted`,
    `  azure/insights-activity-logs/resourceId=/SUBSCRIPTIONS/<SUB>/y=2026/m=11/d=DD/h=HH/m=00/PT1H.json   ${AZURE_SUBSCRIPTIONS.prod.name}`,
    `  azure/eventhub/insights-activity-logs/${AZURE_SUBSCRIPTIONS.shared.name}/YYYY/MM/DD/HH.json   Event Hub bodies, ${AZURE_SUBSCRIPTIONS.shared.name}`,
    '  azure/insights-logs-signinlogs/resourceId=/tenants/<tenant>/providers/Microsoft.aadiam/y=.../PT1H.json',
    '  azure/insights-logs-auditlogs/resourceId=/tenants/<tenant>/providers/Microsoft.aadiam/y=.../PT1H.json',
    '  incidents.json                                   the planted incidents, machine-readable',
    '```',
    '',
    '## Estate',
    '',
    `- AWS organization \`${ORG_ID}\`: ${Object.values(AWS_ACCOUNTS)
      .map((a) => `\`${a.id}\` (${a.alias})`)
      .join(', ')}; regions us-east-1 and eu-west-1.`,
    `- Google Cloud organization \`${GCP_ORG}\`: projects ${Object.values(GCP_PROJECTS)
      .map((g) => `\`${g.id}\` (GKE cluster \`${g.cluster}\`)`)
      .join(', ')}.`,
    `- Azure tenant \`${AZURE_TENANT}\`: subscriptions ${Object.values(AZURE_SUBSCRIPTIONS)
      .map((s) => `\`${s.id}\` (${s.name})`)
      .join(', ')}.`,
    '',
    '## Principals',
    '',
    `${HUMANS.length} people, each working in their own time zone (quieter evenings, much quieter weekends, the`,
    'odd day off), and machines that run around the clock:',
    '',
    '| person | role | UTC offset | working hours | AWS | Google Cloud | Azure |',
    '| --- | --- | ---: | --- | --- | --- | --- |',
  );
  for (const h of HUMANS) {
    const aws = h.aws
      ? `${h.aws.iamUser ? 'IAM user' : h.duty === 'contractor' ? 'SAML' : 'Identity Center'} ${h.aws.permissionSet} (${h.aws.accounts.join(', ')})`
      : '';
    p(
      `| ${h.slug} | ${h.duty} | ${h.tz >= 0 ? '+' : ''}${h.tz} | ${h.start}:00-${h.end}:00 | ${aws} | ${h.gcp?.projects.join(', ') ?? ''} | ${h.azure?.subscriptions.join(', ') ?? 'sign-ins only'} |`,
    );
  }
  p(
    '',
    'Machines: GitHub Actions deploy role (web identity), ECS task roles reading secrets, Lambda execution',
    'roles, SSM agents, the AWS Config service role, a third-party observability role (cross-account),',
    'AWS Backup, a legacy `jenkins-legacy` IAM user, a `support-broker` that hands out federation tokens;',
    'in Google Cloud the terraform service account (workload identity federation), an Airflow ETL',
    'service account, Argo CD, Prometheus and the GKE control plane; in Azure a deployer service',
    'principal, a backup managed identity and a secret-rotation app.',
    '',
    '## Incidents',
    '',
    'Planted on top of the everyday traffic. Event ids are the native ids: CloudTrail `eventID`, GCP',
    '`insertId`, Entra `properties.id`, and for the Activity Log `correlationId` (its storage and Event Hub',
    'schema has no per-record id; the `Start` record and its outcome share the correlationId).',
    '',
    '| time (UTC) | cloud | who | what | event ids |',
    '| --- | --- | --- | --- | --- |',
  );
  for (const i of set.incidents) {
    const ids =
      i.event_ids.length > 3
        ? `${i.event_ids.slice(0, 2).join('<br>')}<br>… ${i.event_ids.length} in all`
        : i.event_ids.join('<br>');
    p(`| ${i.time} | ${i.cloud} | ${i.actor} | **${i.id}**: ${i.title} | ${ids} |`);
  }
  p(
    '',
    '## Quirks kept on purpose',
    '',
    'Real exports are not tidy, and neither are these, sparingly: some Activity Log records say `Level`',
    'instead of `level` and give `durationMs` as a string; sign-in records carry `Level` as a number or a',
    'string; CloudTrail uses several identity shapes (IAMUser, AssumedRole, Root, AWSService,',
    'AWSAccount, FederatedUser, SAMLUser, WebIdentityUser, IdentityCenterUser) and mixes management and',
    'S3 data events; GCP system events carry no caller; the gcloud files are newest-first.',
    '',
    '## Regenerating',
    '',
    '```',
    'npm run samples            # rewrites samples/aws, samples/gcp, samples/azure, incidents.json and this file',
    '```',
    '',
    'The generator is deterministic: a fixed seed, a fixed period, records sorted with stable tie-breaks',
    'and gzip headers pinned (mtime 0, OS byte 3). The JSON is the same everywhere; the compressed bytes',
    'are the same for the same zlib build.',
    '',
  );
  return lines.join('\n');
}
