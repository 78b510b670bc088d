import { consoleLogin, humanIdentity, SDK_JAVA, type Session, secretRead } from './aws-activity.js';
import { AWS_RESOURCES, authorizeIngress } from './aws-calls.js';
import { type AzureRecord, armOperation, auditRecord, ROLE_DEFINITIONS, signInRecord, upn } from './azure.js';
import {
  accountId,
  assumedRole,
  type CtActor,
  type CtCall,
  type CtEvent,
  ctRecord,
  iamUser,
  rootIdentity,
  sessionKey,
  stableId,
} from './cloudtrail.js';
import {
  basePolicy,
  type GcpEntry,
  gcpEntry,
  k8sCall,
  podSpec,
  projectId,
  setIamPolicy,
} from './gcp-audit.js';
import { at, isoSeconds, MINUTE } from './period.js';
import { AZURE_SUBSCRIPTIONS, email, GCP_PROJECTS, HUMANS, human } from './principals.js';
import type { Rng } from './prng.js';

/** A planted incident: what happened, when, by whom, and the native ids of its key events. */
export interface Incident {
  id: string;
  title: string;
  cloud: 'aws' | 'gcp' | 'azure';
  time: string;
  actor: string;
  account: string;
  event_ids: string[];
  expect: string[];
}

export interface IncidentSet {
  incidents: Incident[];
  aws: CtEvent[];
  gcp: GcpEntry[];
  azure: AzureRecord[];
}

const ATTACKER_IP = '192.0.2.66';
const SPRAY_IP = '192.0.2.201';
/** The AWS CLI on a Linux laptop, as people and attackers run it. */
const LINUX_CLI =
  'aws-cli/2.18.12 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-48-generic md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off';
const CONSOLE_BROWSER =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36';

const ctId = (e: CtEvent): string => String(e.record.eventID);
const gcpId = (e: GcpEntry): string => String(e.entry.insertId);

/** Every incident, each from its own random stream so the rest of the data cannot shift it. */
export function generateIncidents(root: Rng): IncidentSet {
  const set: IncidentSet = { incidents: [], aws: [], gcp: [], azure: [] };
  const plan: [string, (rng: Rng, set: IncidentSet) => void][] = [
    ['root', rootLogin],
    ['bruteforce', bruteForceChain],
    ['admin-policy', adminPolicy],
    ['ssh-open', sshOpen],
    ['secrets', offHoursSecrets],
    ['instance-credentials', instanceCredentialTheft],
    ['kms', kmsDeletion],
    ['gcp-owner', gcpOwnerGmail],
    ['gcp-sink', gcpSinkDeleted],
    ['gke', gkeEscape],
    ['azure-owner', azureOwner],
    ['azure-diag', azureDiagnostics],
    ['spray', passwordSpray],
    ['entra-ga', entraGlobalAdmin],
  ];
  for (const [label, make] of plan) make(root.fork(`incident/${label}`), set);
  set.incidents.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  return set;
}

function rootLogin(rng: Rng, set: IncidentSet): void {
  const t = at(3, 14, 12, 37);
  const ip = '203.0.113.9';
  const login = ctRecord(
    rng,
    'prod',
    'us-east-1',
    t,
    { identity: rootIdentity('prod'), ip, userAgent: CONSOLE_BROWSER },
    {
      source: 'signin.amazonaws.com',
      name: 'ConsoleLogin',
      readOnly: false,
      request: null,
      response: { ConsoleLogin: 'Success' },
      additionalEventData: {
        LoginTo: 'https://console.aws.amazon.com/billing/home?state=hashArgs%23&isauthcode=true',
        MobileVersion: 'No',
        MFAUsed: 'No',
      },
      eventType: 'AwsConsoleSignIn',
      global: true,
    },
  );
  const key = sessionKey(rng);
  const actor: CtActor = {
    identity: rootIdentity('prod', key, { created: t, mfa: false }),
    ip,
    userAgent: CONSOLE_BROWSER,
    fromConsole: true,
  };
  const follow = [
    ctRecord(rng, 'prod', 'us-east-1', t + 41_000, actor, {
      source: 'iam.amazonaws.com',
      name: 'GetAccountSummary',
      readOnly: true,
      request: null,
      response: null,
      global: true,
    }),
    ctRecord(rng, 'prod', 'us-east-1', t + 95_000, actor, {
      source: 'account.amazonaws.com',
      name: 'GetContactInformation',
      readOnly: true,
      request: null,
      response: null,
    }),
  ];
  set.aws.push(login, ...follow);
  set.incidents.push({
    id: 'aws-root-console-login-no-mfa',
    title: 'Root user signed in to the console without MFA',
    cloud: 'aws',
    time: isoSeconds(t),
    actor: `arn:aws:iam::${accountId('prod')}:root`,
    account: accountId('prod'),
    event_ids: [ctId(login)],
    expect: ['root login', 'no mfa'],
  });
}

