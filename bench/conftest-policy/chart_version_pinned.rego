# policies/chart_version_pinned.rego for conftest.
package main

semver := `^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-(0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*)?(\+[0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*)?$`

deny contains f if {
	some file in applications
	some src in chart_sources(file)
	not pinned(src.source)
	f := finding(
		file,
		array.concat(src.field, ["targetRevision"]),
		sprintf("chart-version-pinned: %s: %s", [subject(file), version_problem(src.source)]),
		sprintf(
			"set %s.chart.version (or %s.version for this cluster only) to an exact release such as 1.2.3 or v1.2.3, without ^, ~, x or *",
			[component_config(file), cluster_component_config(file)],
		),
	)
}

pinned(source) if {
	is_string(source.targetRevision)
	regex.match(semver, source.targetRevision)
}

version_problem(source) := sprintf("chart %s has no version (targetRevision), so it is not pinned", [show(source.chart)]) if {
	object.get(source, "targetRevision", null) in {null, ""}
} else := sprintf("chart version %s is a range, not an exact release", [show(source.targetRevision)]) if {
	is_string(source.targetRevision)
	regex.match(`[\^~<>=*| ]|(^|\.)[xX](\.|$)`, source.targetRevision)
} else := sprintf("chart version %s is not pinned", [show(source.targetRevision)])
