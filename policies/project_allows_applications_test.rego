package dorgu.policies.project_allows_applications_test

import data.dorgu.lib_test as fx
import data.dorgu.policies.project_allows_applications as policy

cm := "clusters/dev/apps/cert-manager.yaml"

proj := "clusters/dev/apps/_appproject.yaml"

test_scaffold_passes if {
	count(policy.deny) == 0 with input as fx.scaffold
}

test_default_project_is_denied if {
	inp := fx.patch(cm, [{"op": "replace", "path": "/spec/project", "value": "default"}])
	f := fx.one(policy.deny, cm, ["spec", "project"]) with input as inp
	contains(f.msg, "default project")
}

test_unknown_project_is_denied if {
	inp := fx.patch(cm, [{"op": "replace", "path": "/spec/project", "value": "staging"}])
	f := fx.one(policy.deny, cm, ["spec", "project"]) with input as inp
	contains(f.msg, `project "staging", which no AppProject`)
}

test_source_outside_the_project_is_denied if {
	inp := fx.patch(cm, [{"op": "replace", "path": "/spec/sources/0/repoURL", "value": "https://charts.evil.example"}])
	f := fx.one(policy.deny, cm, ["spec", "sources", 0, "repoURL"]) with input as inp
	contains(f.msg, `does not allow source repository "https://charts.evil.example"`)
}

test_destination_outside_the_project_is_denied if {
	inp := fx.patch(cm, [{"op": "replace", "path": "/spec/destination/namespace", "value": "kube-system"}])
	f := fx.one(policy.deny, cm, ["spec", "destination"]) with input as inp
	contains(f.msg, "does not allow destination")
}

test_other_cluster_is_denied if {
	inp := fx.patch(cm, [{"op": "replace", "path": "/spec/destination", "value": {"name": "prod", "namespace": "cert-manager"}}])
	fx.one(policy.deny, cm, ["spec", "destination"]) with input as inp
}

test_glob_patterns_match_as_in_argocd if {
	inp := fx.patch_input(
		fx.patch(proj, [{"op": "replace", "path": "/spec/sourceRepos", "value": ["https://charts.jetstack.io", "https://charts.*.io", "https://github.com/acme/*"]}]),
		cm, [{"op": "replace", "path": "/spec/sources/0/repoURL", "value": "https://charts.other.io"}],
	)
	count({f | some f in policy.deny; f.path == cm}) == 0 with input as inp
}

test_incomplete_destination_is_left_to_required_fields if {
	inp := fx.patch(cm, [{"op": "remove", "path": "/spec/destination/namespace"}])
	count(policy.deny) == 0 with input as inp
}

test_two_projects_of_one_name_do_not_break_the_check if {
	dup := object.union(fx.project("dev", [fx.cert_manager], ["cert-manager"]), {"path": "clusters/dev/apps/zz-copy.yaml"})
	inp := {"files": array.concat(fx.scaffold.files, [dup])}
	count(policy.deny) == 0 with input as inp
}

# A chart from an OCI registry is a source named without oci://, and the
# project allows it in the same form, as ArgoCD compares them.
test_oci_registry_sources_match_as_in_argocd if {
	oci := fx.patch_input(
		fx.patch(proj, [{"op": "add", "path": "/spec/sourceRepos/-", "value": "docker.io/envoyproxy"}]),
		cm, [{"op": "replace", "path": "/spec/sources/0/repoURL", "value": "docker.io/envoyproxy"}],
	)
	count(policy.deny) == 0 with input as oci

	# The oci:// form in the project is another string to ArgoCD.
	inp := fx.patch_input(
		fx.patch(proj, [{"op": "add", "path": "/spec/sourceRepos/-", "value": "oci://docker.io/envoyproxy"}]),
		cm, [{"op": "replace", "path": "/spec/sources/0/repoURL", "value": "docker.io/envoyproxy"}],
	)
	f := fx.one(policy.deny, cm, ["spec", "sources", 0, "repoURL"]) with input as inp
	contains(f.msg, `does not allow source repository "docker.io/envoyproxy"`)
}

# ArgoCD lower-cases both sides and drops a trailing .git.
test_urls_are_normalized_as_in_argocd if {
	inp := fx.patch_input(
		fx.patch(proj, [{"op": "replace", "path": "/spec/sourceRepos", "value": ["HTTPS://Charts.Jetstack.io", "https://github.com/acme/infra"]}]),
		cm, [{"op": "replace", "path": "/spec/sources/1/repoURL", "value": "https://github.com/acme/infra.git"}],
	)
	count({f | some f in policy.deny; f.path == cm}) == 0 with input as inp
}
