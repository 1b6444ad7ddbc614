# METADATA
# title: Chart versions are pinned
# description: >-
#   Every Helm chart source of an ArgoCD Application names an exact chart
#   release (MAJOR.MINOR.PATCH with an optional leading v, pre-release and
#   build metadata, as in Semantic Versioning 2.0). A tag such as latest, a
#   range such as ^1.2.0 or 1.x, or no version at all lets ArgoCD deploy
#   whatever the chart repository publishes next, so the same commit would
#   no longer render the same cluster.
# custom:
#   scope: cluster
package dorgu.policies.chart_version_pinned

import data.dorgu.lib

deny contains f if {
	some file in lib.applications
	some src in lib.chart_sources(file)
	not pinned(src.source)
	f := lib.finding(
		file,
		array.concat(src.field, ["targetRevision"]),
		sprintf("%s: %s", [lib.subject(file), problem(src.source)]),
		hint(file),
	)
}

# An exact release: Semantic Versioning 2.0 (https://semver.org), which
# OPA's semver.is_valid checks, with an optional leading v as Helm and most
# chart repositories write it (semver.is_valid accepts one lower-case v).
pinned(source) if {
	is_string(source.targetRevision)
	semver.is_valid(source.targetRevision)
}

problem(source) := sprintf("chart %s has no version (targetRevision), so it is not pinned; ArgoCD would deploy whatever the repository publishes next", [lib.show(source.chart)]) if {
	object.get(source, "targetRevision", null) in {null, ""}
} else := sprintf("chart version %s is a range, not an exact release; ArgoCD would deploy whatever newest release matches it", [lib.show(source.targetRevision)]) if {
	is_string(source.targetRevision)
	range(source.targetRevision)
} else := sprintf("chart version %s is not pinned; ArgoCD would follow whatever the repository publishes next", [lib.show(source.targetRevision)])

range(v) if regex.match(`[\^~<>=*| ]|(^|\.)[xX](\.|$)`, v)

hint(file) := sprintf(
	"set %s.chart.version (or %s.version for this cluster only) to an exact release such as 1.2.3 or v1.2.3, without ^, ~, x or *",
	[lib.component_config(file), lib.cluster_component_config(file)],
)