/** Guessed passwords for a legacy IAM user, a success from a new address, then persistence and evasion. */
function bruteForceChain(rng: Rng, set: IncidentSet): void {
  const omar = human('omar.haddad');
  const failures: CtEvent[] = [];
  let t = at(5, 2, 41, 3);
  const session: Session = { key: sessionKey(rng), created: 0, console: true, tool: 'cli' };
  for (let i = 0; i < 14; i++) {
    failures.push(consoleLogin(rng, omar, 'prod', t, session, ATTACKER_IP, false));
    t += rng.int(35, 95) * 1000;
  }
  session.created = t;
  const success = consoleLogin(rng, omar, 'prod', t, session, ATTACKER_IP, true);
  for (const e of [...failures, success]) e.record.userAgent = CONSOLE_BROWSER;
  set.aws.push(...failures, success);
  const actor: CtActor = {
    identity: humanIdentity(omar, 'prod', session),
    ip: ATTACKER_IP,
    userAgent: CONSOLE_BROWSER,
    fromConsole: true,
  };
  const recon = [
    ctRecord(rng, 'prod', 'us-east-1', t + 70_000, actor, {
      source: 'iam.amazonaws.com',
      name: 'ListUsers',
      readOnly: true,
      request: null,
      response: null,
      global: true,
    }),
    ctRecord(rng, 'prod', 'us-east-1', t + 150_000, actor, {
      source: 'iam.amazonaws.com',
      name: 'ListAccessKeys',
      readOnly: true,
      request: { userName: 'support-broker' },
      response: null,
      global: true,
    }),
  ];
  const keyTime = at(5, 3, 4, 12);
  const newKey = stableId('AKIA', 'prod/support-broker/attacker', 16);
  const createKey = ctRecord(rng, 'prod', 'us-east-1', keyTime, actor, {
    source: 'iam.amazonaws.com',
    name: 'CreateAccessKey',
    readOnly: false,
    request: { userName: 'support-broker' },
    response: {
      accessKey: {
        userName: 'support-broker',
        accessKeyId: newKey,
        status: 'Active',
        createDate: new Date(keyTime)
          .toUTCString()
          .replace('GMT', '')
          .trim()
          .replace(/^\w+, /, ''),
      },
    },
    global: true,
  });
  const stopTime = at(5, 3, 9, 48);
  const trailArn = `arn:aws:cloudtrail:us-east-1:${accountId('prod')}:trail/acme-prod-data-events`;
  const stop = ctRecord(rng, 'prod', 'us-east-1', stopTime, actor, {
    source: 'cloudtrail.amazonaws.com',
    name: 'StopLogging',
    readOnly: false,
    request: { name: trailArn },
    response: null,
    resources: [{ type: 'AWS::CloudTrail::Trail', arn: trailArn }],
  });
  const keyActor: CtActor = {
    identity: iamUser('prod', 'support-broker', { accessKeyId: newKey }),
    ip: ATTACKER_IP,
    userAgent:
      'aws-cli/2.17.0 md/awscrt#0.20.11 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#sts.get-caller-identity',
  };
  const useKey = ctRecord(rng, 'prod', 'us-east-1', at(5, 3, 14, 2), keyActor, {
    source: 'sts.amazonaws.com',
    name: 'GetCallerIdentity',
    readOnly: true,
    request: null,
    response: null,
  });
  set.aws.push(...recon, createKey, stop, useKey);
  const arn = `arn:aws:iam::${accountId('prod')}:user/${omar.slug}`;
  set.incidents.push(
    {
      id: 'aws-console-brute-force-then-success',
      title: '14 failed console sign-ins for an IAM user, then a success from a new address',
      cloud: 'aws',
      time: isoSeconds(at(5, 2, 41, 3)),
      actor: arn,
      account: accountId('prod'),
      event_ids: [...failures.map(ctId), ctId(success)],
      expect: ['failed logins', 'brute force', 'success after failures', 'new ip'],
    },
    {
      id: 'aws-access-key-for-other-user',
      title: 'Access key created for another IAM user (support-broker) and used from the same address',
      cloud: 'aws',
      time: isoSeconds(keyTime),
      actor: arn,
      account: accountId('prod'),
      event_ids: [ctId(createKey), ctId(useKey)],
      expect: ['access key created for other user', 'persistence'],
    },
    {
      id: 'aws-cloudtrail-stop-logging',
      title: 'CloudTrail trail stopped (StopLogging on acme-prod-data-events)',
      cloud: 'aws',
      time: isoSeconds(stopTime),
      actor: arn,
      account: accountId('prod'),
      event_ids: [ctId(stop)],
      expect: ['cloudtrail stopped', 'defense evasion'],
    },
  );
}

