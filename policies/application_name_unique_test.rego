package dorgu.policies.application_name_unique_test

import data.dorgu.lib_test as fx
import data.dorgu.policies.application_name_unique as policy

dev_cm := "clusters/dev/apps/cert-manager.yaml"

prod_cm := "clusters/prod/apps/cert-manager.yaml"

rename(path, name) := fx.patch(path, [{"op": "replace", "path": "/metadata/name", "value": name}])

test_scaffold_passes if {
	count(policy.deny) == 0 with input as fx.scaffold
}

test_duplicate_is_reported_on_the_later_file_naming_both if {
	f := fx.one(policy.deny, prod_cm, ["metadata", "name"]) with input as rename(prod_cm, "dev-cert-manager")
	f.msg == `cert-manager in cluster "prod": Application name "dev-cert-manager" is also the name of clusters/dev/apps/cert-manager.yaml; ArgoCD keeps Applications in one namespace, so clusters/dev/apps/cert-manager.yaml and clusters/prod/apps/cert-manager.yaml would overwrite each other`
}

test_clash_between_cluster_and_component_names if {
	# Cluster dev with component foo-bar and cluster dev-foo with component bar.
	a := fx.app("dev", "foo-bar", fx.cert_manager, "0", [])
	b := json.patch(fx.app("dev", "bar", fx.cert_manager, "0", []), [
		{"op": "replace", "path": "/path", "value": "clusters/dev-foo/apps/bar.yaml"},
		{"op": "replace", "path": "/cluster", "value": "dev-foo"},
		{"op": "replace", "path": "/content/metadata/name", "value": "dev-foo-bar"},
	])
	fs := policy.deny with input as {"files": [a, b]}
	f := fx.one(fs, "clusters/dev/apps/foo-bar.yaml", ["metadata", "name"])
	contains(f.msg, `"dev-foo-bar" is also the name of clusters/dev-foo/apps/bar.yaml`)
}

test_component_clashing_with_a_root_application if {
	a := fx.app("dev", "root", fx.cert_manager, "0", [])
	inp := fx.with_file(a.path, a)
	f := fx.one(policy.deny, a.path, ["metadata", "name"]) with input as inp
	contains(f.msg, "is also the name of argocd/dev-root-app.yaml")
}

test_three_files_give_two_findings if {
	inp := fx.patch(prod_cm, [{"op": "replace", "path": "/metadata/name", "value": "dev-cert-manager"}])
	inp2 := {"files": [g |
		some f in inp.files
		g := rename_file(f, "clusters/prod/apps/openobserve.yaml", "dev-cert-manager")
	]}
	fs := policy.deny with input as inp2
	{f.path | some f in fs} == {prod_cm, "clusters/prod/apps/openobserve.yaml"}
	every f in fs {
		contains(f.msg, "is also the name of clusters/dev/apps/cert-manager.yaml")
	}
}

rename_file(f, path, name) := json.patch(f, [{"op": "replace", "path": "/content/metadata/name", "value": name}]) if f.path == path

else := f

test_missing_names_are_not_duplicates if {
	inp := fx.patch(dev_cm, [{"op": "remove", "path": "/metadata/name"}])
	inp2 := {"files": [g |
		some f in inp.files
		g := remove_name(f, prod_cm)
	]}
	count(policy.deny) == 0 with input as inp2
}

remove_name(f, path) := json.patch(f, [{"op": "remove", "path": "/content/metadata/name"}]) if f.path == path

else := f
