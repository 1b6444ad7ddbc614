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
}

test_untried_version_in_production_is_denied if {
	inp := fx.patch_input(promoted, prod_cm, [{"op": "replace", "path": "/spec/sources/0/targetRevision", "value": "v1.22.0"}])
	f := fx.one(policy.deny, prod_cm, ["spec", "sources", 0, "targetRevision"]) with input as inp
	f.msg == `cert-manager v1.22.0 in production (cluster "prod") runs in no earlier environment: development runs v1.21.1`
	contains(f.hint, "run cert-manager v1.22.0 in development first")
}

test_newer_version_in_development_first_passes if {
	inp := fx.patch_input(
		fx.patch_input(promoted, prod_cm, [{"op": "replace", "path": "/spec/sources/0/targetRevision", "value": "v1.22.0"}]),
		dev_cm, [{"op": "replace", "path": "/spec/sources/0/targetRevision", "value": "v1.22.0"}],
	)
	count(policy.deny) == 0 with input as inp
}

test_untried_version_elsewhere_warns if {
	three := fx.patch_input(
		fx.patch("argocd/dev-root-app.yaml", [{"op": "add", "path": "/metadata/annotations", "value": {"dorgu.io/promotion": "sandbox,development,production"}}]),
		"argocd/prod-root-app.yaml", [{"op": "add", "path": "/metadata/annotations", "value": {"dorgu.io/promotion": "sandbox,development,production"}}],
	)
	some f in policy.warn with input as three
	f.path == dev_cm
	contains(f.msg, "sandbox does not run cert-manager")
}

test_without_an_order_nothing_is_checked if {
	inp := fx.patch(prod_cm, [{"op": "replace", "path": "/spec/sources/0/targetRevision", "value": "v9.9.9"}])
	count(policy.deny) == 0 with input as inp
}