function ssoActor(
  slug: string,
  account: 'prod' | 'dev',
  t: number,
  rng: Rng,
  ip: string,
  console = false,
): CtActor {
  const h = human(slug);
  const session: Session = { key: sessionKey(rng), created: t - 15 * MINUTE, console, tool: 'cli' };
  return {
    identity: humanIdentity(h, account, session),
    ip,
    userAgent: console ? h.browser : LINUX_CLI,
    ...(console ? { fromConsole: true } : {}),
  };
}

function adminPolicy(rng: Rng, set: IncidentSet): void {
  const t = at(9, 16, 22, 5);
  const priya = human('priya.raman');
  const actor = ssoActor('priya.raman', 'dev', t, rng, priya.office, true);
  const policyArn = 'arn:aws:iam::aws:policy/AdministratorAccess';
  const e = ctRecord(rng, 'dev', 'us-east-1', t, actor, {
    source: 'iam.amazonaws.com',
    name: 'AttachUserPolicy',
    readOnly: false,
    request: { userName: 'jenkins-legacy', policyArn },
    response: null,
    global: true,
  });
  set.aws.push(e);
  set.incidents.push({
    id: 'aws-admin-policy-attached-to-user',
    title: 'AdministratorAccess attached directly to IAM user jenkins-legacy',
    cloud: 'aws',
    time: isoSeconds(t),
    actor: String(actor.identity.arn),
    account: accountId('dev'),
    event_ids: [ctId(e)],
    expect: ['admin policy attached', 'privilege escalation'],
  });
}

function sshOpen(rng: Rng, set: IncidentSet): void {
  const t = at(10, 20, 47, 31);
  const tomas = human('tomas.garcia');
  const actor = ssoActor('tomas.garcia', 'prod', t, rng, tomas.home, true);
  const group = AWS_RESOURCES.prod.securityGroups[0];
  const e = ctRecord(
    rng,
    'prod',
    'eu-west-1',
    t,
    actor,
    authorizeIngress(group, 22, '0.0.0.0/0')(rng, { account: 'prod', region: 'eu-west-1', time: t }),
  );
  set.aws.push(e);
  set.incidents.push({
    id: 'aws-security-group-ssh-open-to-world',
    title: 'Security group opened to 0.0.0.0/0 on port 22',
    cloud: 'aws',
    time: isoSeconds(t),
    actor: String(actor.identity.arn),
    account: accountId('prod'),
    event_ids: [ctId(e)],
    expect: ['security group open to world', 'port 22'],
  });
}

function offHoursSecrets(rng: Rng, set: IncidentSet): void {
  // 03:00 in Berlin is 02:00 UTC.
  const start = at(12, 2, 0, 14);
  const lukas = human('lukas.becker');
  const actor = ssoActor('lukas.becker', 'prod', start, rng, lukas.home);
  actor.userAgent = `${actor.userAgent} md/command#secretsmanager.get-secret-value`;
  const reads: CtEvent[] = [];
  let t = start;
  const secrets = AWS_RESOURCES.prod.secrets;
  for (let i = 0; i < 24; i++) {
    const secret = secrets[i % secrets.length] ?? 'prod/payments/db-password';
    const [read, decrypt] = secretRead(rng, 'prod', 'us-east-1', t, actor, secret);
    if (read) reads.push(read);
    set.aws.push(...(read ? [read] : []), ...(decrypt ? [decrypt] : []));
    t += rng.int(8, 60) * 1000;
  }
  set.incidents.push({
    id: 'aws-off-hours-secret-reads',
    title: 'Burst of 24 GetSecretValue calls by a developer at 03:00 local time',
    cloud: 'aws',
    time: isoSeconds(start),
    actor: String(actor.identity.arn),
    account: accountId('prod'),
    event_ids: reads.map(ctId),
    expect: ['off hours', 'secret access burst'],
  });
}

