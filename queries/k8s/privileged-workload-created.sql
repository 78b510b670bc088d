-- ---
-- id: k8s/privileged-workload-created
-- title: Privileged, host-namespace, runtime-socket or root workload created in GKE
-- severity: high
-- sources: [gcp]
-- attack: [T1610, T1611]
-- controls:
--   cis_gcp_v3.0.0: ['2.7']
--   nist_800_53_r5: ['CM-7', 'AC-6']
-- method: match
-- keys: [account, resource]
-- description: >
--   A pod, or a workload's pod template (deployments, daemonsets, statefulsets, replicasets, jobs,
--   cronjobs), created or replaced through the GKE API with any of: a privileged container,
--   hostNetwork/hostPID/hostIPC, a hostPath mount of a container runtime socket (docker.sock,
--   containerd.sock, crio.sock) or of the host root, or a container running as UID 0. Each is a known
--   route from a container to the node. The reasons column lists which.
-- remediation: >
--   Check who created the workload and why; enforce Pod Security Admission (restricted or baseline) on
--   the namespace.
-- false_positives:
--   - System add-ons (CNI, log and metrics agents, CSI drivers) that need host access; they run in the GKE
--     system namespaces, excluded by excluded_namespaces (glob patterns, shared with k8s/pod-exec-or-attach).
--     In exchange, a privileged pod that someone with cluster-admin creates in one of those namespaces is
--     not reported here.
--   - Images that run as root by default are only reported when runAsUser 0 is explicit.
-- params:
--   excluded_namespaces: ["kube-system", "gke-system", "gke-managed-*", "gmp-system", "gke-gmp-system"]
-- ---
with workload_writes as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    resources[1] as resource,
    details->>'$.k8s_namespace' as namespace,
    coalesce(
      raw->'$.protoPayload.request.spec.jobTemplate.spec.template.spec',
      raw->'$.protoPayload.request.spec.template.spec',
      raw->'$.protoPayload.request.spec'
    ) as pod_spec
  from events
  where source = 'gcp'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'k8s.io'
    and outcome = 'success'
    and regexp_matches(action, '^io\.k8s\.(core\.v1\.pods|apps\.v1\.(deployments|daemonsets|statefulsets|replicasets)|batch\.v1\.(jobs|cronjobs))\.(create|update|patch)$')
),
parsed_specs as (
  select
    *,
    json_transform(pod_spec, '{"hostNetwork": "BOOLEAN", "hostPID": "BOOLEAN", "hostIPC": "BOOLEAN", "securityContext": {"runAsUser": "BIGINT"},
      "containers": [{"name": "VARCHAR", "securityContext": {"privileged": "BOOLEAN", "runAsUser": "BIGINT"}}],
      "initContainers": [{"name": "VARCHAR", "securityContext": {"privileged": "BOOLEAN", "runAsUser": "BIGINT"}}],
      "volumes": [{"hostPath": {"path": "VARCHAR"}}]}') as spec
  from workload_writes
  -- A namespace matching any glob pattern of excluded_namespaces is skipped.
  where len(list_filter(getvariable('excluded_namespaces'), pattern -> namespace glob pattern)) = 0
),
risky_specs as (
  select
    *,
    list_filter([
      case when len([c for c in list_concat(coalesce(spec.containers, []), coalesce(spec.initContainers, [])) if c.securityContext.privileged]) > 0 then 'privileged container' end,
      case when spec.hostNetwork then 'hostNetwork' end,
      case when spec.hostPID then 'hostPID' end,
      case when spec.hostIPC then 'hostIPC' end,
      case when len([v for v in coalesce(spec.volumes, []) if regexp_matches(coalesce(v.hostPath.path, ''), '(docker|containerd|crio)\.sock$|^/$|^/var/run/(docker|containerd|crio)/?$|^/run/containerd/?$')]) > 0
        then 'hostPath mount of ' || array_to_string([v.hostPath.path for v in spec.volumes if v.hostPath.path is not null], ', ') end,
      case when spec.securityContext.runAsUser = 0
          or len([c for c in coalesce(spec.containers, []) if c.securityContext.runAsUser = 0]) > 0 then 'runs as root (runAsUser 0)' end
    ], r -> r is not null) as reasons
  from parsed_specs
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('{} wrote {} in namespace {} with {}', actor, resource, namespace, array_to_string(reasons, '; ')) as summary,
  [event_id] as evidence,
  reasons
from risky_specs
where len(reasons) > 0
order by event_time
