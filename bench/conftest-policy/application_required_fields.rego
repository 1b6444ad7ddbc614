# policies/application_required_fields.rego for conftest (translated
# mechanically: lib. dropped, helpers prefixed with required_).
package main

# The content of the file is not a YAML mapping at all.
deny contains f if {
	some file in applications
	not is_object(file.content)
	f := finding(
		file,
		[],
		sprintf("application-required-fields: %s: %s does not hold an ArgoCD Application (its content is %s, not a mapping)", [subject(file), file_str(file, "path"), required_kind_of(file.content)]),
		required_regenerate_hint(file),
	)
}

# apiVersion and kind.
deny contains f if {
	some file in applications
	is_object(file.content)
	some key, want in {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application"}
	got := field(file, [key])
	got != want
	f := finding(
		file,
		[key],
		sprintf("application-required-fields: %s: %s is %s, expected %q; ArgoCD would not treat the file as an Application", [subject(file), key, required_describe(got, "string"), want]),
		sprintf("set %s: %s in %s", [key, want, file_str(file, "path")]),
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
	some file in applications
	is_object(file.content)
	some req in common
	not required_filled(field(file, req.path))
	f := required_missing(file, req.path, req.why)
}

# Exactly one of spec.destination.server and spec.destination.name.
deny contains f if {
	some file in applications
	is_object(file.content)
	count(required_destinations(file)) == 0
	f := finding(
		file,
		["spec", "destination"],
		sprintf("application-required-fields: %s: spec.destination has neither server nor name, so ArgoCD does not know which cluster to deploy to", [subject(file)]),
		"set spec.destination.server (such as https://kubernetes.default.svc) or spec.destination.name, or the cluster's destination in the config",
	)
}

deny contains f if {
	some file in applications
	is_object(file.content)
	count(required_destinations(file)) > 1
	f := finding(
		file,
		["spec", "destination"],
		sprintf("application-required-fields: %s: spec.destination sets both server and name; ArgoCD rejects an Application that sets both", [subject(file)]),
		"keep only one of spec.destination.server and spec.destination.name",
	)
}

# A component Application without any Helm chart source.
deny contains f if {
	some file in component_applications
	is_object(file.content)
	count(chart_sources(file)) == 0
	f := finding(
		file,
		required_sources_field(file),
		sprintf("application-required-fields: %s: the Application has no Helm chart source (a source with chart), so ArgoCD has nothing to install", [subject(file)]),
		required_regenerate_hint(file),
	)
}

deny contains f if {
	some file in component_applications
	is_object(file.content)
	some src in chart_sources(file)
	some req in chart_fields
	not required_filled(object.get(src.source, req.path, null))
	f := required_missing(file, array.concat(src.field, req.path), req.why)
}

deny contains f if {
	some file in component_applications
	is_object(file.content)
	some src in chart_sources(file)
	not required_non_empty_array(object.get(src.source, ["helm", "valueFiles"], null))
	path := array.concat(src.field, ["helm", "valueFiles"])
	f := finding(
		file,
		path,
		sprintf("application-required-fields: %s: %s is %s; the chart would be installed with its default values, ignoring clusters/%s/values/%s.yaml", [subject(file), dotted(path), required_describe(field(file, path), "list"), cluster(file), component(file)]),
		sprintf("set %s to [$values/clusters/%s/values/%s.yaml] in %s (running dorgu-gen render again rewrites the file)", [dotted(path), cluster(file), component(file), file_str(file, "path")]),
	)
}

# A component Application without the `ref: values` Git source.
deny contains f if {
	some file in component_applications
	is_object(file.content)
	count(required_values_refs(file)) == 0
	f := finding(
		file,
		required_sources_field(file),
		sprintf("application-required-fields: %s: the Application has no Git source with ref: values, so ArgoCD cannot resolve the $values/ value files", [subject(file)]),
		sprintf("add a source {repoURL: <the scaffold's Git repository>, targetRevision: main, ref: values} to spec.sources of %s (running dorgu-gen render again rewrites the file)", [file_str(file, "path")]),
	)
}

deny contains f if {
	some file in component_applications
	is_object(file.content)
	some src in required_values_refs(file)
	some req in values_ref_fields
	not required_filled(object.get(src.source, req.path, null))
	f := required_missing(file, array.concat(src.field, req.path), req.why)
}

# A component Application without a sync wave (a sync wave that is not an
# integer is sync-wave-order's finding).
deny contains f if {
	some file in component_applications
	is_object(file.content)
	path := ["metadata", "annotations", sync_wave_annotation]
	unset(file, path)
	f := required_missing(file, path, "ArgoCD would sync the component without waiting for the components it depends on")
}

deny contains f if {
	some file in root_applications
	is_object(file.content)
	some req in root_fields
	not required_filled(field(file, req.path))
	f := required_missing(file, req.path, req.why)
}

# The destination keys that are set.
required_destinations(file) := {key |
	some key in ["server", "name"]
	required_filled(field(file, ["spec", "destination", key]))
}

required_values_refs(file) := {src |
	some src in sources(file)
	src.source.ref == "values"
}

required_sources_field(file) := ["spec", "sources"] if field(file, ["spec", "sources"]) != null

else := ["spec"]

# A field is filled when it is a non-empty string (a number or a boolean is
# reported too: every field checked here is a string in the CRD).
required_filled(x) if {
	is_string(x)
	x != ""
}

required_non_empty_array(x) if {
	is_array(x)
	count(x) > 0
}

required_missing(file, path, why) := finding(
	file,
	path,
	sprintf("application-required-fields: %s: %s is %s; %s", [subject(file), dotted(path), required_describe(field(file, path), "string"), why]),
	sprintf("restore %s in %s (running dorgu-gen render again rewrites the file)", [dotted(path), file_str(file, "path")]),
)

# How a field that is not as expected looks, for messages.
required_describe(x, want) := "missing" if x == null

else := "empty" if x in {"", [], {}}

else := sprintf("%s, not a %s", [show(x), want]) if type_name(x) != required_want_type[want]

else := show(x)

required_want_type := {"string": "string", "list": "array"}

required_kind_of(x) := "empty" if x == null

else := "an array" if is_array(x)

else := sprintf("a %s", [type_name(x)])

required_regenerate_hint(file) := sprintf("run dorgu-gen render again to rewrite %s, or restore the Application by hand", [file_str(file, "path")])
