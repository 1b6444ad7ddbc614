package dorgu.policies.version_promotion_test

import data.dorgu.lib_test as fx
import data.dorgu.policies.version_promotion as policy

prod_cm := "clusters/prod/apps/cert-manager.yaml"

dev_cm := "clusters/dev/apps/cert-manager.yaml"

# The scaffold with a promotion order on both root Applications.
promoted := fx.patch_input(
	fx.patch("argocd/dev-root-app.yaml", [{"op": "add", "path": "/metadata/annotations", "value": {"dorgu.io/promotion": "development,production"}}]),
	"argocd/prod-root-app.yaml", [{"op": "add", "path": "/metadata/annotations", "value": {"dorgu.io/promotion": "development,production"}}],
)

test_same_versions_pass if {
	count(policy.deny) == 0 with input as promoted
	count(policy.warn) == 0 with input as promoted
	count(policy.note) == 0 with input as promoted
}

test_untried_version_in_production_is_denied if {
	inp := fx.patch_input(promoted, prod_cm, [{"op": "replace", "path": "/spec/sources/0/targetRevision", "value": "v1.22.0"}])
	f := fx.one(policy.deny, prod_cm, ["spec", "sources", 0, "targetRevision"]) with input as inp
	f.msg == `cert-manager v1.22.0 in production (cluster "prod") runs in no earlier environment: development runs v1.21.1`
	contains(f.hint, "run cert-manager v1.22.0 in development first")
	count(policy.note) == 0 with input as inp
}

test_newer_version_in_development_first_passes if {
	inp := fx.patch_input(
		fx.patch_input(promoted, prod_cm, [{"op": "replace", "path": "/spec/sources/0/targetRevision", "value": "v1.22.0"}]),
		dev_cm, [{"op": "replace", "path": "/spec/sources/0/targetRevision", "value": "v1.22.0"}],
	)
	count(policy.deny) == 0 with input as inp
}

# Mid-promotion: development moved on to v1.22.0, production still runs
# v1.21.1, which is older. That is the version on its way out, not an
# untried one.
test_older_version_than_an_earlier_environment_passes if {
	inp := fx.patch_input(promoted, dev_cm, [{"op": "replace", "path": "/spec/sources/0/targetRevision", "value": "v1.22.0"}])
	count(policy.deny) == 0 with input as inp
	count(policy.warn) == 0 with input as inp
}

# Versions that are not SemVer cannot be ordered: still untried.
test_unordered_versions_are_untried if {
	inp := fx.patch_input(
		fx.patch_input(promoted, dev_cm, [{"op": "replace", "path": "/spec/sources/0/targetRevision", "value": "2024-06"}]),
		prod_cm, [{"op": "replace", "path": "/spec/sources/0/targetRevision", "value": "2024-05"}],
	)
	fx.one(policy.deny, prod_cm, ["spec", "sources", 0, "targetRevision"]) with input as inp
}

# An order of three environments, and a sandbox cluster that runs
# cert-manager at v1.20.0.
three := {"files": array.concat(
	fx.patch_input(
		fx.patch("argocd/dev-root-app.yaml", [{"op": "add", "path": "/metadata/annotations", "value": {"dorgu.io/promotion": "sandbox,development,production"}}]),
		"argocd/prod-root-app.yaml", [{"op": "add", "path": "/metadata/annotations", "value": {"dorgu.io/promotion": "sandbox,development,production"}}],
	).files,
	[sandbox_cm],
)}

sandbox_cm := object.union(
	fx.app("dev", "cert-manager", object.union(fx.cert_manager, {"version": "v1.20.0"}), "0", []),
	{"path": "clusters/sb/apps/cert-manager.yaml", "cluster": "sb", "environment": "sandbox"},
)

test_untried_version_elsewhere_warns if {
	f := fx.one(policy.warn, dev_cm, ["spec", "sources", 0, "targetRevision"]) with input as three
	f.msg == `cert-manager v1.21.1 in development (cluster "dev") runs in no earlier environment: sandbox runs v1.20.0`
	count(policy.deny) == 0 with input as three
}

# Production's version runs in development, though not in the sandbox:
# one earlier environment is enough.
test_one_earlier_environment_is_enough if {
	count(policy.deny) == 0 with input as three
	every f in policy.warn {
		f.path != prod_cm
	} with input as three
}

# A hub's ArgoCD runs in production only: nothing to promote from is a
# note, never an error.
prod_argocd := "clusters/prod/apps/argocd.yaml"

test_component_no_earlier_environment_runs_is_a_note if {
	argo := {"repoURL": "https://argoproj.github.io/argo-helm", "name": "argo-cd", "version": "10.1.1"}
	inp := {"files": array.concat(promoted.files, [fx.app("prod", "argocd", argo, "0", ["ServerSideApply=true"])])}
	count(policy.deny) == 0 with input as inp
	count(policy.warn) == 0 with input as inp
	f := fx.one(policy.note, prod_argocd, ["spec", "sources", 0, "targetRevision"]) with input as inp
	f.msg == `argocd 10.1.1 in production (cluster "prod") has nothing to promote from: no earlier environment (development) runs argocd`
}

# The first environment of the order has nothing before it: no note.
test_first_environment_has_no_note if {
	inp := {"files": array.concat(promoted.files, [fx.app("dev", "extra", fx.cert_manager, "0", [])])}
	count(policy.note) == 0 with input as inp
}

# No environment before the sandbox-less development runs cert-manager
# when the sandbox cluster is gone: a note, not a warning.
test_earlier_environment_without_clusters_is_a_note if {
	inp := {"files": [f | some f in three.files; f.path != sandbox_cm.path]}
	count(policy.warn) == 0 with input as inp
	notes := {f.path: f | some f in policy.note} with input as inp
	notes[dev_cm].field == ["spec", "sources", 0, "targetRevision"]
	notes[dev_cm].msg == `cert-manager v1.21.1 in development (cluster "dev") has nothing to promote from: no earlier environment (sandbox) runs cert-manager`
}

test_without_an_order_nothing_is_checked if {
	inp := fx.patch(prod_cm, [{"op": "replace", "path": "/spec/sources/0/targetRevision", "value": "v9.9.9"}])
	count(policy.deny) == 0 with input as inp
	count(policy.note) == 0 with input as inp
}
