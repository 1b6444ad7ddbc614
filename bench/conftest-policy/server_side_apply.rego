# policies/server_side_apply.rego for conftest.
package main

ssa_charts := {"cloudnative-pg", "argo-cd", "external-secrets"}

ssa_option := "ServerSideApply=true"

deny contains f if {
	some file in applications
	some src in chart_sources(file)
	chart := chart_name(src)
	chart in ssa_charts
	not ssa_option in as_array(field(file, ["spec", "syncPolicy", "syncOptions"]))
	f := finding(
		file,
		["spec", "syncPolicy", "syncOptions"],
		sprintf("server-side-apply: %s: the %s chart's CRDs exceed the annotation size limit of client-side apply, and spec.syncPolicy.syncOptions does not include %s", [subject(file), chart, ssa_option]),
		sprintf("add %q to %s.syncOptions", [ssa_option, component_config(file)]),
	)
}
