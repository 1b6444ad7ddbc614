# METADATA
# title: Sync waves are integers
# description: >-
#   ArgoCD orders the Applications of a cluster by their
#   argocd.argoproj.io/sync-wave annotation, which must be an integer written
#   as a string ("0", "2", "-1"). A value ArgoCD cannot parse makes it treat
#   the Application as wave 0, so a component may sync before the components
#   it depends on (its CRDs, its certificates, its database).
# custom:
#   scope: cluster
package dorgu.policies.sync_wave_order

import data.dorgu.lib

deny contains f if {
	some file in lib.applications
	path := ["metadata", "annotations", lib.sync_wave_annotation]
	wave := lib.field(file, path)
	present(file, wave)
	not integer(wave)
	f := lib.finding(
		file,
		path,
		sprintf("%s: sync wave %s is not an integer written as a string; ArgoCD cannot order it among the other Applications of cluster %q, so it may sync before the components it depends on", [lib.subject(file), lib.show(wave), lib.cluster(file)]),
		hint(wave),
	)
}

# An empty sync wave of a component Application is application-required-fields'
# finding (the annotation is missing), not reported twice.
present(_, wave) if {
	wave != null
	wave != ""
}

present(file, wave) if {
	wave == ""
	file.kind == "root-application"
}

integer(wave) if {
	is_string(wave)
	regex.match(`^[+-]?[0-9]+$`, wave)
}

hint(wave) := sprintf("quote the annotation's value: argocd.argoproj.io/sync-wave: \"%v\" (Kubernetes annotations are strings)", [wave]) if is_number(wave)

else := "set argocd.argoproj.io/sync-wave to an integer such as \"0\"; dorgu-gen computes it from the components' dependsOn, so rendering again restores it"
