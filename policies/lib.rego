# METADATA
# title: Shared helpers of the dorgu-gen policies
# description: >-
#   Accessors over the scaffold input that never fail on a malformed file:
#   the policies also run on a scaffold read back from disk after hand edits,
#   and the engine evaluates with strict built-in errors, so every built-in
#   call here is guarded by a type check.
package dorgu.lib

# The file kinds that hold an ArgoCD Application.
app_kinds := {"application", "root-application"}

# The name of the annotation that orders Applications.
sync_wave_annotation := "argocd.argoproj.io/sync-wave"

# Every file of the scaffold, skipping entries that are not objects.
files contains f if {
	some f in as_array(input.files)
	is_object(f)
}

# Files holding an Application (component or root).
applications contains f if {
	some f in files
	f.kind in app_kinds
}

# Files holding a component Application.
component_applications contains f if {
	some f in files
	f.kind == "application"
}

# Files holding a root Application.
root_applications contains f if {
	some f in files
	f.kind == "root-application"
}

# Helm values files.
values_files contains f if {
	some f in files
	f.kind == "values"
}

# The Kubernetes objects the components' charts render, one entry each
# (kind manifest), when render and vet run the chart checks: path is the
# component's values file in that cluster, content the object as ArgoCD
# applies it, object says which it is (apiVersion, kind, namespace, name,
# source, hook). Without the chart checks there are none.
manifests contains f if {
	some f in files
	f.kind == "manifest"
	is_object(f.object)
}

# What a manifest entry names: apiVersion, kind, namespace ("" for a
# cluster-scoped object), name, the chart template it came from (source)
# and its helm.sh/hook annotation (hook, "" for none). {} for any other
# file. (Not lib.object: a rule called object would hide the built-in
# object.get and object.keys in this package.)
object_meta(f) := f.object if is_object(f.object)

else := {}

# A rendered object as findings name it: "Role
# kube-system/cert-manager:leaderelection from
# cert-manager/templates/rbac.yaml", without the namespace for a
# cluster-scoped object; what lib.subject says of an entry that names no
# object.
describe(f) := sprintf("%s %s/%s from %s", [k, ns, n, src]) if {
	[k, ns, n, src] := object_names(f)
	k != ""
	n != ""
	ns != ""
} else := sprintf("%s %s from %s", [k, n, src]) if {
	[k, _, n, src] := object_names(f)
	k != ""
	n != ""
} else := subject(f)

# Where each workload kind keeps its pod spec.
pod_spec_paths := {
	"Pod": ["spec"],
	"Deployment": ["spec", "template", "spec"],
	"StatefulSet": ["spec", "template", "spec"],
	"DaemonSet": ["spec", "template", "spec"],
	"ReplicaSet": ["spec", "template", "spec"],
	"Job": ["spec", "template", "spec"],
	"CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
}

# The pod spec of a rendered workload, {"path": where it is in the object,
# "spec": the pod spec}; undefined for an object that runs no pods or
# whose pod spec is not an object.
pod_spec(f) := {"path": path, "spec": spec} if {
	path := pod_spec_paths[object_meta(f).kind]
	spec := field(f, path)
	is_object(spec)
}

object_names(f) := [object_str(f, "kind"), object_str(f, "namespace"), object_str(f, "name"), object_str(f, "source")]

object_str(f, key) := s if {
	s := object_meta(f)[key]
	is_string(s)
} else := ""

# x if it is an array, [] otherwise.
as_array(x) := x if is_array(x)

else := []

# The value at path inside x, or null when any step is missing or x is not
# an object.
get(x, path) := object.get(x, path, null) if is_object(x)

else := null

# The value at path inside a file's content, or null.
field(file, path) := get(file.content, path)

# A string field of a file, or "" when the field is not a string.
str(file, path) := s if {
	s := field(file, path)
	is_string(s)
} else := ""

# Whether a field is unset: missing, null or the empty string.
unset(file, path) if field(file, path) in {null, ""}

