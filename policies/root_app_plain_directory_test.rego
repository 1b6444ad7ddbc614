package dorgu.policies.root_app_plain_directory_test

import data.dorgu.lib_test as fx
import data.dorgu.policies.root_app_plain_directory as policy

root := "argocd/prod-root-app.yaml"

test_scaffold_passes if {
	count(policy.deny) == 0 with input as fx.scaffold
}

test_include_narrows_and_passes if {
	inp := fx.patch(root, [{"op": "add", "path": "/spec/source/directory", "value": {"include": "{a.yaml,b.yaml}", "recurse": false}}])
	count(policy.deny) == 0 with input as inp
}

test_recurse_is_denied if {
	inp := fx.patch(root, [{"op": "add", "path": "/spec/source/directory", "value": {"recurse": true}}])
	f := fx.one(policy.deny, root, ["spec", "source", "directory", "recurse"]) with input as inp
	f.msg == `the root Application of cluster "prod": spec.source.directory.recurse makes ArgoCD deploy the files of every sub-folder too, which vet does not read`
	f.hint == "remove directory.recurse from spec.source; keep every Application of a cluster directly in its apps folder"
}

test_every_renderer_is_denied if {
	every key in ["kustomize", "helm", "plugin"] {
		inp := fx.patch(root, [{"op": "add", "path": concat("", ["/spec/source/", key]), "value": {}}])
		fx.one(policy.deny, root, ["spec", "source", key]) with input as inp
	}
}

test_chart_is_denied if {
	inp := fx.patch(root, [{"op": "add", "path": "/spec/source/chart", "value": "apps"}])
	f := fx.one(policy.deny, root, ["spec", "source", "chart"]) with input as inp
	f.msg == `the root Application of cluster "prod": spec.source.chart deploys a Helm chart instead of the folder, so ArgoCD deploys objects that vet does not read from the files`
}

test_multi_source_root_is_checked_per_source if {
	inp := fx.patch(root, [
		{"op": "add", "path": "/spec/sources", "value": [{"repoURL": "https://github.com/acme/x.git", "path": "y", "kustomize": {}}]},
	])
	fx.one(policy.deny, root, ["spec", "sources", 0, "kustomize"]) with input as inp
}

test_component_applications_are_not_root_applications if {
	# A component Application's chart source is what it should be.
	count(policy.deny) == 0 with input as fx.patch("clusters/prod/apps/cert-manager.yaml", [])
}
