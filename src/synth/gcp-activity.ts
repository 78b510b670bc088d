import {
  type GcpCall,
  type GcpCaller,
  type GcpEntry,
  gcpEntry,
  k8sCall,
  podSpec,
  projectId,
  projectResource,
} from './gcp-audit.js';
import { HOUR, MINUTE, PERIOD_DAYS, PERIOD_START } from './period.js';
import {
  daysOffFor,
  email,
  GCP_ORG,
  GCP_PROJECTS,
  type GcpProjectKey,
  HUMANS,
  type Human,
  humanRhythm,
  ipFor,
} from './principals.js';
import type { Rng } from './prng.js';

/** Everyday Google Cloud activity in the two projects. */
export function generateGcpActivity(root: Rng, days: readonly number[]): GcpEntry[] {
  const out: GcpEntry[] = [];
  for (const h of HUMANS) if (h.gcp) out.push(...humanActivity(root.fork(`gcp/human/${h.slug}`), h, days));
  for (const day of days) {
    const rng = root.fork(`gcp/machines/${day}`);
    out.push(...gkeSystem(rng.fork('gke'), day));
    out.push(...etl(rng.fork('etl'), day));
    out.push(...terraform(rng.fork('tf'), day));
    out.push(...gceEvents(rng.fork('gce'), day));
  }
  return out;
}

const KUBECTL = 'kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46';
const GCLOUD = (command: string) =>
  `google-cloud-sdk gcloud/499.0.0 command/gcloud.${command} invocation-id/7c1d9e2f4a6b8c0d1e3f5a7b9c2d4e6f environment/None environment-version/None client-os/MACOSX client-os-ver/24.1.0 client-pltf-arch/arm interactive/True from-script/False python/3.12.7 term/xterm-256color (Macintosh; Intel Mac OS X 24.1.0),gzip(gfe)`;
const BQ_CONSOLE =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36,gzip(gfe),gzip(gfe)';

const NAMESPACES = ['payments', 'orders', 'storefront', 'checkout'];

function workload(rng: Rng, namespace: string): string {
  return `${namespace}-api-${rng.pick(['7d9f8b6c5', '5c4b7f9d8', '6f8d9c7b4'])}-${rng.lowerAlnum(5)}`;
}

function devCall(rng: Rng, project: GcpProjectKey): GcpCall {
  const ns = rng.pick(NAMESPACES);
  return rng.weighted<GcpCall>([
    [k8sCall(project, 'list', 'core', 'pods', ns, null), 8],
    [k8sCall(project, 'get', 'core', 'pods', ns, workload(rng, ns)), 4],
    [k8sCall(project, 'get', 'core', 'pods', ns, workload(rng, ns), { subresource: 'log' }), 5],
    [k8sCall(project, 'get', 'apps', 'deployments', ns, `${ns}-api`), 3],
    [k8sCall(project, 'list', 'core', 'events', ns, null), 2],
    [
      k8sCall(project, 'patch', 'apps', 'deployments', ns, `${ns}-api`, {
        request: { '@type': 'k8s.io/Patch', spec: { replicas: rng.int(2, 6) } },
      }),
      0.5,
    ],
    [k8sCall(project, 'update', 'core', 'configmaps', ns, `${ns}-config`), 0.4],
    [secretAccess(project, `${ns}-db-password`), 1],
    [storageRead(project, `${projectId(project)}-assets`, `static/${rng.hex(8)}.js`, false), 1],
  ]);
}

