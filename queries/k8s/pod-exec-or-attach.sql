-- ---
-- id: k8s/pod-exec-or-attach
-- title: Interactive exec or attach into a pod
-- severity: medium
-- sources: [gcp]
-- attack: [T1609]
-- controls:
--   nist_800_53_r5: ['AC-17', 'AU-6']
-- method: match
-- keys: [actor, account, resource]
-- description: >
--   A user opened a shell or attached to a running container (pods/exec, pods/attach) through the GKE
--   API. Legitimate for debugging, but it is also how an attacker with cluster credentials runs commands
--   inside workloads and reads their secrets.
-- remediation: >
--   Confirm with the user; in production, restrict pods/exec to break-glass roles.
-- false_positives:
--   - Developers debugging in non-production namespaces.
--   - CI jobs running kubectl exec for migrations (tune by actor).
--   - GKE's own components in its system namespaces are skipped by excluded_namespaces (glob patterns, the
--     same list as k8s/privileged-workload-created); an exec into those namespaces is then not reported either.
-- params:
--   excluded_namespaces: ["kube-system", "gke-system", "gke-managed-*", "gmp-system", "gke-gmp-system"]
-- ---
with pod_sessions as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    details,
    resources[1] as resource
  from events
  where source = 'gcp'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 'k8s.io'
    and outcome = 'success'
    and regexp_matches(action, '^io\.k8s\.core\.v1\.pods\.(exec|attach)\.(create|get)$')
    -- A namespace matching any glob pattern of excluded_namespaces is skipped.
    and len(list_filter(getvariable('excluded_namespaces'), pattern -> (details->>'$.k8s_namespace') glob pattern)) = 0
)
select
  event_time,
  actor,
  account,
  region,
  source_ip,
  action,
  resource,
  format('{} opened {} into pod {} in namespace {}', actor, details->>'$.k8s_subresource', details->>'$.k8s_name', details->>'$.k8s_namespace') as summary,
  [event_id] as evidence
from pod_sessions
order by event_time
