package dorgu.policies.project_least_privilege_test

import data.dorgu.lib_test as fx
import data.dorgu.policies.project_least_privilege as policy

proj := "clusters/dev/apps/_appproject.yaml"

test_scaffold_passes if {
	count(policy.deny) == 0 with input as fx.scaffold
}

test_any_repository_is_denied if {
	inp := fx.patch(proj, [{"op": "add", "path": "/spec/sourceRepos/-", "value": "*"}])
	some f in policy.deny with input as inp
	f.field == ["spec", "sourceRepos", 4]
	contains(f.msg, `allows source repository "*"`)
}

test_any_namespace_is_denied if {
	inp := fx.patch(proj, [{"op": "replace", "path": "/spec/destinations/0/namespace", "value": "*"}])
	some f in policy.deny with input as inp
	f.field == ["spec", "destinations", 0, "namespace"]
}

test_any_kind_is_denied if {
	inp := fx.patch(proj, [{"op": "add", "path": "/spec/clusterResourceWhitelist/-", "value": {"group": "*", "kind": "*"}}])
	count(policy.deny) == 2 with input as inp
}