# The sources of an Application, each as {"field": path of the source,
# "source": the source object}; covers spec.source and spec.sources[i].
sources(file) := {{"field": ["spec", "source"], "source": s} |
	s := field(file, ["spec", "source"])
	is_object(s)
} | {{"field": ["spec", "sources", i], "source": s} |
	some i, s in as_array(field(file, ["spec", "sources"]))
	is_object(s)
}

# The Helm chart sources of an Application: sources that name a chart.
chart_sources(file) := {src |
	some src in sources(file)
	"chart" in object.keys(src.source)
}

# The Git sources of an Application: sources that do not name a chart (the
# `ref: values` source and a root Application's source).
git_sources(file) := {src |
	some src in sources(file)
	not "chart" in object.keys(src.source)
}

# The string value of key in a source, or "".
source_str(src, key) := s if {
	s := src.source[key]
	is_string(s)
} else := ""

# The chart name of a chart source, or "" when it is not a string.
chart_name(src) := source_str(src, "chart")

# A file's cluster, component and environment, "" when unknown.
cluster(file) := file_str(file, "cluster")

component(file) := file_str(file, "component")

file_str(file, key) := s if {
	s := file[key]
	is_string(s)
} else := ""

# A file's environment: the one the engine passed, else the
# dorgu.io/environment label of an Application of the same cluster (a
# scaffold read back from disk may not know it otherwise).
environment(file) := e if {
	e := file_str(file, "environment")
	e != ""
} else := e if {
	c := cluster(file)
	c != ""
	envs := {label |
		some app in applications
		cluster(app) == c
		label := str(app, ["metadata", "labels", "dorgu.io/environment"])
		label != ""
	}
	count(envs) == 1
	some e in envs
} else := ""

# How a finding names what it is about: the component and its cluster, the
# root Application of a cluster, or the file.
subject(file) := sprintf("%s in cluster %q", [component(file), cluster(file)]) if {
	component(file) != ""
	cluster(file) != ""
} else := sprintf("the root Application of cluster %q", [cluster(file)]) if {
	file.kind == "root-application"
	cluster(file) != ""
} else := file_str(file, "path") if {
	file_str(file, "path") != ""
} else := "a file without a path"

# Where a component's settings live in the config, for hints.
component_config(file) := sprintf("components.%s", [component(file)]) if component(file) != ""

else := "the component"

# Where a cluster's override of a component lives in the config, for hints.
cluster_component_config(file) := sprintf("clusters.%s.components.%s", [cluster(file), component(file)]) if {
	component(file) != ""
	cluster(file) != ""
} else := "the cluster's component override"

# A value as a message shows it: strings quoted, anything else as JSON.
show(x) := sprintf("%q", [x]) if is_string(x)

else := json.marshal(x)

# A finding.
finding(file, path, msg, hint) := {
	"path": file_str(file, "path"),
	"field": path,
	"msg": msg,
	"hint": hint,
}

# A field path as a person reads it: spec.sources[0].chart, with keys that
# contain a dot quoted (metadata.annotations["argocd.argoproj.io/sync-wave"]).
dotted(path) := concat("", [s |
	some i, p in as_array(path)
	s := segment(i, p)
])

segment(i, p) := sprintf("[%d]", [p]) if is_number(p)

else := sprintf("[%q]", [p]) if {
	is_string(p)
	contains(p, ".")
} else := sprintf("%v", [p]) if {
	i == 0
} else := sprintf(".%v", [p])

# The scaffold's folder inside its Git repository and a slash, "" at the
# repository's root (the config's repo.path): what the root Applications
# name before clusters/<cluster>/apps, which ArgoCD reads from the
# repository's root. A scaffold read back from disk carries it so, without
# the config; roots that disagree leave it "".
repo_prefix := p if {
	ps := {q | some f in root_applications; q := root_prefix(f)}
	count(ps) == 1
	some p in ps
} else := ""

root_prefix(f) := "" if {
	str(f, ["spec", "source", "path"]) == sprintf("clusters/%s/apps", [cluster(f)])
} else := q if {
	suffix := sprintf("/clusters/%s/apps", [cluster(f)])
	src := str(f, ["spec", "source", "path"])
	endswith(src, suffix)
	q := concat("", [trim_suffix(src, suffix), "/"])
	q != "/"
}
