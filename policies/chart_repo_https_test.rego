package dorgu.policies.chart_repo_https_test

import data.dorgu.lib_test as fx
import data.dorgu.policies.chart_repo_https as policy

cm := "clusters/dev/apps/cert-manager.yaml"

repo_url := ["spec", "sources", 0, "repoURL"]

with_repo(url) := fx.patch(cm, [{"op": "replace", "path": "/spec/sources/0/repoURL", "value": url}])

test_scaffold_passes if {
	count(policy.deny) == 0 with input as fx.scaffold
}

test_https_and_oci_pass if {
	every url in ["https://charts.jetstack.io", "HTTPS://charts.jetstack.io", "oci://registry-1.docker.io/bitnamicharts", "oci://ghcr.io/acme/charts"] {
		inp := with_repo(url)
		count(policy.deny) == 0 with input as inp
	}
}

test_plain_http_is_denied if {
	f := fx.one(policy.deny, cm, repo_url) with input as with_repo("http://charts.jetstack.io")
	f.msg == `cert-manager in cluster "dev": chart repository "http://charts.jetstack.io" uses plain HTTP; anyone between ArgoCD and the repository could swap the chart`
	contains(f.hint, "components.cert-manager.chart.repoURL")
}

test_local_paths_and_bare_hosts_are_denied if {
	every url in ["./charts", "/srv/charts", "file:///srv/charts", "charts.jetstack.io", "git@github.com:acme/charts.git", "ssh://git@github.com/acme/charts.git"] {
		inp := with_repo(url)
		f := fx.one(policy.deny, cm, repo_url) with input as inp
		contains(f.msg, sprintf("chart repository %q is neither an https:// repository nor an oci:// registry", [url]))
	}
}

test_missing_or_empty_repo_is_denied if {
	every inp in [with_repo(""), with_repo(null), fx.patch(cm, [{"op": "remove", "path": "/spec/sources/0/repoURL"}])] {
		f := fx.one(policy.deny, cm, repo_url) with input as inp
		contains(f.msg, `chart "cert-manager" has no repository (repoURL)`)
	}
}

test_git_sources_are_not_chart_repositories if {
	inp := fx.patch(cm, [{"op": "replace", "path": "/spec/sources/1/repoURL", "value": "http://git.acme.test/infra.git"}])
	count(policy.deny) == 0 with input as inp
}
