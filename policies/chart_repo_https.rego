# METADATA
# title: Chart repositories use HTTPS or OCI
# description: >-
#   The repoURL of every Helm chart source is an https:// Helm repository or
#   an oci:// registry. Plain http:// lets anyone on the path swap the chart
#   that runs with cluster-admin rights, and a local path or a bare host name
#   is not something ArgoCD can fetch a chart from.
# custom:
#   scope: cluster
package dorgu.policies.chart_repo_https

import data.dorgu.lib

deny contains f if {
	some file in lib.applications
	some src in lib.chart_sources(file)
	url := object.get(src.source, "repoURL", null)
	not secure(url)
	f := lib.finding(
		file,
		array.concat(src.field, ["repoURL"]),
		sprintf("%s: %s", [lib.subject(file), problem(src, url)]),
		sprintf("set %s.chart.repoURL to the chart repository's https:// address (or its oci:// registry)", [lib.component_config(file)]),
	)
}

secure(url) if {
	is_string(url)
	some scheme in ["https://", "oci://"]
	startswith(lower(url), scheme)
}

problem(src, url) := sprintf("chart %s has no repository (repoURL), so ArgoCD cannot fetch it", [lib.show(lib.chart_name(src))]) if {
	url in {null, ""}
} else := sprintf("chart repository %q uses plain HTTP; anyone between ArgoCD and the repository could swap the chart", [url]) if {
	is_string(url)
	startswith(lower(url), "http://")
} else := sprintf("chart repository %s is neither an https:// repository nor an oci:// registry, so ArgoCD cannot fetch the chart from it", [lib.show(url)])
