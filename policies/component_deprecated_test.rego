package dorgu.policies.component_deprecated_test

import data.dorgu.lib_test as fx
import data.dorgu.policies.component_deprecated as policy

cm := "clusters/dev/apps/cert-manager.yaml"

test_scaffold_passes if {
	count(policy.warn) == 0 with input as fx.scaffold
}

test_deprecated_component_warns if {
	inp := fx.patch(cm, [{"op": "add", "path": "/metadata/annotations/dorgu.io~1deprecated", "value": "use something else"}])
	f := fx.one(policy.warn, cm, ["metadata", "annotations", "dorgu.io/deprecated"]) with input as inp
	f.msg == `cert-manager in cluster "dev" is deprecated: use something else`
	contains(f.hint, "clusters.dev.components.cert-manager.enabled: false")
}

test_empty_note_is_not_a_deprecation if {
	inp := fx.patch(cm, [{"op": "add", "path": "/metadata/annotations/dorgu.io~1deprecated", "value": ""}])
	count(policy.warn) == 0 with input as inp
}
