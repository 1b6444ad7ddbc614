package dorgu.policies.repo_url_placeholder_test

import data.dorgu.lib_test as fx
import data.dorgu.policies.repo_url_placeholder as policy

cm := "clusters/dev/apps/cert-manager.yaml"

root := "argocd/dev-root-app.yaml"

placeholder := "https://git.example.invalid/platform.git"

test_scaffold_passes if {
	count(policy.warn) == 0 with input as fx.scaffold
}

test_values_ref_placeholder_warns if {
	inp := fx.patch(cm, [{"op": "replace", "path": "/spec/sources/1/repoURL", "value": placeholder}])
	f := fx.one(policy.warn, cm, ["spec", "sources", 1, "repoURL"]) with input as inp
	f.msg == `cert-manager in cluster "dev": Git repository "https://git.example.invalid/platform.git" is a placeholder; ArgoCD cannot fetch the values files from it`
	contains(f.hint, "repo.url")
	contains(f.hint, "--repo-url")
}

test_root_placeholder_warns if {
	inp := fx.patch(root, [{"op": "replace", "path": "/spec/source/repoURL", "value": "https://EXAMPLE.INVALID/x.git"}])
	f := fx.one(policy.warn, root, ["spec", "source", "repoURL"]) with input as inp
	contains(f.msg, `the root Application of cluster "dev": Git repository "https://EXAMPLE.INVALID/x.git" is a placeholder; ArgoCD cannot fetch the cluster's Applications from it`)
}

test_starter_example_warns if {
	every url in ["https://github.com/your-org/infra-gitops.git", "https://GitHub.com/Your-Org/x.git"] {
		inp := fx.patch(root, [{"op": "replace", "path": "/spec/source/repoURL", "value": url}])
		f := fx.one(policy.warn, root, ["spec", "source", "repoURL"]) with input as inp
		contains(f.msg, sprintf("Git repository %q is a placeholder", [url]))
	}
}

test_a_real_organisation_passes if {
	inp := fx.patch(root, [{"op": "replace", "path": "/spec/source/repoURL", "value": "https://github.com/your-org-platform/infra.git"}])
	count(policy.warn) == 0 with input as inp
}

test_chart_repository_is_not_the_scaffold_repository if {
	inp := fx.patch(cm, [{"op": "replace", "path": "/spec/sources/0/repoURL", "value": "https://charts.example.invalid"}])
	count(policy.warn) == 0 with input as inp
}

test_placeholder_is_not_blocking if {
	inp := fx.patch(cm, [{"op": "replace", "path": "/spec/sources/1/repoURL", "value": placeholder}])
	not policy.deny with input as inp
}

test_root_placeholder_is_reported_once_per_cluster if {
	inp := fx.patch(root, [{"op": "replace", "path": "/spec/source/repoURL", "value": placeholder}])
	inp2 := fx.patch_input(inp, cm, [{"op": "replace", "path": "/spec/sources/1/repoURL", "value": placeholder}])
	fs := policy.warn with input as inp2
	count(fs) == 1
	some f in fs
	f.path == root
}
