# policies/chart_name_bare.rego for conftest.
package main

deny contains f if {
	some file in applications
	some src in chart_sources(file)
	name := chart_name(src)
	contains(name, "/")
	parts := split(name, "/")
	f := finding(
		file,
		array.concat(src.field, ["chart"]),
		sprintf("chart-name-bare: %s: chart %q includes a repository alias; ArgoCD looks the chart up by its bare name inside repoURL %s", [subject(file), name, show(object.get(src.source, "repoURL", ""))]),
		sprintf("set %s.chart.name to %q and keep the repository itself in %s.chart.repoURL", [component_config(file), parts[count(parts) - 1], component_config(file)]),
	)
}

deny contains f if {
	some file in applications
	some src in chart_sources(file)
	chart_name(src) == ""
	f := finding(
		file,
		array.concat(src.field, ["chart"]),
		sprintf("chart-name-bare: %s: the Helm source has no chart name (chart is %s)", [subject(file), show(src.source.chart)]),
		sprintf("set %s.chart.name to the chart's name in its repository", [component_config(file)]),
	)
}
