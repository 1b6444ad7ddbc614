package dorgu.policies.values_file_referenced_test

import data.dorgu.lib_test as fx
import data.dorgu.policies.values_file_referenced as policy

cm := "clusters/dev/apps/cert-manager.yaml"

cm_values := "clusters/dev/values/cert-manager.yaml"

test_scaffold_passes if {
	count(policy.deny) == 0 with input as fx.scaffold
}

test_missing_values_file_is_denied if {
	f := fx.one(policy.deny, cm, ["spec", "sources", 0, "helm", "valueFiles", 0]) with input as fx.without(cm_values)
	f.msg == `cert-manager in cluster "dev": helm.valueFiles names $values/clusters/dev/values/cert-manager.yaml, but the scaffold has no file clusters/dev/values/cert-manager.yaml; ArgoCD fails to render the chart when a value file is missing`
	contains(f.hint, "create clusters/dev/values/cert-manager.yaml")
}

test_every_entry_is_checked if {
	inp := fx.patch(cm, [{"op": "add", "path": "/spec/sources/0/helm/valueFiles/-", "value": "$values/clusters/dev/values/extra.yaml"}])
	f := fx.one(policy.deny, cm, ["spec", "sources", 0, "helm", "valueFiles", 1]) with input as inp
	contains(f.msg, "no file clusters/dev/values/extra.yaml")
}

test_orphan_values_file_is_denied if {
	orphan := fx.values("dev", "loki", {"loki": {"auth_enabled": false}})
	inp := fx.with_file(orphan.path, orphan)
	f := fx.one(policy.deny, orphan.path, []) with input as inp
	f.msg == `loki in cluster "dev": clusters/dev/values/loki.yaml is not used by any Application (no helm.valueFiles entry $values/clusters/dev/values/loki.yaml), so changes to it have no effect`
	contains(f.hint, "clusters/dev/apps/loki.yaml")
}

test_renamed_reference_gives_both_findings if {
	inp := fx.patch(cm, [{"op": "replace", "path": "/spec/sources/0/helm/valueFiles/0", "value": "$values/clusters/dev/values/certmanager.yaml"}])
	fs := policy.deny with input as inp
	{[f.path, f.field] | some f in fs} == {
		[cm, ["spec", "sources", 0, "helm", "valueFiles", 0]],
		[cm_values, []],
	}
}

test_values_file_of_another_cluster_counts_as_referenced if {
	# prod's cert-manager reads dev's values file: dev's own reference is
	# gone, yet the file is still used, and prod's own file becomes an orphan.
	inp := fx.patch("clusters/prod/apps/cert-manager.yaml", [{"op": "replace", "path": "/spec/sources/0/helm/valueFiles/0", "value": "$values/clusters/dev/values/cert-manager.yaml"}])
	f := fx.one(policy.deny, "clusters/prod/values/cert-manager.yaml", []) with input as inp
	contains(f.msg, `cert-manager in cluster "prod"`)
}

test_entries_outside_values_ref_are_ignored if {
	inp := fx.patch(cm, [{"op": "add", "path": "/spec/sources/0/helm/valueFiles/-", "value": "values-production.yaml"}])
	count(policy.deny) == 0 with input as inp
}

test_scaffold_in_a_folder_of_the_repository_passes if {
	count(policy.deny) == 0 with input as fx.in_folder("infra-gitops")
}

test_reference_outside_the_scaffold_folder_is_denied if {
	# repo.path is infra-gitops, but one Application names the values file
	# from the repository's root, where ArgoCD finds nothing.
	inp := fx.patch_input(fx.in_folder("infra-gitops"), cm, [{"op": "replace", "path": "/spec/sources/0/helm/valueFiles/0", "value": "$values/clusters/dev/values/cert-manager.yaml"}])
	fs := policy.deny with input as inp
	{[f.path, f.field] | some f in fs} == {
		[cm, ["spec", "sources", 0, "helm", "valueFiles", 0]],
		[cm_values, []],
	}
	some outside in fs
	outside.path == cm
	outside.msg == `cert-manager in cluster "dev": helm.valueFiles names $values/clusters/dev/values/cert-manager.yaml, outside the scaffold's folder infra-gitops/ of the repository, where the root Applications say it lies; ArgoCD fails to render the chart when a value file is missing`
	some f in fs
	f.path == cm_values
	f.msg == `cert-manager in cluster "dev": clusters/dev/values/cert-manager.yaml is not used by any Application (no helm.valueFiles entry $values/infra-gitops/clusters/dev/values/cert-manager.yaml), so changes to it have no effect`
}
