# METADATA
# title: Applications have the fields ArgoCD and dorgu-gen rely on
# description: >-
#   Every Application (component and root) is an argoproj.io/v1alpha1
#   Application with a name, the argocd namespace, a project, a destination
#   namespace and exactly one of destination server or name. A component
#   Application also has its Helm chart source (with helm.releaseName and at
#   least one helm.valueFiles entry; the chart name and version are checked
#   by chart-name-bare and chart-version-pinned), the `ref: values` Git
#   source the value files are read from, and a sync-wave annotation; a root
#   Application has a source with repoURL, targetRevision and path. A hand
#   edit that drops one of them is reported field by field.
# custom:
#   scope: cluster
package dorgu.policies.application_required_fields

import data.dorgu.lib

# The content of the file is not a YAML mapping at all.
deny contains f if {
	some file in lib.applications
	not is_object(file.content)
	f := lib.finding(
		file,
		[],
		sprintf("%s: %s does not hold an ArgoCD Application (its content is %s, not a mapping)", [lib.subject(file), lib.file_str(file, "path"), kind_of(file.content)]),
		regenerate_hint(file),
	)
}

# apiVersion and kind.
deny contains f if {
	some file in lib.applications
	is_object(file.content)
	some key, want in {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application"}
	got := lib.field(file, [key])
	got != want
	f := lib.finding(
		file,
		[key],
		sprintf("%s: %s is %s, expected %q; ArgoCD would not treat the file as an Application", [lib.subject(file), key, describe(got, "string"), want]),
		sprintf("set %s: %s in %s", [key, want, lib.file_str(file, "path")]),
	)
}

# Fields every Application needs, with what goes wrong without them.
common := [
	{"path": ["metadata", "name"], "why": "Kubernetes cannot create an object without a name"},
	{"path": ["metadata", "namespace"], "why": "ArgoCD only picks up Applications in its own namespace (argocd)"},
	{"path": ["spec", "project"], "why": "ArgoCD rejects an Application without a project"},
	{"path": ["spec", "destination", "namespace"], "why": "resources that do not name a namespace would land in the default namespace"},
]

# Fields of a component Application's chart source. An empty chart and a
# missing targetRevision are chart-name-bare's and chart-version-pinned's
# findings, so they are not reported twice.
chart_fields := [
	{"path": ["helm", "releaseName"], "why": "the Helm release would be named after the Application and the chart's resource names would change"},
]

# Fields of a component Application's `ref: values` source.
values_ref_fields := [
	{"path": ["repoURL"], "why": "ArgoCD cannot fetch the values files"},
	{"path": ["targetRevision"], "why": "ArgoCD would read the values files from the repository's default branch"},
]

# Fields of a root Application's source.
root_fields := [
	{"path": ["spec", "source", "repoURL"], "why": "ArgoCD has no repository to read the cluster's Applications from"},
	{"path": ["spec", "source", "targetRevision"], "why": "ArgoCD would follow the repository's default branch"},
	{"path": ["spec", "source", "path"], "why": "ArgoCD would not know which folder holds the cluster's Applications"},
]

deny contains f if {
	some file in lib.applications
	is_object(file.content)
	some req in common
	not filled(lib.field(file, req.path))
	f := missing(file, req.path, req.why)
}

# Exactly one of spec.destination.server and spec.destination.name.
deny contains f if {
	some file in lib.applications
	is_object(file.content)
	count(destinations(file)) == 0
	f := lib.finding(
		file,
		["spec", "destination"],
		sprintf("%s: spec.destination has neither server nor name, so ArgoCD does not know which cluster to deploy to", [lib.subject(file)]),
		"set spec.destination.server (such as https://kubernetes.default.svc) or spec.destination.name, or the cluster's destination in the config",
	)
}

deny contains f if {
	some file in lib.applications
	is_object(file.content)
	count(destinations(file)) > 1
	f := lib.finding(
		file,
		["spec", "destination"],
		sprintf("%s: spec.destination sets both server and name; ArgoCD rejects an Application that sets both", [lib.subject(file)]),
		"keep only one of spec.destination.server and spec.destination.name",
	)
}

# A component Application without any Helm chart source.
deny contains f if {
	some file in lib.component_applications
	is_object(file.content)
	count(lib.chart_sources(file)) == 0
	f := lib.finding(
		file,
		sources_field(file),
		sprintf("%s: the Application has no Helm chart source (a source with chart), so ArgoCD has nothing to install", [lib.subject(file)]),
		regenerate_hint(file),
	)
}

deny contains f if {
	some file in lib.component_applications
	is_object(file.content)
	some src in lib.chart_sources(file)
	some req in chart_fields
	not filled(object.get(src.source, req.path, null))
	f := missing(file, array.concat(src.field, req.path), req.why)
}

deny contains f if {
	some file in lib.component_applications
	is_object(file.content)
	some src in lib.chart_sources(file)
	not non_empty_array(object.get(src.source, ["helm", "valueFiles"], null))
	path := array.concat(src.field, ["helm", "valueFiles"])
	f := lib.finding(
		file,
		path,
		sprintf("%s: %s is %s; the chart would be installed with its default values, ignoring clusters/%s/values/%s.yaml", [lib.subject(file), lib.dotted(path), describe(lib.field(file, path), "list"), lib.cluster(file), lib.component(file)]),
		sprintf("set %s to [$values/%sclusters/%s/values/%s.yaml] in %s (running dorgu-gen render again rewrites the file)", [lib.dotted(path), lib.repo_prefix, lib.cluster(file), lib.component(file), lib.file_str(file, "path")]),
	)
}

# A component Application without the `ref: values` Git source.
deny contains f if {
	some file in lib.component_applications
	is_object(file.content)
	count(values_refs(file)) == 0
	f := lib.finding(
		file,
		sources_field(file),
		sprintf("%s: the Application has no Git source with ref: values, so ArgoCD cannot resolve the $values/ value files", [lib.subject(file)]),
		sprintf("add a source {repoURL: <the scaffold's Git repository>, targetRevision: main, ref: values} to spec.sources of %s (running dorgu-gen render again rewrites the file)", [lib.file_str(file, "path")]),
	)
}

deny contains f if {
	some file in lib.component_applications
	is_object(file.content)
	some src in values_refs(file)
	some req in values_ref_fields
	not filled(object.get(src.source, req.path, null))
	f := missing(file, array.concat(src.field, req.path), req.why)
}

# A component Application without a sync wave (a sync wave that is not an
# integer is sync-wave-order's finding).
deny contains f if {
	some file in lib.component_applications
	is_object(file.content)
	path := ["metadata", "annotations", lib.sync_wave_annotation]
	lib.unset(file, path)
	f := missing(file, path, "ArgoCD would sync the component without waiting for the components it depends on")
}

deny contains f if {
	some file in lib.root_applications
	is_object(file.content)
	some req in root_fields
	not filled(lib.field(file, req.path))
	f := missing(file, req.path, req.why)
}

# The destination keys that are set.
destinations(file) := {key |
	some key in ["server", "name"]
	filled(lib.field(file, ["spec", "destination", key]))
}

values_refs(file) := {src |
	some src in lib.sources(file)
	src.source.ref == "values"
}

sources_field(file) := ["spec", "sources"] if lib.field(file, ["spec", "sources"]) != null

else := ["spec"]

# A field is filled when it is a non-empty string (a number or a boolean is
# reported too: every field checked here is a string in the CRD).
filled(x) if {
	is_string(x)
	x != ""
}

non_empty_array(x) if {
	is_array(x)
	count(x) > 0
}

missing(file, path, why) := lib.finding(
	file,
	path,
	sprintf("%s: %s is %s; %s", [lib.subject(file), lib.dotted(path), describe(lib.field(file, path), "string"), why]),
	sprintf("restore %s in %s (running dorgu-gen render again rewrites the file)", [lib.dotted(path), lib.file_str(file, "path")]),
)

# How a field that is not as expected looks, for messages.
describe(x, want) := "missing" if x == null

else := "empty" if x in {"", [], {}}

else := sprintf("%s, not a %s", [lib.show(x), want]) if type_name(x) != want_type[want]

else := lib.show(x)

want_type := {"string": "string", "list": "array"}

kind_of(x) := "empty" if x == null

else := "an array" if is_array(x)

else := sprintf("a %s", [type_name(x)])

regenerate_hint(file) := sprintf("run dorgu-gen render again to rewrite %s, or restore the Application by hand", [lib.file_str(file, "path")])
