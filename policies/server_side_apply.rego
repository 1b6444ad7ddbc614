# METADATA
# title: Charts with large CRDs sync with server-side apply
# description: >-
#   The cloudnative-pg, argo-cd and external-secrets charts ship
#   CustomResourceDefinitions larger than the 256 KiB that client-side apply
#   can store in its last-applied-configuration annotation, so their
#   Applications need ServerSideApply=true in spec.syncPolicy.syncOptions or
#   the sync fails with "metadata.annotations: Too long".
# custom:
#   scope: cluster
package dorgu.policies.server_side_apply

import data.dorgu.lib

charts := {"cloudnative-pg", "argo-cd", "external-secrets"}

option := "ServerSideApply=true"

deny contains f if {
	some file in lib.applications
	some src in lib.chart_sources(file)
	chart := lib.chart_name(src)
	chart in charts
	not option in lib.as_array(lib.field(file, ["spec", "syncPolicy", "syncOptions"]))
	f := lib.finding(
		file,
		["spec", "syncPolicy", "syncOptions"],
		sprintf("%s: the %s chart's CRDs exceed the annotation size limit of client-side apply, and spec.syncPolicy.syncOptions does not include %s, so the sync fails with \"metadata.annotations: Too long\"", [lib.subject(file), chart, option]),
		sprintf("add %q to %s.syncOptions", [option, lib.component_config(file)]),
	)
}
