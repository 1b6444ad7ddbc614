# METADATA
# title: Chart names are bare
# description: >-
#   The chart of a Helm source is the chart's bare name inside the repository
#   that repoURL points at. A name with a repository alias such as
#   jetstack/cert-manager (the form `helm install` takes) does not exist in
#   the repository, so ArgoCD fails to fetch it; an empty name fetches nothing.
# custom:
#   scope: cluster
package dorgu.policies.chart_name_bare

import data.dorgu.lib

deny contains f if {
	some file in lib.applications
	some src in lib.chart_sources(file)
	name := lib.chart_name(src)
	contains(name, "/")
	parts := split(name, "/")
	f := lib.finding(
		file,
		array.concat(src.field, ["chart"]),
		sprintf("%s: chart %q includes a repository alias; ArgoCD looks the chart up by its bare name inside repoURL %s", [lib.subject(file), name, lib.show(object.get(src.source, "repoURL", ""))]),
		sprintf("set %s.chart.name to %q and keep the repository itself in %s.chart.repoURL", [lib.component_config(file), parts[count(parts) - 1], lib.component_config(file)]),
	)
}

deny contains f if {
	some file in lib.applications
	some src in lib.chart_sources(file)
	lib.chart_name(src) == ""
	f := lib.finding(
		file,
		array.concat(src.field, ["chart"]),
		sprintf("%s: the Helm source has no chart name (chart is %s), so ArgoCD has nothing to install", [lib.subject(file), lib.show(src.source.chart)]),
		sprintf("set %s.chart.name to the chart's name in its repository, such as cert-manager", [lib.component_config(file)]),
	)
}
