# METADATA
# title: Chart repositories use HTTPS or OCI, in the form ArgoCD reads
# description: >-
#   The repoURL of every Helm chart source is an https:// Helm repository or
#   an OCI registry. Plain http:// lets anyone on the path swap the chart
#   that runs with cluster-admin rights, and a local path or an SSH URL is
#   not something ArgoCD can fetch a chart from. ArgoCD v3.5 takes a
#   chart's repoURL without a scheme (registry-1.docker.io/bitnamicharts)
#   for an OCI registry and pulls oci://<repoURL>/<chart>; an oci:// repoURL
#   it reads as an OCI image, not as a registry holding the chart, so a
#   chart source with one is denied too.
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
		hint(file, url),
	)
}

secure(url) if {
	is_string(url)
	startswith(lower(url), "https://")
}

secure(url) if oci_registry(url)

# An OCI registry as ArgoCD's Helm client reads a repoURL without a scheme:
# a registry host (a name with a dot, or a port, or localhost, as Docker
# tells a registry from a path) and an optional path.
oci_registry(url) if {
	is_string(url)
	regex.match(`^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+(:[0-9]+)?|localhost(:[0-9]+)?|[a-z0-9]([-a-z0-9]*[a-z0-9])?:[0-9]+)(/[a-z0-9]+([._/-][a-z0-9]+)*)?$`, url)
}

problem(src, url) := sprintf("chart %s has no repository (repoURL), so ArgoCD cannot fetch it", [lib.show(lib.chart_name(src))]) if {
	url in {null, ""}
} else := sprintf("chart repository %q uses plain HTTP; anyone between ArgoCD and the repository could swap the chart", [url]) if {
	is_string(url)
	startswith(lower(url), "http://")
} else := sprintf("chart repository %q is an oci:// URL, which ArgoCD reads as an OCI image rather than a registry holding chart %s; a Helm chart from an OCI registry is written without the scheme (%q)", [url, lib.show(lib.chart_name(src)), substring(url, 6, -1)]) if {
	is_string(url)
	startswith(lower(url), "oci://")
} else := sprintf("chart repository %s is neither an https:// repository nor an OCI registry (host/path, without oci://), so ArgoCD cannot fetch the chart from it", [lib.show(url)])

hint(file, url) := "write the chart's repository in the config as oci://...: dorgu-gen renders it without the scheme, as ArgoCD expects; render again to restore the file" if {
	is_string(url)
	startswith(lower(url), "oci://")
} else := sprintf("set %s.chart.repoURL to the chart repository's https:// address (or its oci:// registry)", [lib.component_config(file)])