function dataCall(rng: Rng, project: GcpProjectKey): GcpCall {
  const id = projectId(project);
  return rng.weighted<GcpCall>([
    [bqJob(rng, project), 8],
    [
      {
        logType: 'data_access',
        service: 'bigquery.googleapis.com',
        method: rng.pick([
          'google.cloud.bigquery.v2.TableService.GetTable',
          'google.cloud.bigquery.v2.TableService.ListTables',
          'google.cloud.bigquery.v2.DatasetService.GetDataset',
        ]),
        resourceName: `projects/${id}/datasets/${rng.pick(['analytics', 'finance_reporting', 'ml_features'])}/tables/${rng.pick(['orders_curated', 'sessions', 'revenue_daily'])}`,
        resource: { type: 'bigquery_dataset', labels: { project_id: id, dataset_id: 'analytics' } },
        permissions: [{ permission: 'bigquery.tables.get', type: 'bigquery.googleapis.com/Table' }],
        permissionType: 'ADMIN_READ',
      },
      4,
    ],
    [
      storageRead(
        project,
        `${id}-lake`,
        `curated/orders/dt=2026-11-0${rng.int(1, 9)}/part-${rng.int(0, 63)}.parquet`,
        true,
      ),
      4,
    ],
    [
      {
        logType: 'data_access',
        service: 'storage.googleapis.com',
        method: 'storage.objects.list',
        resourceName: `projects/_/buckets/${id}-lake`,
        resource: {
          type: 'gcs_bucket',
          labels: { project_id: id, bucket_name: `${id}-lake`, location: 'europe-west4' },
        },
        permissions: [{ permission: 'storage.objects.list', type: 'storage.googleapis.com/Bucket' }],
        permissionType: 'DATA_READ',
      },
      2,
    ],
    [
      {
        logType: 'activity',
        service: 'aiplatform.googleapis.com',
        method: 'google.cloud.aiplatform.v1.JobService.CreateCustomJob',
        resourceName: `projects/${GCP_PROJECTS[project].number}/locations/europe-west4/customJobs/${rng.int(1_000_000_000, 9_999_999_999)}`,
        resource: {
          type: 'aiplatform.googleapis.com/CustomJob',
          labels: { resource_container: GCP_PROJECTS[project].number, location: 'europe-west4' },
        },
        permissions: [
          { permission: 'aiplatform.customJobs.create', resource: `projects/${id}/locations/europe-west4` },
        ],
        permissionType: 'ADMIN_WRITE',
        request: {
          '@type': 'type.googleapis.com/google.cloud.aiplatform.v1.CreateCustomJobRequest',
          parent: `projects/${id}/locations/europe-west4`,
          customJob: { displayName: `churn-train-${rng.hex(6)}` },
        },
      },
      0.5,
    ],
  ]);
}

function adminCall(rng: Rng, project: GcpProjectKey): GcpCall {
  const name = `projects/${projectId(project)}`;
  return rng.weighted<GcpCall>([
    [
      {
        logType: 'data_access',
        service: 'cloudresourcemanager.googleapis.com',
        method: 'GetIamPolicy',
        resourceName: name,
        resource: projectResource(project),
        permissions: [
          {
            permission: 'resourcemanager.projects.getIamPolicy',
            type: 'cloudresourcemanager.googleapis.com/Project',
          },
        ],
        permissionType: 'ADMIN_READ',
        request: {
          '@type': 'type.googleapis.com/google.iam.v1.GetIamPolicyRequest',
          resource: projectId(project),
          options: { requestedPolicyVersion: 3 },
        },
      },
      3,
    ],
    [
      {
        logType: 'data_access',
        service: 'iam.googleapis.com',
        method: 'google.iam.admin.v1.ListServiceAccounts',
        resourceName: name,
        resource: {
          type: 'service_account',
          labels: { project_id: projectId(project), email_id: '', unique_id: '' },
        },
        permissions: [{ permission: 'iam.serviceAccounts.list', type: 'iam.googleapis.com/ServiceAccount' }],
        permissionType: 'ADMIN_READ',
      },
      2,
    ],
    [
      {
        logType: 'data_access',
        service: 'logging.googleapis.com',
        method: 'google.logging.v2.ConfigServiceV2.ListSinks',
        resourceName: name,
        resource: {
          type: 'logging_sink',
          labels: { project_id: projectId(project), name: '', destination: '' },
        },
        permissions: [{ permission: 'logging.sinks.list', type: 'logging.googleapis.com/LogSink' }],
        permissionType: 'ADMIN_READ',
      },
      1,
    ],
    [devCall(rng, project), 5],
  ]);
}

function secretAccess(project: GcpProjectKey, secret: string): GcpCall {
  const p = GCP_PROJECTS[project];
  const name = `projects/${p.number}/secrets/${secret}/versions/latest`;
  return {
    logType: 'data_access',
    service: 'secretmanager.googleapis.com',
    method: 'google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion',
    resourceName: name,
    resource: {
      type: 'audited_resource',
      labels: {
        project_id: p.id,
        service: 'secretmanager.googleapis.com',
        method: 'google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion',
      },
    },
    permissions: [
      { permission: 'secretmanager.versions.access', type: 'secretmanager.googleapis.com/SecretVersion' },
    ],
    permissionType: 'DATA_READ',
    request: {
      '@type': 'type.googleapis.com/google.cloud.secretmanager.v1.AccessSecretVersionRequest',
      name,
    },
  };
}