/**
 * SSRF against a web server's metadata service (IMDSv1): its role credentials, used all morning from
 * the instance's NAT address, are replayed from an outside address for reconnaissance.
 */
function instanceCredentialTheft(rng: Rng, set: IncidentSet): void {
  const instance = 'i-0f1e2d3c4b5a69788';
  const role = { account: 'prod' as const, name: 'acme-web-frontend-role' };
  const start = at(9, 6, 0, 0);
  const identity = assumedRole(role, instance, { created: start, accessKeyId: sessionKey(rng) });
  // IMDSv1 delivered these credentials: what made the SSRF work
  const context = identity.sessionContext;
  if (context && typeof context === 'object' && !Array.isArray(context)) context.ec2RoleDelivery = '1.0';
  const natIp = '198.51.100.23';
  const app: CtActor = { identity, ip: natIp, userAgent: SDK_JAVA };
  for (let t = start; t < at(9, 12); t += rng.int(8, 14) * MINUTE) {
    set.aws.push(
      ctRecord(rng, 'prod', 'us-east-1', t, app, {
        source: 'ec2.amazonaws.com',
        name: 'DescribeTags',
        readOnly: true,
        request: {
          filterSet: { items: [{ name: 'resource-id', valueSet: { items: [{ value: instance }] } }] },
        },
        response: null,
      }),
    );
  }
  const thief: CtActor = { identity, ip: ATTACKER_IP, userAgent: LINUX_CLI };
  let t = at(9, 9, 41, 12);
  const recon = (
    [
      { source: 'sts.amazonaws.com', name: 'GetCallerIdentity', request: null },
      { source: 's3.amazonaws.com', name: 'ListBuckets', request: { Host: 's3.amazonaws.com' } },
      {
        source: 'iam.amazonaws.com',
        name: 'ListAttachedRolePolicies',
        request: { roleName: role.name },
        global: true,
      },
      {
        source: 'iam.amazonaws.com',
        name: 'ListRolePolicies',
        request: { roleName: role.name },
        global: true,
      },
    ] as Omit<CtCall, 'readOnly' | 'response'>[]
  ).map((call) => {
    t += rng.int(20, 90) * 1000;
    return ctRecord(rng, 'prod', 'us-east-1', t, thief, { ...call, readOnly: true, response: null });
  });
  set.aws.push(...recon);
  set.incidents.push({
    id: 'aws-instance-credentials-exfiltrated',
    title: "A web server's instance role credentials replayed from an outside address",
    cloud: 'aws',
    time: isoSeconds(recon[0] ? recon[0].time : t),
    actor: String(identity.arn),
    account: accountId('prod'),
    event_ids: recon.map(ctId),
    expect: ['instance credentials', 'used outside the instance'],
  });
}

function kmsDeletion(rng: Rng, set: IncidentSet): void {
  const t = at(13, 17, 35, 9);
  const daniel = human('daniel.okafor');
  const actor = ssoActor('daniel.okafor', 'prod', t, rng, daniel.office, true);
  const keyId = '0b7e5c3a-1f9d-4e2b-8a6c-4d2f0e8b6a1c';
  const keyArn = `arn:aws:kms:us-east-1:${accountId('prod')}:key/${keyId}`;
  const e = ctRecord(rng, 'prod', 'us-east-1', t, actor, {
    source: 'kms.amazonaws.com',
    name: 'ScheduleKeyDeletion',
    readOnly: false,
    request: { keyId, pendingWindowInDays: 7 },
    response: {
      keyId: keyArn,
      deletionDate: 'Nov 20, 2026, 5:35:09 PM',
      keyState: 'PendingDeletion',
      pendingWindowInDays: 7,
    },
    resources: [{ type: 'AWS::KMS::Key', arn: keyArn }],
  });
  set.aws.push(e);
  set.incidents.push({
    id: 'aws-kms-key-scheduled-for-deletion',
    title: 'KMS key (acme-prod-invoices) scheduled for deletion',
    cloud: 'aws',
    time: isoSeconds(t),
    actor: String(actor.identity.arn),
    account: accountId('prod'),
    event_ids: [ctId(e)],
    expect: ['kms key deletion', 'impact'],
  });
}

