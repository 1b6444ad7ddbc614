package dorgu.policies.production_availability_test

import data.dorgu.lib_test as t
import data.dorgu.policies.production_availability as policy

labels := {"app.kubernetes.io/name": "openobserve", "app.kubernetes.io/component": "router"}

anti_affinity := {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": labels}}}]}}

spread := [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": labels}}]

workload(kind, replicas, pod_spec) := {
	"apiVersion": "apps/v1",
	"kind": kind,
	"metadata": {"name": "openobserve-router", "namespace": "openobserve"},
	"spec": {
		"replicas": replicas,
		"selector": {"matchLabels": labels},
		"template": {"metadata": {"labels": labels}, "spec": object.union({"containers": [{"name": "router", "image": "openobserve:v0.92.2"}]}, pod_spec)},
	},
}

pdb(namespace, selector) := {
	"apiVersion": "policy/v1",
	"kind": "PodDisruptionBudget",
	"metadata": {"name": "openobserve-router", "namespace": namespace},
	"spec": {"maxUnavailable": 1, "selector": selector},
}

objects(cluster, objs) := {"files": array.concat(t.scaffold.files, [t.manifest(cluster, "openobserve", o, "openobserve/templates/router.yaml") | some o in objs])}

test_replicated_workload_with_budget_and_spread_passes if {
	count(policy.warn) == 0 with input as objects("prod", [workload("Deployment", 3, {"affinity": anti_affinity}), pdb("openobserve", {"matchLabels": labels})])
	count(policy.warn) == 0 with input as objects("prod", [workload("StatefulSet", 2, {"topologySpreadConstraints": spread}), pdb("openobserve", {"matchLabels": {"app.kubernetes.io/component": "router"}})])
	hard := {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": labels}}]}}
	count(policy.warn) == 0 with input as objects("prod", [workload("Deployment", 3, {"affinity": hard}), pdb("openobserve", {})])
}

test_missing_both_is_one_warning if {
	fs := policy.warn with input as objects("prod", [workload("Deployment", 3, {})])
	count(fs) == 1
	some f in fs
	f.path == "clusters/prod/values/openobserve.yaml"
	f.field == null
	f.msg == "Deployment openobserve/openobserve-router from openobserve/templates/router.yaml: 3 replicas in a production cluster, but no PodDisruptionBudget in its namespace selects its pods, so a node drain may evict them all at once, and its pod template has no topologySpreadConstraints or podAntiAffinity, so the scheduler may put every replica on one node"
	f.hint == concat("; ", [sprintf(policy.hints.pdb, ["components.openobserve"]), sprintf(policy.hints.spread, ["components.openobserve"])])
}

test_missing_budget if {
	fs := policy.warn with input as objects("prod", [workload("StatefulSet", 2, {"topologySpreadConstraints": spread})])
	count(fs) == 1
	some f in fs
	endswith(f.msg, "2 replicas in a production cluster, but no PodDisruptionBudget in its namespace selects its pods, so a node drain may evict them all at once")
	f.hint == sprintf(policy.hints.pdb, ["components.openobserve"])
}

test_missing_spread if {
	fs := policy.warn with input as objects("prod", [workload("Deployment", 3, {"affinity": {"nodeAffinity": {}}}), pdb("openobserve", {"matchLabels": labels})])
	count(fs) == 1
	some f in fs
	f.hint == sprintf(policy.hints.spread, ["components.openobserve"])
	empty := {"affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": []}}, "topologySpreadConstraints": []}
	count(policy.warn) == 1 with input as objects("prod", [workload("Deployment", 3, empty), pdb("openobserve", {"matchLabels": labels})])
}

test_budget_must_select_the_pods_in_the_namespace if {
	w := workload("Deployment", 3, {"topologySpreadConstraints": spread})
	every budget in [
		pdb("other", {"matchLabels": labels}),
		pdb("openobserve", {"matchLabels": {"app.kubernetes.io/component": "querier"}}),
		pdb("openobserve", {"matchExpressions": [{"key": "app.kubernetes.io/component", "operator": "In", "values": ["querier"]}]}),
		pdb("openobserve", {"matchExpressions": [{"key": "app.kubernetes.io/component", "operator": "NotIn", "values": ["router"]}]}),
		pdb("openobserve", {"matchExpressions": [{"key": "tier", "operator": "Exists"}]}),
		pdb("openobserve", {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "DoesNotExist"}]}),
		pdb("openobserve", null),
		pdb("openobserve", {"matchLabels": "router"}),
	] {
		count(policy.warn) == 1 with input as objects("prod", [w, budget])
	}
	every budget in [
		pdb("openobserve", {"matchExpressions": [{"key": "app.kubernetes.io/component", "operator": "In", "values": ["router", "querier"]}]}),
		pdb("openobserve", {"matchLabels": {"app.kubernetes.io/name": "openobserve"}, "matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}, {"key": "app.kubernetes.io/component", "operator": "Exists"}, {"key": "tier", "operator": "NotIn", "values": ["x"]}]}),
	] {
		count(policy.warn) == 0 with input as objects("prod", [w, budget])
	}
}

test_budget_of_another_cluster_does_not_count if {
	inp := {"files": array.concat(objects("prod", [workload("Deployment", 3, {"topologySpreadConstraints": spread})]).files, [t.manifest("dev", "openobserve", pdb("openobserve", {"matchLabels": labels}), "openobserve/templates/pdb.yaml")])}
	count(policy.warn) == 1 with input as inp
}

test_only_replicated_workloads_in_production if {
	count(policy.warn) == 0 with input as objects("dev", [workload("Deployment", 3, {})])
	count(policy.warn) == 0 with input as objects("prod", [workload("Deployment", 1, {})])
	count(policy.warn) == 0 with input as objects("prod", [json.patch(workload("Deployment", 1, {}), [{"op": "remove", "path": "/spec/replicas"}])])
	count(policy.warn) == 0 with input as objects("prod", [workload("Deployment", "3", {})])
	count(policy.warn) == 0 with input as objects("prod", [workload("DaemonSet", 3, {})])
	count(policy.warn) == 0 with input as t.scaffold
}

test_malformed_workloads_never_fail if {
	odd := [
		{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "a"}, "spec": {"replicas": 2, "template": "pod"}},
		{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "b"}, "spec": {"replicas": 2, "template": {"metadata": {"labels": ["x"]}, "spec": {"affinity": "anti", "topologySpreadConstraints": "x"}}}},
		{"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "c"}, "spec": {"selector": {"matchExpressions": ["x", {"operator": 3}, {"key": 1, "operator": "Exists"}]}}},
	]
	fs := policy.warn with input as objects("prod", odd)
	count(fs) == 2
}