function storageRead(project: GcpProjectKey, bucket: string, object: string, lake: boolean): GcpCall {
  return {
    logType: 'data_access',
    service: 'storage.googleapis.com',
    method: 'storage.objects.get',
    resourceName: `projects/_/buckets/${bucket}/objects/${object}`,
    resource: {
      type: 'gcs_bucket',
      labels: {
        project_id: projectId(project),
        bucket_name: bucket,
        location: lake ? 'europe-west4' : 'europe-west1',
      },
    },
    permissions: [{ permission: 'storage.objects.get', type: 'storage.googleapis.com/Object' }],
    permissionType: 'DATA_READ',
  };
}

function bqJob(rng: Rng, project: GcpProjectKey): GcpCall {
  const id = projectId(project);
  const job = `bquxjob_${rng.hex(8)}_${rng.hex(11)}`;
  return {
    logType: 'data_access',
    service: 'bigquery.googleapis.com',
    method: 'google.cloud.bigquery.v2.JobService.InsertJob',
    resourceName: `projects/${id}/jobs/${job}`,
    resource: { type: 'bigquery_project', labels: { project_id: id, location: 'EU' } },
    permissions: [
      {
        permission: 'bigquery.jobs.create',
        resource: `projects/${id}`,
        type: 'cloudresourcemanager.googleapis.com/Project',
      },
    ],
    permissionType: 'DATA_WRITE',
    metadata: {
      '@type': 'type.googleapis.com/google.cloud.audit.BigQueryAuditMetadata',
      jobInsertion: {
        job: {
          jobName: `projects/${id}/jobs/${job}`,
          jobConfig: {
            type: 'QUERY',
            queryConfig: {
              query: rng.pick([
                'SELECT order_date, SUM(total_eur) FROM analytics.orders_curated GROUP BY 1',
                'SELECT * FROM analytics.sessions WHERE dt = CURRENT_DATE() LIMIT 1000',
                'CREATE OR REPLACE TABLE ml_features.churn_v3 AS SELECT * FROM analytics.customer_rollup',
              ]),
              statementType: 'SELECT',
              priority: 'QUERY_INTERACTIVE',
            },
          },
          jobStatus: { jobState: 'DONE' },
          jobStats: {
            totalProcessedBytes: String(rng.int(10_000_000, 90_000_000_000)),
            totalBilledBytes: String(rng.int(10_485_760, 90_000_000_000)),
          },
        },
        reason: 'JOB_INSERT_REASON_UNSPECIFIED',
      },
    },
  };
}

function callerFor(h: Human, t: number, rng: Rng, call: GcpCall): GcpCaller {
  const ip = ipFor(h, t, rng);
  if (call.k8s) return { email: email(h), ip, userAgent: KUBECTL };
  if (call.service === 'bigquery.googleapis.com') return { email: email(h), ip, userAgent: BQ_CONSOLE };
  return { email: email(h), ip, userAgent: rng.chance(0.5) ? GCLOUD('projects.get-iam-policy') : h.browser };
}

function humanActivity(rng: Rng, h: Human, days: readonly number[]): GcpEntry[] {
  const projects = h.gcp?.projects ?? [];
  const out: GcpEntry[] = [];
  const off = daysOffFor(h, rng.fork('days-off'), PERIOD_START, PERIOD_DAYS);
  for (const day of days) {
    const dayRng = rng.fork(String(day));
    for (let hour = 0; hour < 24; hour++) {
      const bursts = dayRng.poisson(h.pace * 0.09 * humanRhythm(h, day + hour * HOUR, off));
      for (let b = 0; b < bursts; b++) {
        const project = dayRng.chance(0.75) ? (projects[0] ?? 'prod') : dayRng.pick(projects);
        let t = day + hour * HOUR + dayRng.int(0, 59 * MINUTE);
        const n = dayRng.int(1, 4);
        for (let i = 0; i < n; i++) {
          t += dayRng.int(2, 60) * 1000;
          const call =
            h.duty === 'data'
              ? dataCall(dayRng, project)
              : h.duty === 'admin' || h.duty === 'security'
                ? adminCall(dayRng, project)
                : devCall(dayRng, project);
          out.push(gcpEntry(dayRng, project, t, callerFor(h, t, dayRng, call), call));
        }
      }
    }
  }
  return out;
}