function gcpOwnerGmail(rng: Rng, set: IncidentSet): void {
  const t = at(6, 22, 14, 52);
  const daniel = human('daniel.okafor');
  const outsider = 'user:dan.okafor.home@gmail.com';
  const bindings = basePolicy('prod').map((b) =>
    b.role === 'roles/owner' ? { role: b.role, members: [...b.members, outsider] } : b,
  );
  const e = gcpEntry(
    rng,
    'prod',
    t,
    {
      email: email(daniel),
      ip: daniel.home,
      userAgent:
        'google-cloud-sdk gcloud/499.0.0 command/gcloud.projects.add-iam-policy-binding invocation-id/2b4d6f8a0c1e3a5c7e9b1d3f5a7c9e1b environment/None environment-version/None client-os/LINUX client-os-ver/6.8.0 client-pltf-arch/x86_64 interactive/True from-script/False python/3.12.3 term/xterm-256color (Linux 6.8.0-48-generic),gzip(gfe)',
    },
    setIamPolicy(
      'prod',
      bindings,
      [{ action: 'ADD', role: 'roles/owner', member: outsider }],
      'BwYoK3xQ1aE=',
    ),
  );
  set.gcp.push(e);
  set.incidents.push({
    id: 'gcp-owner-granted-to-gmail',
    title: 'roles/owner on acme-prod-1 granted to an outside gmail.com account',
    cloud: 'gcp',
    time: String(e.entry.timestamp),
    actor: email(daniel),
    account: projectId('prod'),
    event_ids: [gcpId(e)],
    expect: ['owner granted', 'external member', 'gmail.com'],
  });
}

function gcpSinkDeleted(rng: Rng, set: IncidentSet): void {
  const t = at(11, 1, 52, 18);
  const p = GCP_PROJECTS.prod;
  const caller = {
    email: `terraform@${p.id}.iam.gserviceaccount.com`,
    ip: '192.0.2.140',
    userAgent: 'google-api-python-client/2.151.0 (gzip),gzip(gfe)',
  };
  const sink = `projects/${p.id}/sinks/audit-to-siem`;
  const list = gcpEntry(rng, 'prod', t - 40_000, caller, {
    logType: 'data_access',
    service: 'logging.googleapis.com',
    method: 'google.logging.v2.ConfigServiceV2.ListSinks',
    resourceName: `projects/${p.id}`,
    resource: { type: 'logging_sink', labels: { project_id: p.id, name: '', destination: '' } },
    permissions: [{ permission: 'logging.sinks.list', type: 'logging.googleapis.com/LogSink' }],
    permissionType: 'ADMIN_READ',
  });
  const del = gcpEntry(rng, 'prod', t, caller, {
    logType: 'activity',
    service: 'logging.googleapis.com',
    method: 'google.logging.v2.ConfigServiceV2.DeleteSink',
    resourceName: sink,
    resource: {
      type: 'logging_sink',
      labels: {
        project_id: p.id,
        name: 'audit-to-siem',
        destination: `pubsub.googleapis.com/projects/${p.id}/topics/audit-to-siem`,
      },
    },
    permissions: [
      { permission: 'logging.sinks.delete', resource: sink, type: 'logging.googleapis.com/LogSink' },
    ],
    permissionType: 'ADMIN_WRITE',
    request: { '@type': 'type.googleapis.com/google.logging.v2.DeleteSinkRequest', sinkName: sink },
    severity: 'NOTICE',
  });
  set.gcp.push(list, del);
  set.incidents.push({
    id: 'gcp-log-sink-deleted',
    title: 'Log sink audit-to-siem deleted by the terraform service account from an unknown address',
    cloud: 'gcp',
    time: String(del.entry.timestamp),
    actor: caller.email,
    account: p.id,
    event_ids: [gcpId(del)],
    expect: ['log sink deleted', 'defense evasion', 'service account from new ip'],
  });
}

