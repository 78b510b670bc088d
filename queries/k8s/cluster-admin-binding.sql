-- ---
-- id: k8s/cluster-admin-binding
-- title: Binding to cluster-admin created
-- severity: high
-- sources: [gcp]
-- attack: [T1098.006]
-- controls:
--   nist_800_53_r5: ['AC-6', 'AC-2(7)']
-- method: match
-- keys: [account, resource]
-- description: >
--   A ClusterRoleBinding or RoleBinding created or updated whose roleRef is cluster-admin (or another
--   role in admin_roles). The subjects gain full control of the cluster or namespace.
-- remediation: >
--   Confirm the subjects need it; prefer namespaced, narrower roles.
-- false_positives:
--   - GKE and add-on installers binding their own controllers.
-- params:
--   admin_roles: ["cluster-admin"]
-- ---
with admin_bindings as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    raw,
    [s.kind || ':' || coalesce(s.namespace || '/', '') || s.name for s in json_transform(raw->'$.protoPayload.request.subjects', '[{"kind": "VARCHAR", "name": "VARCHAR", "namespace": "VARCHAR"}]')] as subjects,
    resources[1] as resource
  from events
  where source = 'gcp'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'k8s.io'
    and outcome = 'success'
    and regexp_matches(action, '^io\.k8s\.authorization\.rbac\.v1\.(clusterrolebindings|rolebindings)\.(create|update|patch)$')
    and list_contains(getvariable('admin_roles'), raw->>'$.protoPayload.request.roleRef.name')
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('{} bound {} to {}', actor, array_to_string(subjects, ', '), raw->>'$.protoPayload.request.roleRef.name') as summary,
  [event_id] as evidence,
  subjects
from admin_bindings
order by event_time