function gkeSystem(rng: Rng, day: number): GcpEntry[] {
  const out: GcpEntry[] = [];
  for (const project of ['prod', 'data'] as const) {
    const p = GCP_PROJECTS[project];
    for (let hour = 0; hour < 24; hour++) {
      for (let i = 0; i < rng.poisson(project === 'prod' ? 0.4 : 0.2); i++) {
        const t = day + hour * HOUR + rng.int(0, HOUR - 1);
        const holder = rng.pick(['gcp-controller-manager', 'kube-scheduler', 'kube-controller-manager']);
        const call = k8sCall(project, 'update', 'coordination', 'leases', 'kube-system', holder, {
          reason: `RBAC: allowed by ClusterRoleBinding "system:${holder}" of ClusterRole "system:${holder}" to User "system:${holder}"`,
        });
        out.push(
          gcpEntry(
            rng,
            project,
            t,
            {
              email: `system:${holder}`,
              ip: '172.16.0.3',
              userAgent: `${holder}/v1.30.5 (linux/amd64) kubernetes/$Format/leader-election`,
            },
            call,
          ),
        );
      }
      if (rng.chance(0.15)) {
        const ns = rng.pick(NAMESPACES);
        const call = k8sCall(project, 'list', 'core', 'pods', ns, null, {
          reason:
            'RBAC: allowed by ClusterRoleBinding "prometheus-k8s" of ClusterRole "prometheus-k8s" to ServiceAccount "prometheus-k8s/monitoring"',
        });
        const t = day + hour * HOUR + rng.int(0, HOUR - 1);
        out.push(
          gcpEntry(
            rng,
            project,
            t,
            {
              email: 'system:serviceaccount:monitoring:prometheus-k8s',
              ip: '10.8.0.14',
              userAgent: 'prometheus/v2.55.0',
            },
            call,
          ),
        );
      }
      const weekday = new Date(day).getUTCDay();
      if (project === 'prod' && hour >= 8 && hour < 22 && weekday !== 0 && weekday !== 6 && rng.chance(0.2)) {
        const ns = rng.pick(NAMESPACES);
        const t = day + hour * HOUR + rng.int(0, HOUR - 1);
        const call = k8sCall(project, 'patch', 'apps', 'deployments', ns, `${ns}-api`, {
          request: {
            '@type': 'k8s.io/Patch',
            spec: {
              template: {
                spec: {
                  containers: [
                    {
                      name: `${ns}-api`,
                      image: `europe-west1-docker.pkg.dev/${p.id}/apps/${ns}-api:${rng.hex(7)}`,
                    },
                  ],
                },
              },
            },
          },
          reason:
            'RBAC: allowed by ClusterRoleBinding "argocd-application-controller" of ClusterRole "argocd-application-controller" to ServiceAccount "argocd-application-controller/argocd"',
        });
        out.push(
          gcpEntry(
            rng,
            project,
            t,
            {
              email: 'system:serviceaccount:argocd:argocd-application-controller',
              ip: '10.8.1.22',
              userAgent: 'argocd-application-controller/v2.13.1 (linux/amd64) kubernetes/$Format',
            },
            call,
          ),
        );
        const pod = workload(rng, ns);
        const create = k8sCall(project, 'create', 'core', 'pods', ns, pod, {
          request: podSpec(ns, pod, `europe-west1-docker.pkg.dev/${p.id}/apps/${ns}-api:${rng.hex(7)}`),
          reason:
            'RBAC: allowed by ClusterRoleBinding "system:controller:replicaset-controller" of ClusterRole "system:controller:replicaset-controller" to ServiceAccount "replicaset-controller/kube-system"',
        });
        out.push(
          gcpEntry(
            rng,
            project,
            t + 3000,
            {
              email: 'system:serviceaccount:kube-system:replicaset-controller',
              ip: '::1',
              userAgent:
                'kube-controller-manager/v1.30.5 (linux/amd64) kubernetes/$Format/system:serviceaccount:kube-system:replicaset-controller',
            },
            create,
          ),
        );
      }
    }
  }
  return out;
}

