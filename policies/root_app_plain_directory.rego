# METADATA
# title: Root Applications read their folder as plain YAML
# description: >-
#   vet checks what a root Application deploys by reading its folder as
#   ArgoCD reads a plain directory source: the files directly in it, as
#   YAML or JSON. A root Application that recurses into sub-folders, or
#   renders its folder with Kustomize, Helm, a chart or a config management
#   plugin, makes ArgoCD deploy objects that vet never reads, so a pull
#   request could slip an Application past every other check by editing
#   the root Application alone.
# custom:
#   scope: cluster
package dorgu.policies.root_app_plain_directory

import data.dorgu.lib

# The source fields that make ArgoCD render a folder other than as plain
# files, and what each does.
renderers := {
	"kustomize": "renders the folder with Kustomize",
	"helm": "renders the folder as a Helm chart",
	"plugin": "renders the folder with a config management plugin",
	"chart": "deploys a Helm chart instead of the folder",
}

deny contains f if {
	some file in lib.root_applications
	some src in lib.sources(file)
	some key, what in renderers
	key in object.keys(src.source)
	f := lib.finding(
		file,
		array.concat(src.field, [key]),
		sprintf("%s: %s.%s %s, so ArgoCD deploys objects that vet does not read from the files", [lib.subject(file), lib.dotted(src.field), key, what]),
		sprintf("remove %s from %s; a root Application syncs the plain YAML files of its folder", [key, lib.dotted(src.field)]),
	)
}

deny contains f if {
	some file in lib.root_applications
	some src in lib.sources(file)
	lib.get(src.source, ["directory", "recurse"]) == true
	f := lib.finding(
		file,
		array.concat(src.field, ["directory", "recurse"]),
		sprintf("%s: %s.directory.recurse makes ArgoCD deploy the files of every sub-folder too, which vet does not read", [lib.subject(file), lib.dotted(src.field)]),
		sprintf("remove directory.recurse from %s; keep every Application of a cluster directly in its apps folder", [lib.dotted(src.field)]),
	)
}
