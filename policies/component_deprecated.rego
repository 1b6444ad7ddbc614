# METADATA
# title: No deprecated component without a warning
# description: >-
#   A component can carry a deprecation note (its `deprecated` field), which
#   dorgu-gen writes into the Application as the dorgu.io/deprecated
#   annotation. Each such Application gets a warning that repeats the note,
#   at render and in vet, until the component is replaced or disabled.
# custom:
#   scope: cluster
package dorgu.policies.component_deprecated

import data.dorgu.lib

annotation := "dorgu.io/deprecated"

warn contains f if {
	some file in lib.applications
	file.kind == "application"
	note := lib.field(file, ["metadata", "annotations", annotation])
	is_string(note)
	note != ""
	f := lib.finding(
		file,
		["metadata", "annotations", annotation],
		sprintf("%s is deprecated: %s", [lib.subject(file), note]),
		sprintf("disable it with clusters.%s.components.%s.enabled: false once it is replaced", [file.cluster, file.component]),
	)
}
