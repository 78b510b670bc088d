import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CorpusRules } from './compare-fields.js';

/** One input file of the corpora, with the Elastic expected output when there is one. */
export interface CorpusFile {
  /** Absolute path, as the pipeline records it in `origin`. */
  path: string;
  /** Path relative to the corpora directory, for messages. */
  name: string;
  /** Table group: 'elastic/aws-cloudtrail', 'other/stratus-red-team', ... */
  corpus: string;
  /** `<input>-expected.json` next to an Elastic input, else null. */
  expectedPath: string | null;
}

const CLAIMS = 'azure.activitylogs.identity.claims';

/** Elastic data streams we compare, with the rules for each (see compare-fields.ts). */
export const ELASTIC_CORPORA: Readonly<Record<string, CorpusRules>> = {
  'aws-cloudtrail': {
    caseInsensitive: false,
    accountFields: ['cloud.account.id'],
    identityFields: ['user.name', 'user.id', 'user.email', 'aws.cloudtrail.user_identity.arn'],
  },
  'gcp-audit': {
    caseInsensitive: false,
    // Elastic puts the project in cloud.project.id; our account for GCP is the project.
    accountFields: ['cloud.account.id', 'cloud.project.id'],
    // Elastic's gcp.audit pipeline names the caller in client.user.*, not user.*.
    identityFields: ['user.name', 'user.id', 'user.email', 'client.user.email', 'client.user.id'],
  },
  'azure-activity': {
    caseInsensitive: true,
    accountFields: ['azure.subscription_id', 'cloud.account.id'],
    // Elastic maps no ECS user for Activity records; the caller is in the claims it keeps (dots in
    // claim URIs become underscores). The display name (identity_name) is not an identity.
    identityFields: [
      'user.name',
      'user.id',
      'user.email',
      `${CLAIMS}.http://schemas_xmlsoap_org/ws/2005/05/identity/claims/upn`,
      `${CLAIMS}.http://schemas_xmlsoap_org/ws/2005/05/identity/claims/name`,
      `${CLAIMS}.http://schemas_microsoft_com/identity/claims/objectidentifier`,
      `${CLAIMS}.appid`,
    ],
  },
  'azure-signin': {
    caseInsensitive: true,
    // Entra records are tenant-scoped: our account is the tenant, as is Elastic's azure.tenant_id.
    accountFields: ['azure.tenant_id', 'cloud.account.id'],
    // Elastic fills ECS user.* for user sign-ins only; service principals and managed identities
    // are named in its azure.signinlogs fields.
    identityFields: [
      'user.name',
      'user.id',
      'user.email',
      'azure.signinlogs.properties.user_principal_name',
      'azure.signinlogs.properties.service_principal_name',
      'azure.signinlogs.properties.service_principal_id',
    ],
  },
  'azure-audit': {
    caseInsensitive: true,
    accountFields: ['azure.tenant_id', 'cloud.account.id'],
    // Elastic maps no ECS user for directory changes; who made them is initiated_by.
    identityFields: [
      'user.name',
      'user.id',
      'user.email',
      'azure.auditlogs.properties.initiated_by.user.userPrincipalName',
      'azure.auditlogs.properties.initiated_by.user.id',
      'azure.auditlogs.properties.initiated_by.app.displayName',
      'azure.auditlogs.properties.initiated_by.app.servicePrincipalName',
      'azure.auditlogs.properties.initiated_by.app.servicePrincipalId',
      'azure.auditlogs.properties.initiated_by.app.appId',
    ],
  },
  'azure-other': {
    caseInsensitive: true,
    accountFields: ['azure.tenant_id', 'cloud.account.id'],
    identityFields: [
      'user.name',
      'user.id',
      'user.email',
      'client.user.id',
      'azure.identityprotection.properties.user_principal_name',
      'azure.identityprotection.properties.user_id',
      'azure.provisioning.properties.initiated_by.id',
      'azure.provisioning.properties.initiated_by.name',
      'azure.graphactivitylogs.properties.service_principal_id',
    ],
  },
};

/** The non-Elastic inputs every record of which must be accounted for (no expected output). */
const OTHER_INPUTS: readonly { dir: string; corpus: string; match: RegExp }[] = [
  { dir: 'other/otel-collector-contrib', corpus: 'other/otel-collector-contrib', match: /\.json$/ },
  {
    dir: 'other/otrf-security-datasets',
    corpus: 'other/otrf-security-datasets',
    match: /^(AADAuditEvents|ec2_proxy_s3_exfiltration_.*)\.json$/,
  },
  { dir: 'other/stratus-red-team/detonation-logs', corpus: 'other/stratus-red-team', match: /\.json$/ },
];

/** Elastic pipeline inputs: `test-*.log` and `test-*.json`, never the expected outputs or sample docs. */
const ELASTIC_INPUT = /^test-.*\.(log|json)$/;

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  return entries.flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : [],
  );
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Every corpus input under `root`, Elastic first, each list in sorted path order. */
export function listCorpusFiles(root: string): CorpusFile[] {
  const files: CorpusFile[] = [];
  for (const stream of Object.keys(ELASTIC_CORPORA)) {
    for (const path of walk(join(root, 'elastic', stream))) {
      const base = baseName(path);
      if (!ELASTIC_INPUT.test(base) || base.endsWith('-expected.json')) continue;
      const expected = `${path}-expected.json`;
      files.push({
        path,
        name: relative(root, path),
        corpus: `elastic/${stream}`,
        expectedPath: existsSync(expected) ? expected : null,
      });
    }
  }
  for (const other of OTHER_INPUTS) {
    for (const path of walk(join(root, other.dir))) {
      if (!other.match.test(baseName(path))) continue;
      files.push({ path, name: relative(root, path), corpus: other.corpus, expectedPath: null });
    }
  }
  return files;
}