function gkeEscape(rng: Rng, set: IncidentSet): void {
  const ravi = human('ravi.iyer');
  const caller = {
    email: email(ravi),
    ip: ravi.home,
    userAgent: 'kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46',
  };
  const t1 = at(8, 23, 31, 7);
  const pod = 'debug-tools';
  const spec = podSpec('default', pod, 'docker.io/library/alpine:3.20', {
    command: ['sleep', 'infinity'],
    securityContext: { privileged: true },
    volumeMounts: [{ name: 'docker-sock', mountPath: '/var/run/docker.sock' }],
  });
  const podSpecBody = spec.spec;
  if (podSpecBody && typeof podSpecBody === 'object' && !Array.isArray(podSpecBody)) {
    podSpecBody.volumes = [
      { name: 'docker-sock', hostPath: { path: '/var/run/docker.sock', type: 'Socket' } },
    ];
    podSpecBody.hostPID = true;
  }
  const create = gcpEntry(
    rng,
    'prod',
    t1,
    caller,
    k8sCall('prod', 'create', 'core', 'pods', 'default', pod, {
      request: spec,
      response: { ...spec, status: { phase: 'Pending', qosClass: 'BestEffort' } },
    }),
  );
  const t2 = at(8, 23, 36, 44);
  const target = 'payments-api-7d9f8b6c5-x2kq9';
  const exec = gcpEntry(
    rng,
    'prod',
    t2,
    { ...caller, userAgent: 'kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46' },
    k8sCall('prod', 'create', 'core', 'pods', 'payments', target, { subresource: 'exec' }),
  );
  set.gcp.push(create, exec);
  set.incidents.push(
    {
      id: 'gke-pod-mounts-docker-socket',
      title: 'Privileged pod created with a hostPath volume mounting /var/run/docker.sock',
      cloud: 'gcp',
      time: String(create.entry.timestamp),
      actor: email(ravi),
      account: projectId('prod'),
      event_ids: [gcpId(create)],
      expect: ['hostpath docker.sock', 'privileged pod', 'container escape'],
    },
    {
      id: 'gke-exec-into-production-pod',
      title: 'kubectl exec into a production payments pod',
      cloud: 'gcp',
      time: String(exec.entry.timestamp),
      actor: email(ravi),
      account: projectId('prod'),
      event_ids: [gcpId(exec)],
      expect: ['pod exec', 'production namespace'],
    },
  );
}

