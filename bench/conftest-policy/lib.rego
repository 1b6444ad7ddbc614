# The dorgu-gen policies (policies/*.rego) translated for conftest, for the
# comparison of bench/compare.sh. conftest runs them with --combine: its
# input is then the list of every file, [{"path": ..., "contents": ...}],
# one YAML document each. Three of the rules need more than one file
# (unique names, values files referenced, and the openobserve credentials,
# which need the cluster's environment from its Applications), so a
# per-file run could not do the same work.
#
# This file replaces policies/lib.rego: it gives every file the kind,
# cluster, component and environment that dorgu-gen's engine passes along
# with the document, derived here from the path and the labels.
package main

app_kinds := {"application", "root-application"}

sync_wave_annotation := "argocd.argoproj.io/sync-wave"

# Every file as dorgu-gen's policies see it.
files contains f if {
	some raw in input
	is_object(raw)
	p := scaffold_path(raw.path)
	f := object.union(classify(p), {"path": p, "content": raw.contents})
}

# The path inside the scaffold, whatever directory conftest was given.
scaffold_path(p) := substring(p, i, -1) if {
	i := indexof(p, "clusters/")
	i >= 0
} else := substring(p, i, -1) if {
	i := indexof(p, "argocd/")
	i >= 0
} else := p

classify(p) := {"kind": "appproject", "cluster": m[1], "component": ""} if {
	m := regex.find_all_string_submatch_n(`^clusters/([^/]+)/apps/_appproject\.yaml$`, p, 1)[0]
} else := {"kind": kind, "cluster": m[1], "component": m[3]} if {
	m := regex.find_all_string_submatch_n(`^clusters/([^/]+)/(apps|values)/([^/]+)\.yaml$`, p, 1)[0]
	kind := {"apps": "application", "values": "values"}[m[2]]
} else := {"kind": "root-application", "cluster": root_cluster(p), "component": ""} if {
	startswith(p, "argocd/")
} else := {"kind": "other", "cluster": "", "component": ""}

# argocd/<cluster>-root-app.yaml, or argocd/root-app.yaml for a single
# cluster (whose name is then in the Application's labels).
root_cluster(p) := trim_suffix(trim_prefix(p, "argocd/"), "-root-app.yaml") if p != "argocd/root-app.yaml"

else := ""

# The environment of each cluster, from the labels of its Applications.
environments[c] := e if {
	some c in {cluster(f) | some f in applications}
	envs := {l |
		some f in applications
		cluster(f) == c
		l := str(f, ["metadata", "labels", "dorgu.io/environment"])
		l != ""
	}
	count(envs) == 1
	some e in envs
}

applications contains f if {
	some f in files
	f.kind in app_kinds
}

component_applications contains f if {
	some f in files
	f.kind == "application"
}

root_applications contains f if {
	some f in files
	f.kind == "root-application"
}

values_files contains f if {
	some f in files
	f.kind == "values"
}

as_array(x) := x if is_array(x)

else := []

get(x, path) := object.get(x, path, null) if is_object(x)

else := null

field(file, path) := get(file.content, path)

str(file, path) := s if {
	s := field(file, path)
	is_string(s)
} else := ""

unset(file, path) if field(file, path) in {null, ""}

sources(file) := {{"field": ["spec", "source"], "source": s} |
	s := field(file, ["spec", "source"])
	is_object(s)
} | {{"field": ["spec", "sources", i], "source": s} |
	some i, s in as_array(field(file, ["spec", "sources"]))
	is_object(s)
}

chart_sources(file) := {src |
	some src in sources(file)
	"chart" in object.keys(src.source)
}

git_sources(file) := {src |
	some src in sources(file)
	not "chart" in object.keys(src.source)
}

source_str(src, key) := s if {
	s := src.source[key]
	is_string(s)
} else := ""

chart_name(src) := source_str(src, "chart")

cluster(file) := file_str(file, "cluster")

component(file) := file_str(file, "component")

file_str(file, key) := s if {
	s := file[key]
	is_string(s)
} else := ""

environment(file) := e if {
	e := environments[cluster(file)]
} else := ""

subject(file) := sprintf("%s in cluster %q", [component(file), cluster(file)]) if {
	component(file) != ""
	cluster(file) != ""
} else := sprintf("the root Application of cluster %q", [cluster(file)]) if {
	file.kind == "root-application"
	cluster(file) != ""
} else := file_str(file, "path")

component_config(file) := sprintf("components.%s", [component(file)]) if component(file) != ""

else := "the component"

cluster_component_config(file) := sprintf("clusters.%s.components.%s", [cluster(file), component(file)]) if {
	component(file) != ""
	cluster(file) != ""
} else := "the cluster's component override"

show(x) := sprintf("%q", [x]) if is_string(x)

else := json.marshal(x)

# A finding as conftest prints it: the file, the field, the message and
# the hint on one line.
finding(file, path, msg, hint) := sprintf("%s: %s: %s (%s)", [file_str(file, "path"), dotted(path), msg, hint])

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
