# METADATA
# title: A replicated workload in production survives a node drain and a node loss
# description: >-
#   With the chart checks, in a production cluster every Deployment and
#   StatefulSet the charts render with more than one replica has a
#   PodDisruptionBudget in its namespace whose selector matches its pod
#   template's labels, so that a node drain does not evict every replica
#   at once, and a topologySpreadConstraints or podAntiAffinity rule, so
#   that the scheduler does not put every replica on one node. Without
#   them, replicas are no protection against the disruptions they are for.
# custom:
#   scope: cluster
package dorgu.policies.production_availability

import data.dorgu.lib

workload_kinds := {"Deployment", "StatefulSet"}

warn contains f if {
	some file in lib.manifests
	lib.environment(file) == "production"
	o := lib.object_meta(file)
	o.kind in workload_kinds
	o.apiVersion == "apps/v1"
	replicas := lib.field(file, ["spec", "replicas"])
	is_number(replicas)
	replicas > 1
	missing := [m | some m in ["pdb", "spread"]; lacks(file, o, m)]
	count(missing) > 0
	f := {
		"path": lib.file_str(file, "path"),
		"field": null,
		"msg": sprintf("%s: %d replicas in a production cluster, but %s", [lib.describe(file), replicas, concat(", and ", [text[m] | some m in missing])]),
		"hint": concat("; ", [sprintf(hints[m], [lib.component_config(file)]) | some m in missing]),
	}
}

text := {
	"pdb": "no PodDisruptionBudget in its namespace selects its pods, so a node drain may evict them all at once",
	"spread": "its pod template has no topologySpreadConstraints or podAntiAffinity, so the scheduler may put every replica on one node",
}

hints := {
	"pdb": "enable the chart's PodDisruptionBudget in %s.environmentValues (often podDisruptionBudget.enabled or pdb.create), with maxUnavailable: 1",
	"spread": "set the chart's topologySpreadConstraints or affinity.podAntiAffinity in %s.environmentValues, over kubernetes.io/hostname (ScheduleAnyway, or preferred anti-affinity, still schedules on fewer nodes than replicas)",
}

lacks(file, o, "pdb") if {
	labels := pod_labels(file)
	not some_budget(lib.cluster(file), o.namespace, labels)
}

lacks(file, _, "spread") if not spread(lib.field(file, ["spec", "template", "spec"]))

pod_labels(file) := l if {
	l := lib.field(file, ["spec", "template", "metadata", "labels"])
	is_object(l)
} else := {}

some_budget(cluster, namespace, labels) if {
	some pdb in lib.manifests
	lib.cluster(pdb) == cluster
	m := lib.object_meta(pdb)
	m.kind == "PodDisruptionBudget"
	startswith(m.apiVersion, "policy/")
	m.namespace == namespace
	selects(lib.field(pdb, ["spec", "selector"]), labels)
}

# A label selector as Kubernetes reads a PodDisruptionBudget's: an empty
# one ({}) selects every pod of the namespace (policy/v1), a missing one
# none; matchLabels and matchExpressions must all hold.
selects(selector, labels) if {
	is_object(selector)
	every k, v in object.get(selector, "matchLabels", {}) {
		labels[k] == v
	}
	every e in lib.as_array(object.get(selector, "matchExpressions", [])) {
		expression_holds(e, labels)
	}
	is_object(object.get(selector, "matchLabels", {}))
}

expression_holds(e, labels) if {
	e.operator == "In"
	label_in(labels, e)
}

expression_holds(e, labels) if {
	e.operator == "NotIn"
	not label_in(labels, e)
}

# A separate rule, so that a missing label makes NotIn hold rather than
# leave it undefined.
label_in(labels, e) if labels[e.key] in lib.as_array(e.values)

expression_holds(e, labels) if {
	e.operator == "Exists"
	is_string(e.key)
	labels[e.key]
}

expression_holds(e, labels) if {
	e.operator == "DoesNotExist"
	is_string(e.key)
	not labels[e.key]
}

spread(pod) if {
	count(lib.as_array(lib.get(pod, ["topologySpreadConstraints"]))) > 0
}

spread(pod) if {
	some rule in ["requiredDuringSchedulingIgnoredDuringExecution", "preferredDuringSchedulingIgnoredDuringExecution"]
	count(lib.as_array(lib.get(pod, ["affinity", "podAntiAffinity", rule]))) > 0
}
