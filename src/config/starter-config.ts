/**
 * The commented auditlake.yaml that `auditlake init` writes. Pure text: every section is present
 * and explained, the clouds asked for (--aws/--gcp/--azure) are active with placeholder ids to
 * replace, the others are commented-out examples. Secrets appear only as references (environment
 * variable names, key files, the SDKs' standard credential chains). A test loads every flag
 * combination with loadConfig.
 */

export interface StarterOptions {
  aws: boolean;
  gcp: boolean;
  azure: boolean;
}

const HEADER = `# auditlake.yaml: configuration of auditlake (written by \`auditlake init\`).
#
# Every setting has a default: delete what you do not need; an empty file is valid.
# Secrets never go in this file. Cloud credentials come from each SDK's standard chain (AWS
# profiles, SSO, instance roles; Google application default credentials; Azure
# DefaultAzureCredential) or from the NAMES of environment variables; \${VAR} in any value is
# replaced by that variable when the file is read.
#
# Any setting can be overridden by an environment variable named AUDITLAKE__ + its key path in
# upper case with __ between keys, e.g.
#   AUDITLAKE__DETECTION__TIMEOUT_SECONDS=60   AUDITLAKE__RETENTION__EVENTS=400d
#   AUDITLAKE__REPORTS__0__PERIOD=previous-week
# The store is picked with --db or AUDITLAKE_DB (default data/auditlake.duckdb).
# Check this file with \`auditlake doctor\`; reference: README.md, docs/operations.md.
`;

const AWS_ACTIVE = `  # AWS CloudTrail (docs/connectors/aws.md: least-privilege policies for both modes).
  aws:
    - mode: api                      # CloudTrail LookupEvents: no setup, management events, 90 days
      accounts:
        - id: "111122223333"         # replace with your account id
          # Credentials: the SDK's standard chain by default, or one of
          # profile: audit-reader                                   (a profile of ~/.aws/config)
          # role_arn: arn:aws:iam::111122223333:role/auditlake-reader
          # access_key_id_env: AUDIT_AWS_KEY_ID                      (NAMES of variables,
          # secret_access_key_env: AUDIT_AWS_SECRET                   never the keys)
      regions: [us-east-1]           # or "all"
      start: 7d                      # how far back the first run reads
    # - mode: s3                     # the trail's S3 bucket (organization trails too)
    #   bucket: acme-cloudtrail
    #   organization_id: o-abc123def4
`;

const AWS_EXAMPLE = `  # AWS CloudTrail (auditlake init --aws writes an active example; docs/connectors/aws.md)
  aws: []
  # aws:
  #   - mode: api
  #     accounts: [{ id: "111122223333", profile: audit-reader }]
  #     regions: [us-east-1]
`;

const GCP_ACTIVE = `  # Google Cloud audit logs via Cloud Logging (docs/connectors/gcp.md: roles/logging.viewer,
  # plus roles/logging.privateLogViewer for data_access). Credentials: application default credentials.
  gcp:
    - projects: [my-project-id]      # replace with your project ids
      # folders: ["123456789012"]
      # organizations: ["123456789012"]
      log_kinds: [activity, system_event, policy]   # add data_access when enabled and wanted
      start: 7d
`;

const GCP_EXAMPLE = `  # Google Cloud audit logs (auditlake init --gcp writes an active example; docs/connectors/gcp.md)
  gcp: []
  # gcp:
  #   - projects: [my-project-id]
`;

const AZURE_ACTIVE = `  # Azure Activity Log and Entra ID logs from a Log Analytics workspace (docs/connectors/azure.md:
  # the Log Analytics Reader role). Credentials: DefaultAzureCredential (AZURE_TENANT_ID,
  # AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or a workload/managed identity).
  azure:
    - workspace_id: 0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b   # replace with your workspace id
      tables: [AzureActivity, SigninLogs, AuditLogs]
      start: 7d
`;

