package dorgu.policies.chart_repo_https_test

import data.dorgu.lib_test as fx
import data.dorgu.policies.chart_repo_https as policy

cm := "clusters/dev/apps/cert-manager.yaml"

repo_url := ["spec", "sources", 0, "repoURL"]

with_repo(url) := fx.patch(cm, [{"op": "replace", "path": "/spec/sources/0/repoURL", "value": url}])

test_scaffold_passes if {
	count(policy.deny) == 0 with input as fx.scaffold
}

# An https:// Helm repository, and an OCI registry as ArgoCD v3.5 expects a
# chart source to name it: without the scheme.
test_https_and_oci_registries_pass if {
	every url in [
		"https://charts.jetstack.io", "HTTPS://charts.jetstack.io",
		"registry-1.docker.io/bitnamicharts", "ghcr.io/acme/charts", "docker.io/envoyproxy",
		"registry.acme.io:5000/charts", "localhost:5000/charts", "ghcr.io",
	] {
		inp := with_repo(url)
		count(policy.deny) == 0 with input as inp
	}
}

# ArgoCD reads an oci:// repoURL as an OCI image: the chart would not be
# found in it.
test_oci_scheme_on_a_chart_source_is_denied if {
	f := fx.one(policy.deny, cm, repo_url) with input as with_repo("oci://ghcr.io/acme/charts")
	f.msg == `cert-manager in cluster "dev": chart repository "oci://ghcr.io/acme/charts" is an oci:// URL, which ArgoCD reads as an OCI image rather than a registry holding chart "cert-manager"; a Helm chart from an OCI registry is written without the scheme ("ghcr.io/acme/charts")`
	contains(f.hint, "dorgu-gen renders it without the scheme")
}

# An OCI image source (path: ., no chart) is not a chart source.
test_oci_image_sources_are_not_checked if {
	inp := fx.patch(cm, [
		{"op": "remove", "path": "/spec/sources/0/chart"},
		{"op": "replace", "path": "/spec/sources/0/repoURL", "value": "oci://ghcr.io/acme/charts/cert-manager"},
		{"op": "add", "path": "/spec/sources/0/path", "value": "."},
	])
	count(policy.deny) == 0 with input as inp
}

test_plain_http_is_denied if {
	f := fx.one(policy.deny, cm, repo_url) with input as with_repo("http://charts.jetstack.io")
	f.msg == `cert-manager in cluster "dev": chart repository "http://charts.jetstack.io" uses plain HTTP; anyone between ArgoCD and the repository could swap the chart`
	contains(f.hint, "components.cert-manager.chart.repoURL")
}

test_local_paths_and_ssh_urls_are_denied if {
	every url in ["./charts", "/srv/charts", "file:///srv/charts", "charts", "charts/stable", "git@github.com:acme/charts.git", "ssh://git@github.com/acme/charts.git", "ghcr.io//x", "Ghcr.io/acme"] {
		inp := with_repo(url)
		f := fx.one(policy.deny, cm, repo_url) with input as inp
		contains(f.msg, sprintf("chart repository %q is neither an https:// repository nor an OCI registry (host/path, without oci://)", [url]))
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
