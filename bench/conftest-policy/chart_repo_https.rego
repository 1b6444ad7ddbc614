# policies/chart_repo_https.rego for conftest.
package main

deny contains f if {
	some file in applications
	some src in chart_sources(file)
	url := object.get(src.source, "repoURL", null)
	not secure_repo(url)
	f := finding(
		file,
		array.concat(src.field, ["repoURL"]),
		sprintf("chart-repo-https: %s: %s", [subject(file), repo_problem(src, url)]),
		sprintf("set %s.chart.repoURL to the chart repository's https:// address (or its oci:// registry)", [component_config(file)]),
	)
}

secure_repo(url) if {
	is_string(url)
	some scheme in ["https://", "oci://"]
	startswith(lower(url), scheme)
}

repo_problem(src, url) := sprintf("chart %s has no repository (repoURL)", [show(chart_name(src))]) if {
	url in {null, ""}
} else := sprintf("chart repository %q uses plain HTTP", [url]) if {
	is_string(url)
	startswith(lower(url), "http://")
} else := sprintf("chart repository %s is neither an https:// repository nor an oci:// registry", [show(url)])
