package dorgu.policies.application_required_fields_test

import data.dorgu.lib_test as fx
import data.dorgu.policies.application_required_fields as policy

cm := "clusters/dev/apps/cert-manager.yaml"

root := "argocd/dev-root-app.yaml"

test_scaffold_passes if {
	count(policy.deny) == 0 with input as fx.scaffold
}

# Each removal from a component Application gives one finding on that field.
test_missing_component_fields_are_denied if {
	every c in [
		{"pointer": "/metadata/name", "field": ["metadata", "name"]},
		{"pointer": "/metadata/namespace", "field": ["metadata", "namespace"]},
		{"pointer": "/spec/project", "field": ["spec", "project"]},
		{"pointer": "/spec/destination/namespace", "field": ["spec", "destination", "namespace"]},
		{"pointer": "/spec/sources/0/helm/releaseName", "field": ["spec", "sources", 0, "helm", "releaseName"]},
		{"pointer": "/spec/sources/0/helm/valueFiles", "field": ["spec", "sources", 0, "helm", "valueFiles"]},
		{"pointer": "/spec/sources/1/repoURL", "field": ["spec", "sources", 1, "repoURL"]},
		{"pointer": "/spec/sources/1/targetRevision", "field": ["spec", "sources", 1, "targetRevision"]},
		{"pointer": "/metadata/annotations/argocd.argoproj.io~1sync-wave", "field": ["metadata", "annotations", "argocd.argoproj.io/sync-wave"]},
	] {
		inp := fx.patch(cm, [{"op": "remove", "path": c.pointer}])
		f := fx.one(policy.deny, cm, c.field) with input as inp
		startswith(f.msg, `cert-manager in cluster "dev": `)
		contains(f.msg, " is missing; ")
		contains(f.hint, cm)
	}
}

test_missing_field_message if {
	inp := fx.patch(cm, [{"op": "remove", "path": "/metadata/namespace"}])
	f := fx.one(policy.deny, cm, ["metadata", "namespace"]) with input as inp
	f.msg == `cert-manager in cluster "dev": metadata.namespace is missing; ArgoCD only picks up Applications in its own namespace (argocd)`
}

test_empty_and_non_string_fields_are_denied if {
	every v in ["", 3, {"name": "default"}] {
		inp := fx.patch(cm, [{"op": "replace", "path": "/spec/project", "value": v}])
		fx.one(policy.deny, cm, ["spec", "project"]) with input as inp
	}
}

test_empty_value_files_are_denied if {
	inp := fx.patch(cm, [{"op": "replace", "path": "/spec/sources/0/helm/valueFiles", "value": []}])
	f := fx.one(policy.deny, cm, ["spec", "sources", 0, "helm", "valueFiles"]) with input as inp
	contains(f.msg, "helm.valueFiles is empty")
	contains(f.hint, "$values/clusters/dev/values/cert-manager.yaml")
}

test_one_finding_per_missing_field if {
	inp := fx.patch(cm, [
		{"op": "remove", "path": "/metadata/name"},
		{"op": "remove", "path": "/spec/project"},
	])
	fs := policy.deny with input as inp
	{f.field | some f in fs} == {["metadata", "name"], ["spec", "project"]}
}

test_wrong_api_version_and_kind_are_denied if {
	inp := fx.patch(cm, [{"op": "replace", "path": "/apiVersion", "value": "argoproj.io/v1beta1"}])
	f := fx.one(policy.deny, cm, ["apiVersion"]) with input as inp
	f.msg == `cert-manager in cluster "dev": apiVersion is "argoproj.io/v1beta1", expected "argoproj.io/v1alpha1"; ArgoCD would not treat the file as an Application`

	inp2 := fx.patch(cm, [{"op": "remove", "path": "/kind"}])
	g := fx.one(policy.deny, cm, ["kind"]) with input as inp2
	contains(g.msg, `kind is missing, expected "Application"`)
}

test_destination_needs_server_or_name if {
	inp := fx.patch(cm, [{"op": "remove", "path": "/spec/destination/server"}])
	f := fx.one(policy.deny, cm, ["spec", "destination"]) with input as inp
	contains(f.msg, "has neither server nor name")

	by_name := fx.patch(cm, [
		{"op": "remove", "path": "/spec/destination/server"},
		{"op": "add", "path": "/spec/destination/name", "value": "in-cluster"},
	])
	count(policy.deny) == 0 with input as by_name
}

test_destination_with_server_and_name_is_denied if {
	inp := fx.patch(cm, [{"op": "add", "path": "/spec/destination/name", "value": "in-cluster"}])
	f := fx.one(policy.deny, cm, ["spec", "destination"]) with input as inp
	contains(f.msg, "sets both server and name")
}

test_missing_chart_source_is_denied if {
	inp := fx.patch(cm, [{"op": "remove", "path": "/spec/sources/0"}])
	f := fx.one(policy.deny, cm, ["spec", "sources"]) with input as inp
	contains(f.msg, "has no Helm chart source")
}

test_missing_values_ref_source_is_denied if {
	inp := fx.patch(cm, [{"op": "remove", "path": "/spec/sources/1"}])
	f := fx.one(policy.deny, cm, ["spec", "sources"]) with input as inp
	contains(f.msg, "has no Git source with ref: values")

	other_ref := fx.patch(cm, [{"op": "replace", "path": "/spec/sources/1/ref", "value": "config"}])
	fx.one(policy.deny, cm, ["spec", "sources"]) with input as other_ref
}

test_missing_sources_gives_both_findings if {
	inp := fx.patch(cm, [{"op": "remove", "path": "/spec/sources"}])
	fs := policy.deny with input as inp
	count(fs) == 2
	every f in fs {
		f.field == ["spec"]
	}
}

test_missing_root_fields_are_denied if {
	every c in [
		{"pointer": "/spec/source/repoURL", "field": ["spec", "source", "repoURL"]},
		{"pointer": "/spec/source/targetRevision", "field": ["spec", "source", "targetRevision"]},
		{"pointer": "/spec/source/path", "field": ["spec", "source", "path"]},
		{"pointer": "/metadata/name", "field": ["metadata", "name"]},
		{"pointer": "/spec/destination/namespace", "field": ["spec", "destination", "namespace"]},
	] {
		inp := fx.patch(root, [{"op": "remove", "path": c.pointer}])
		f := fx.one(policy.deny, root, c.field) with input as inp
		startswith(f.msg, `the root Application of cluster "dev": `)
	}
}

test_content_that_is_not_a_mapping_is_one_finding if {
	every content in [null, "apiVersion: v1", [1]] {
		inp := fx.patch(cm, [{"op": "replace", "path": "", "value": content}])
		f := fx.one(policy.deny, cm, []) with input as inp
		contains(f.msg, "does not hold an ArgoCD Application")
	}
}
