# METADATA
# title: Every Secret a workload reads is provided or declared
# description: >-
#   With the chart checks, every Secret that a rendered workload's pods read
#   (envFrom secretRef, env valueFrom secretKeyRef, secret and projected
#   volumes, imagePullSecrets) must come from somewhere in its cluster and
#   namespace: a Secret the charts render, an ExternalSecret (its target's
#   name) or cert-manager Certificate (its secretName) they render, a
#   Secret the chart's own Jobs, hooks or operators create at runtime (the
#   component's runtimeSecrets), or one the cluster's operator creates (the
#   component's requiresSecrets, listed in the scaffold README). Otherwise
#   the pods never start. References marked optional are not checked.
# custom:
#   scope: cluster
package dorgu.policies.secret_references

import data.dorgu.lib

container_lists := ["initContainers", "containers", "ephemeralContainers"]

# The annotations of a component Application that carry its
# runtimeSecrets and requiresSecrets (schema/component.cue).
runtime_annotation := "dorgu.io/runtime-secrets"

operator_annotation := "dorgu.io/operator-secrets"

deny contains f if {
	some file in lib.manifests
	o := lib.object_meta(file)
	ps := lib.pod_spec(file)
	prefix := ps.path
	refs := [r | some r in pod_references(ps.spec); not r.optional]
	some name in {r.name | some r in refs}
	not provided(lib.cluster(file), o.namespace, name)
	fields := sort([lib.dotted(array.concat(prefix, r.path)) | some r in refs; r.name == name])
	f := {
		"path": lib.file_str(file, "path"),
		"field": null,
		"msg": sprintf("%s: %s reads Secret %s, which nothing in cluster %q provides: no chart renders it in namespace %s, no rendered ExternalSecret or Certificate there creates it, and no component there declares it in runtimeSecrets or requiresSecrets; its pods cannot start", [lib.describe(file), concat(", ", fields), name, lib.cluster(file), o.namespace]),
		"hint": sprintf("if the cluster's operator creates it, declare it in %s.requiresSecrets with the keys it holds (the scaffold README then says how to create it); if a Job, hook or operator of the chart creates it at runtime, in runtimeSecrets; otherwise change the values so that the chart renders the Secret or reads one that exists", [lib.component_config(file)]),
	}
}

# The Secrets a pod spec reads, each {path (under the pod spec), name,
# optional}.
pod_references(pod) := ({r |
	some list in container_lists
	some i, c in lib.as_array(lib.get(pod, [list]))
	some r in container_references(c, [list, i])
} | {r |
	some i, v in lib.as_array(lib.get(pod, ["volumes"]))
	some r in volume_references(v, ["volumes", i])
}) | {r |
	some i, s in lib.as_array(lib.get(pod, ["imagePullSecrets"]))
	r := reference(lib.get(s, ["name"]), ["imagePullSecrets", i], false)
}

container_references(c, at) := {r |
	some j, e in lib.as_array(lib.get(c, ["envFrom"]))
	ref := lib.get(e, ["secretRef"])
	r := reference(lib.get(ref, ["name"]), array.concat(at, ["envFrom", j, "secretRef"]), lib.get(ref, ["optional"]))
} | {r |
	some j, e in lib.as_array(lib.get(c, ["env"]))
	ref := lib.get(e, ["valueFrom", "secretKeyRef"])
	r := reference(lib.get(ref, ["name"]), array.concat(at, ["env", j, "valueFrom", "secretKeyRef"]), lib.get(ref, ["optional"]))
}

volume_references(v, at) := {r |
	ref := lib.get(v, ["secret"])
	r := reference(lib.get(ref, ["secretName"]), array.concat(at, ["secret"]), lib.get(ref, ["optional"]))
} | {r |
	some j, s in lib.as_array(lib.get(v, ["projected", "sources"]))
	ref := lib.get(s, ["secret"])
	r := reference(lib.get(ref, ["name"]), array.concat(at, ["projected", "sources", j, "secret"]), lib.get(ref, ["optional"]))
}

# A reference by a non-empty name; a reference without one is the API
# server's error, not this policy's.
reference(name, path, optional) := {"name": name, "path": path, "optional": optional == true} if {
	is_string(name)
	name != ""
}

# A Secret the charts render.
provided(cluster, namespace, name) if {
	some file in lib.manifests
	lib.cluster(file) == cluster
	o := lib.object_meta(file)
	o.kind == "Secret"
	o.apiVersion == "v1"
	o.namespace == namespace
	o.name == name
}

# A Secret an ExternalSecret the charts render makes: its target's name,
# by default its own.
provided(cluster, namespace, name) if {
	some file in lib.manifests
	lib.cluster(file) == cluster
	o := lib.object_meta(file)
	o.kind == "ExternalSecret"
	startswith(o.apiVersion, "external-secrets.io/")
	o.namespace == namespace
	external_secret_target(file, o) == name
}

# A Secret a cert-manager Certificate the charts render holds.
provided(cluster, namespace, name) if {
	some file in lib.manifests
	lib.cluster(file) == cluster
	o := lib.object_meta(file)
	o.kind == "Certificate"
	startswith(o.apiVersion, "cert-manager.io/")
	o.namespace == namespace
	lib.str(file, ["spec", "secretName"]) == name
}

# A Secret a component deploying to that namespace declares, as created at
# runtime or by the operator.
provided(cluster, namespace, name) if {
	some app in lib.component_applications
	lib.cluster(app) == cluster
	lib.str(app, ["spec", "destination", "namespace"]) == namespace
	some annotation in [runtime_annotation, operator_annotation]
	name in split(lib.str(app, ["metadata", "annotations", annotation]), ",")
}

external_secret_target(file, o) := n if {
	n := lib.str(file, ["spec", "target", "name"])
	n != ""
} else := o.name