function azureOwner(rng: Rng, set: IncidentSet): void {
  const t = at(4, 19, 3, 26);
  const kwame = human('kwame.mensah');
  const sub = AZURE_SUBSCRIPTIONS.prod;
  const assignment = '6f1d3b5a-7c9e-4b1d-8f3a-5c7e9b1d3f5a';
  const guest = 'e8c6a4f2-0d1b-4e3c-9a5f-7b9d1c3e5a7f';
  const roleDefinitionId = `/subscriptions/${sub.id}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_DEFINITIONS.Owner}`;
  const records = armOperation(
    rng,
    t,
    {
      kind: 'user',
      human: kwame,
      ip: kwame.home,
      app: { id: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c', name: 'Azure Portal' },
    },
    {
      subscription: 'prod',
      resource: `providers/Microsoft.Authorization/roleAssignments/${assignment}`,
      operation: 'Microsoft.Authorization/roleAssignments/write',
      role: 'Owner',
      requestBody: {
        Id: assignment,
        Properties: {
          PrincipalId: guest,
          PrincipalType: 'User',
          RoleDefinitionId: roleDefinitionId,
          Scope: `/subscriptions/${sub.id}`,
          Condition: null,
          ConditionVersion: null,
        },
      },
      responseBody: {
        properties: {
          roleDefinitionId,
          principalId: guest,
          principalType: 'User',
          scope: `/subscriptions/${sub.id}`,
          createdBy: null,
          createdOn: new Date(t).toISOString(),
          delegatedManagedIdentityResourceId: null,
        },
        id: `/subscriptions/${sub.id}/providers/Microsoft.Authorization/roleAssignments/${assignment}`,
        type: 'Microsoft.Authorization/roleAssignments',
        name: assignment,
      },
    },
  );
  set.azure.push(...records);
  set.incidents.push({
    id: 'azure-owner-role-assigned',
    title: 'Owner role assigned on the acme-prod subscription to a guest user',
    cloud: 'azure',
    time: String(records[0]?.record.time),
    actor: upn(kwame),
    account: sub.id,
    event_ids: [records[0]?.id ?? ''],
    expect: ['owner role assignment', 'privileged role', 'subscription scope'],
  });
}

function azureDiagnostics(rng: Rng, set: IncidentSet): void {
  const t = at(12, 23, 48, 2);
  const olivia = human('olivia.brown');
  const records = armOperation(
    rng,
    t,
    {
      kind: 'user',
      human: olivia,
      ip: '192.0.2.23',
      app: { id: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', name: 'Microsoft Azure CLI' },
    },
    {
      subscription: 'prod',
      resource: 'providers/microsoft.insights/diagnosticSettings/activity-to-sentinel',
      operation: 'microsoft.insights/diagnosticSettings/delete',
      role: 'Contributor',
      statusCode: 'OK',
    },
  );
  set.azure.push(...records);
  set.incidents.push({
    id: 'azure-diagnostic-setting-deleted',
    title: 'Subscription diagnostic setting activity-to-sentinel deleted from an unfamiliar address',
    cloud: 'azure',
    time: String(records[0]?.record.time),
    actor: upn(olivia),
    account: AZURE_SUBSCRIPTIONS.prod.id,
    event_ids: [records[0]?.id ?? ''],
    expect: ['diagnostic setting deleted', 'defense evasion'],
  });
}

function passwordSpray(rng: Rng, set: IncidentSet): void {
  let t = at(10, 4, 10, 12);
  const start = t;
  const location = { city: 'Amsterdam', state: 'Noord-Holland', country: 'NL', lat: 52.3676, lon: 4.9041 };
  const app = { id: '00000002-0000-0ff1-ce00-000000000000', name: 'Office 365 Exchange Online' };
  const failures: AzureRecord[] = [];
  const targets = HUMANS.filter((h) => h.slug !== 'jack.thompson');
  for (const h of targets) {
    failures.push(
      signInRecord(rng, t, {
        human: h,
        ip: SPRAY_IP,
        app,
        errorCode: 50126,
        mfa: false,
        clientApp: 'Authenticated SMTP',
        location,
        browser: '',
        os: '',
      }),
    );
    t += rng.int(30, 75) * 1000;
  }
  const jack = human('jack.thompson');
  const win = signInRecord(rng, t + 20_000, {
    human: jack,
    ip: SPRAY_IP,
    app,
    errorCode: 0,
    mfa: false,
    clientApp: 'Authenticated SMTP',
    location,
    browser: '',
    os: '',
  });
  set.azure.push(...failures, win);
  set.incidents.push({
    id: 'entra-password-spray',
    title: `Password spray: ${failures.length} users fail with 50126 from one address, then jack.thompson signs in (legacy auth, single factor)`,
    cloud: 'azure',
    time: String(failures[0]?.record.time ?? isoSeconds(start)),
    actor: SPRAY_IP,
    account: 'tenant',
    event_ids: [...failures.map((f) => f.id), win.id],
    expect: ['password spray', 'many users one ip', 'success after spray', 'legacy authentication'],
  });
}

function entraGlobalAdmin(rng: Rng, set: IncidentSet): void {
  const t = at(13, 21, 17, 40);
  const kwame = human('kwame.mensah');
  const chloe = human('chloe.martin');
  const record = auditRecord(rng, t, {
    activity: 'Add member to role',
    category: 'RoleManagement',
    operationType: 'Assign',
    by: { human: kwame, ip: kwame.home },
    targets: [
      {
        id: chloe.objectId,
        displayName: null,
        type: 'User',
        userPrincipalName: upn(chloe),
        modifiedProperties: [
          {
            displayName: 'Role.ObjectID',
            oldValue: null,
            newValue: '"3f9d1b5e-7a2c-4e8b-9d0f-1c3e5a7b9d2e"',
          },
          { displayName: 'Role.DisplayName', oldValue: null, newValue: '"Global Administrator"' },
          {
            displayName: 'Role.TemplateId',
            oldValue: null,
            newValue: '"62e90394-69f5-4237-9190-012177145e10"',
          },
        ],
      },
    ],
  });
  set.azure.push(record);
  set.incidents.push({
    id: 'entra-global-admin-assigned',
    title: 'Global Administrator role given to an HR user, late in the evening',
    cloud: 'azure',
    time: String(record.record.time),
    actor: upn(kwame),
    account: 'tenant',
    event_ids: [record.id],
    expect: ['privileged directory role', 'global administrator'],
  });
}
