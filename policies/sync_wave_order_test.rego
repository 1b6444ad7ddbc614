package dorgu.policies.sync_wave_order_test

import data.dorgu.lib_test as fx
import data.dorgu.policies.sync_wave_order as policy

cm := "clusters/dev/apps/cert-manager.yaml"

root := "argocd/dev-root-app.yaml"

wave := ["metadata", "annotations", "argocd.argoproj.io/sync-wave"]

with_wave(v) := fx.patch(cm, [{"op": "replace", "path": "/metadata/annotations/argocd.argoproj.io~1sync-wave", "value": v}])

test_scaffold_passes if {
	count(policy.deny) == 0 with input as fx.scaffold
}

test_integers_pass if {
	every v in ["0", "5", "-1", "+2", "10"] {
		inp := with_wave(v)
		count(policy.deny) == 0 with input as inp
	}
}

test_non_integers_are_denied if {
	every v in ["one", "1.5", " 1", "1 ", "0x1", "1e3", "--1"] {
		inp := with_wave(v)
		f := fx.one(policy.deny, cm, wave) with input as inp
		f.msg == sprintf(`cert-manager in cluster "dev": sync wave %q is not an integer written as a string; ArgoCD cannot order it among the other Applications of cluster "dev", so it may sync before the components it depends on`, [v])
	}
}

test_unquoted_number_is_denied if {
	f := fx.one(policy.deny, cm, wave) with input as with_wave(1)
	contains(f.msg, "sync wave 1 is not an integer written as a string")
	contains(f.hint, `argocd.argoproj.io/sync-wave: "1"`)
}

test_missing_or_empty_wave_is_left_to_required_fields if {
	every inp in [with_wave(""), fx.patch(cm, [{"op": "remove", "path": "/metadata/annotations"}])] {
		count(policy.deny) == 0 with input as inp
		count(data.dorgu.policies.application_required_fields.deny) == 1 with input as inp
	}
}

test_root_application_wave_is_checked if {
	inp := fx.patch(root, [{"op": "add", "path": "/metadata/annotations", "value": {"argocd.argoproj.io/sync-wave": "first"}}])
	f := fx.one(policy.deny, root, wave) with input as inp
	startswith(f.msg, `the root Application of cluster "dev": sync wave "first"`)
}
