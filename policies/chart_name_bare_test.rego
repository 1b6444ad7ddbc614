package dorgu.policies.chart_name_bare_test

import data.dorgu.lib_test as fx
import data.dorgu.policies.chart_name_bare as policy

cm := "clusters/dev/apps/cert-manager.yaml"

chart := ["spec", "sources", 0, "chart"]

with_chart(c) := fx.patch(cm, [{"op": "replace", "path": "/spec/sources/0/chart", "value": c}])

test_scaffold_passes if {
	count(policy.deny) == 0 with input as fx.scaffold
}

test_repository_alias_is_denied if {
	f := fx.one(policy.deny, cm, chart) with input as with_chart("jetstack/cert-manager")
	f.msg == `cert-manager in cluster "dev": chart "jetstack/cert-manager" includes a repository alias; ArgoCD looks the chart up by its bare name inside repoURL "https://charts.jetstack.io"`
	contains(f.hint, `set components.cert-manager.chart.name to "cert-manager"`)
}

test_nested_path_is_denied if {
	f := fx.one(policy.deny, cm, chart) with input as with_chart("charts/stable/cert-manager")
	contains(f.hint, `"cert-manager"`)
}

test_empty_chart_is_denied if {
	f := fx.one(policy.deny, cm, chart) with input as with_chart("")
	contains(f.msg, `cert-manager in cluster "dev": the Helm source has no chart name (chart is "")`)
}

test_null_or_non_string_chart_is_denied if {
	every c in [null, 5, ["cert-manager"]] {
		inp := with_chart(c)
		f := fx.one(policy.deny, cm, chart) with input as inp
		contains(f.msg, "has no chart name")
	}
}

test_source_without_chart_key_is_not_a_chart_source if {
	inp := fx.patch(cm, [{"op": "remove", "path": "/spec/sources/0/chart"}])
	count(policy.deny) == 0 with input as inp

	# application-required-fields reports it instead.
	count(data.dorgu.policies.application_required_fields.deny) == 1 with input as inp
}
