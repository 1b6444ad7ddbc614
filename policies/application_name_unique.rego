# METADATA
# title: Application names are unique
# description: >-
#   ArgoCD keeps every Application of a hub in one namespace, so two
#   Application files with the same metadata.name are one object: whichever
#   syncs last overwrites the other, and the first cluster or component
#   silently stops being managed. Names are <cluster>-<component> and
#   <cluster>-root, so a clash comes from names such as cluster dev with
#   component foo-bar and cluster dev-foo with component bar.
# custom:
#   kinds: [application, root-application]
package dorgu.policies.application_name_unique

import data.dorgu.lib

# Every file but the first (by path) that has a given name is reported,
# naming the first.
deny contains f if {
	some file in lib.applications
	name := lib.str(file, ["metadata", "name"])
	name != ""
	first := min({p | some other in lib.applications; lib.str(other, ["metadata", "name"]) == name; p := lib.file_str(other, "path")})
	first != lib.file_str(file, "path")
	f := lib.finding(
		file,
		["metadata", "name"],
		sprintf("%s: Application name %q is also the name of %s; ArgoCD keeps Applications in one namespace, so %s and %s would overwrite each other", [lib.subject(file), name, first, first, lib.file_str(file, "path")]),
		"rename the cluster or the component so that <cluster>-<component> (and <cluster>-root) differ across the stack; if metadata.name was edited by hand, restore it",
	)
}