function etl(rng: Rng, day: number): GcpEntry[] {
  const out: GcpEntry[] = [];
  const sa = `etl-runner@${GCP_PROJECTS.data.id}.iam.gserviceaccount.com`;
  for (let hour = 1; hour < 24; hour += 4) {
    const t = day + hour * HOUR + 5 * MINUTE + rng.int(0, 90_000);
    const caller: GcpCaller = {
      email: sa,
      ip: '10.164.0.12',
      userAgent: 'gcloud-python/3.27.0 google-cloud-bigquery/3.27.0 Airflow/2.10.3',
    };
    out.push(gcpEntry(rng, 'data', t, caller, bqJob(rng, 'data')));
    for (let i = 0; i < rng.int(0, 2); i++) {
      out.push(
        gcpEntry(
          rng,
          'data',
          t + (i + 1) * 15_000,
          caller,
          storageRead(
            'data',
            `${GCP_PROJECTS.data.id}-lake`,
            `raw/events/dt=${new Date(day).toISOString().slice(0, 10)}/hour=${String(hour).padStart(2, '0')}/part-${i}.json.gz`,
            true,
          ),
        ),
      );
    }
    if (rng.chance(0.5)) {
      const prodCaller: GcpCaller = {
        email: `${GCP_PROJECTS.prod.number}-compute@developer.gserviceaccount.com`,
        ip: '10.132.0.9',
        userAgent: 'google-api-go-client/0.5 secret-sync',
      };
      out.push(
        gcpEntry(
          rng,
          'prod',
          t + 60_000,
          prodCaller,
          secretAccess('prod', rng.pick(['payments-db-password', 'orders-db-password'])),
        ),
      );
    }
  }
  return out;
}

function terraform(rng: Rng, day: number): GcpEntry[] {
  const out: GcpEntry[] = [];
  const weekday = new Date(day).getUTCDay();
  if (weekday === 0 || weekday === 6) return out;
  for (let hour = 9; hour < 19; hour++) {
    if (!rng.chance(0.12)) continue;
    const project: GcpProjectKey = rng.chance(0.7) ? 'prod' : 'data';
    const p = GCP_PROJECTS[project];
    const caller: GcpCaller = {
      email: `terraform@${p.id}.iam.gserviceaccount.com`,
      ip: `198.51.100.${rng.int(220, 240)}`,
      userAgent:
        'Terraform/1.9.8 (+https://www.terraform.io) Terraform-Plugin-SDK/2.33.0 terraform-provider-google/6.10.0,gzip(gfe)',
      delegation: {
        subject: `principal://iam.googleapis.com/projects/${p.number}/locations/global/workloadIdentityPools/github/subject/repo:acme/infra:ref:refs/heads/main`,
      },
    };
    let t = day + hour * HOUR + rng.int(0, 50 * MINUTE);
    const fw = rng.pick(['allow-lb-health-checks', 'allow-internal', 'allow-iap-ssh']);
    const calls: GcpCall[] = [
      {
        logType: 'data_access',
        service: 'cloudresourcemanager.googleapis.com',
        method: 'GetIamPolicy',
        resourceName: `projects/${p.id}`,
        resource: projectResource(project),
        permissions: [
          {
            permission: 'resourcemanager.projects.getIamPolicy',
            type: 'cloudresourcemanager.googleapis.com/Project',
          },
        ],
        permissionType: 'ADMIN_READ',
      },
      {
        logType: 'activity',
        service: 'compute.googleapis.com',
        method: 'v1.compute.firewalls.patch',
        resourceName: `projects/${p.id}/global/firewalls/${fw}`,
        resource: {
          type: 'gce_firewall_rule',
          labels: { project_id: p.id, firewall_rule_id: String(rng.int(1e15, 9e15)) },
        },
        permissions: [{ permission: 'compute.firewalls.update', type: 'compute.firewalls' }],
        permissionType: 'ADMIN_WRITE',
        request: {
          '@type': 'type.googleapis.com/compute.firewalls.patch',
          name: fw,
          sourceRanges: fw === 'allow-iap-ssh' ? ['35.235.240.0/20'] : ['10.0.0.0/8'],
        },
        response: {
          '@type': 'type.googleapis.com/operation',
          id: String(rng.int(1e15, 9e15)),
          name: `operation-${rng.int(1e12, 9e12)}-${rng.hex(13)}`,
          operationType: 'patch',
          status: 'RUNNING',
          progress: '0',
        },
      },
      {
        logType: 'activity',
        service: 'storage.googleapis.com',
        method: 'storage.buckets.update',
        resourceName: `projects/_/buckets/${p.id}-${project === 'prod' ? 'assets' : 'lake'}`,
        resource: {
          type: 'gcs_bucket',
          labels: {
            project_id: p.id,
            bucket_name: `${p.id}-${project === 'prod' ? 'assets' : 'lake'}`,
            location: p.region,
          },
        },
        permissions: [{ permission: 'storage.buckets.update', type: 'storage.googleapis.com/Bucket' }],
        permissionType: 'ADMIN_WRITE',
      },
    ];
    for (const call of calls) {
      t += rng.int(3, 30) * 1000;
      out.push(gcpEntry(rng, project, t, caller, call));
    }
  }
  return out;
}