const AZURE_EXAMPLE = `  # Azure (auditlake init --azure writes an active example; docs/connectors/azure.md)
  azure: []
  # azure:
  #   - workspace_id: 0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b
`;

const REST = `
# What the detectors do (docs/detection.md).
detection:
  timeout_seconds: 300               # per detector; a slower one is stopped and reported failed
  parallel: 2                        # detectors run side by side on this many connections
  params: {}                         # detector id -> parameter -> value, e.g.
  #   all/password-spray: { min_users: 10 }
  suppressions: []                   # known, accepted activity; every suppressed hit still counts
  #  - detector: aws/root-account-usage
  #    actor: "arn:aws:iam::111122223333:root"
  #    reason: quarterly break-glass test, CHG-1234
  #    expires: 2026-12-31
  #    by: dana

# How compliance reports look (docs/reports.md).
report:
  organization: Example Organization # printed on the cover
  max_findings_per_detector: 10      # in full in the PDF; the rest go to its CSV attachment
  # signing:                         # sign reports with an Ed25519 key, by reference only
  #   key_env: AUDITLAKE_REPORT_KEY  # or key_file: /etc/auditlake/report-key.pem

# The reports \`auditlake run\` writes each run (a new file each time, named with the run id).
# period: previous-day | previous-week | month-to-date | previous-month (whole UTC days).
# Frameworks: \`auditlake report --help\` lists them.
reports:
  - framework: pci_dss_v4.0
    period: previous-day
    formats: [pdf]                   # pdf, json, csv, oscal
    out_dir: reports/out

# How long events are kept: "forever" (nothing pruned) or a number of days such as 400d.
# Whole UTC days older than that are pruned at the end of each run, keeping the hash chain
# verifiable; findings and reports are never pruned. PCI DSS 10.5.1 asks for 12 months.
retention:
  events: forever

# The nightly job's lock (\`auditlake run\`): a lock not refreshed for this long is taken over.
run:
  lock_stale_after: 30m

# Store encryption at rest (docs/security.md); the key by reference only.
store: {}
#  encryption:
#    key_env: AUDITLAKE_DB_KEY       # or key_file: /etc/auditlake/store.key

# Evidence checks (docs/integrity.md): CloudTrail's public keys, to verify digest files read from disk
# without network access (the S3 trail connector fetches them itself).
integrity: {}
#  cloudtrail_public_keys: cloudtrail-keys.json   # \`aws cloudtrail list-public-keys\` output

# Where \`auditlake run\` reports each run (docs/notifications.md). URLs that carry a token and
# every secret are NAMES of environment variables.
notifications:
  webhooks: []
  #  - name: soc
  #    url: https://hooks.example.com/auditlake
  #    secret_env: AUDITLAKE_WEBHOOK_SECRET   # HMAC-SHA256 signature header
  #    min_severity: medium
  slack: []
  #  - webhook_url_env: AUDITLAKE_SLACK_WEBHOOK_URL
  #    min_severity: high
  # email:
  #   smtp_host: smtp.example.com
  #   username_env: AUDITLAKE_SMTP_USER
  #   password_env: AUDITLAKE_SMTP_PASSWORD
  #   from: auditlake@example.com
  #   to: [secops@example.com]
`;

export function starterConfig(options: StarterOptions): string {
  return [
    HEADER,
    '# Where events come from: `auditlake run` ingests every source listed here.',
    'sources:',
    '  # Local export folders (CloudTrail trail trees, gcloud and sink exports, Azure storage',
    "  # exports), relative to this file's folder. Unchanged files are skipped by their checkpoint.",
    '  files: []',
    '  #  - name: trail-exports',
    '  #    paths: [exports/AWSLogs]',
    '',
    (options.aws ? AWS_ACTIVE : AWS_EXAMPLE).trimEnd(),
    '',
    (options.gcp ? GCP_ACTIVE : GCP_EXAMPLE).trimEnd(),
    '',
    (options.azure ? AZURE_ACTIVE : AZURE_EXAMPLE).trimEnd(),
    REST,
  ].join('\n');
}
