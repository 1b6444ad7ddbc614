package dorgu.policies.server_side_apply_test

import data.dorgu.lib_test as fx
import data.dorgu.policies.server_side_apply as policy

eso := "clusters/dev/apps/external-secrets.yaml"

sync_options := ["spec", "syncPolicy", "syncOptions"]

test_scaffold_passes if {
	count(policy.deny) == 0 with input as fx.scaffold
}

test_external_secrets_without_server_side_apply_is_denied if {
	inp := fx.patch(eso, [{"op": "replace", "path": "/spec/syncPolicy/syncOptions", "value": ["CreateNamespace=true"]}])
	f := fx.one(policy.deny, eso, sync_options) with input as inp
	f.msg == `external-secrets in cluster "dev": the external-secrets chart's CRDs exceed the annotation size limit of client-side apply, and spec.syncPolicy.syncOptions does not include ServerSideApply=true, so the sync fails with "metadata.annotations: Too long"`
	f.hint == `add "ServerSideApply=true" to components.external-secrets.syncOptions`
}

test_every_large_crd_chart_needs_it if {
	every chart in ["cloudnative-pg", "argo-cd", "external-secrets"] {
		a := fx.app("dev", chart, {"repoURL": "https://charts.acme.test", "name": chart, "version": "1.0.0"}, "0", [])
		inp := fx.with_file(a.path, a)
		fx.one(policy.deny, a.path, sync_options) with input as inp

		b := fx.app("dev", chart, {"repoURL": "https://charts.acme.test", "name": chart, "version": "1.0.0"}, "0", ["ServerSideApply=true"])
		ok := fx.with_file(b.path, b)
		count(policy.deny) == 0 with input as ok
	}
}

test_missing_sync_policy_is_denied if {
	inp := fx.patch(eso, [{"op": "remove", "path": "/spec/syncPolicy"}])
	fx.one(policy.deny, eso, sync_options) with input as inp
}

test_server_side_apply_false_is_denied if {
	inp := fx.patch(eso, [{"op": "replace", "path": "/spec/syncPolicy/syncOptions/1", "value": "ServerSideApply=false"}])
	fx.one(policy.deny, eso, sync_options) with input as inp
}

test_other_charts_do_not_need_it if {
	a := fx.app("dev", "cert-manager", fx.cert_manager, "0", [])
	a.content.spec.syncPolicy.syncOptions == ["CreateNamespace=true"]
	count(policy.deny) == 0 with input as {"files": [a]}
}