function gceEvents(rng: Rng, day: number): GcpEntry[] {
  const out: GcpEntry[] = [];
  const p = GCP_PROJECTS.data;
  for (let i = 0; i < rng.poisson(2); i++) {
    const t = day + rng.int(0, 24 * HOUR - 1);
    const vm = `gke-${p.cluster}-spot-pool-${rng.hex(8)}-${rng.lowerAlnum(4)}`;
    out.push(
      gcpEntry(
        rng,
        'data',
        t,
        { email: 'system@google.com', ip: '', userAgent: '' },
        {
          logType: 'system_event',
          service: 'compute.googleapis.com',
          method: 'compute.instances.preempted',
          resourceName: `projects/${p.id}/zones/${p.region}-b/instances/${vm}`,
          resource: {
            type: 'gce_instance',
            labels: { project_id: p.id, instance_id: String(rng.int(1e18, 9e18)), zone: `${p.region}-b` },
          },
          permissions: [],
          severity: 'INFO',
          status: { code: 0, message: 'Instance was preempted.' },
        },
      ),
    );
  }
  if (rng.chance(0.3)) {
    const t = day + rng.int(0, 24 * HOUR - 1);
    const q = GCP_PROJECTS.prod;
    out.push(
      gcpEntry(
        rng,
        'prod',
        t,
        { email: 'system@google.com', ip: '', userAgent: '' },
        {
          logType: 'system_event',
          service: 'compute.googleapis.com',
          method: 'compute.instances.migrateOnHostMaintenance',
          resourceName: `projects/${q.id}/zones/${q.region}-c/instances/gke-${q.cluster}-default-pool-${rng.hex(8)}-${rng.lowerAlnum(4)}`,
          resource: {
            type: 'gce_instance',
            labels: { project_id: q.id, instance_id: String(rng.int(1e18, 9e18)), zone: `${q.region}-c` },
          },
          permissions: [],
          severity: 'INFO',
          status: { code: 0, message: 'Instance migrated during Compute Engine maintenance.' },
        },
      ),
    );
  }
  if (rng.chance(0.3)) {
    const t = day + 10 * HOUR + rng.int(0, 8 * HOUR);
    const who = rng.pick(['hannah.schmidt', 'yuki.tanaka', 'arjun.mehta']);
    out.push(
      gcpEntry(
        rng,
        'data',
        t,
        { email: `${who}@acme.example`, ip: `203.0.113.${rng.int(150, 190)}`, userAgent: BQ_CONSOLE },
        {
          logType: 'policy',
          service: 'bigquery.googleapis.com',
          method: 'google.cloud.bigquery.v2.JobService.InsertJob',
          resourceName: `projects/${p.number}`,
          resource: {
            type: 'audited_resource',
            labels: {
              project_id: p.id,
              service: 'bigquery.googleapis.com',
              method: 'google.cloud.bigquery.v2.JobService.InsertJob',
            },
          },
          permissions: [],
          status: { code: 7, message: 'PERMISSION_DENIED' },
          metadata: {
            '@type': 'type.googleapis.com/google.cloud.audit.VpcServiceControlAuditMetadata',
            violationReason: 'NO_MATCHING_ACCESS_LEVEL',
            resourceNames: [`projects/${p.number}`],
            securityPolicyInfo: {
              servicePerimeterName: `accessPolicies/${GCP_ORG.slice(0, 6)}/servicePerimeters/data_perimeter`,
              organizationId: GCP_ORG,
            },
            vpcServiceControlsUniqueId: rng.alnum(40),
            ingressViolations: [
              {
                targetResource: `projects/${p.number}`,
                servicePerimeter: `accessPolicies/${GCP_ORG.slice(0, 6)}/servicePerimeters/data_perimeter`,
              },
            ],
          },
        },
      ),
    );
  }
  return out;
}
