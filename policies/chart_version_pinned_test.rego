package dorgu.policies.chart_version_pinned_test

import data.dorgu.lib_test as fx
import data.dorgu.policies.chart_version_pinned as policy

cm := "clusters/dev/apps/cert-manager.yaml"

revision := ["spec", "sources", 0, "targetRevision"]

with_version(v) := fx.patch(cm, [{"op": "replace", "path": "/spec/sources/0/targetRevision", "value": v}])

test_scaffold_passes if {
	count(policy.deny) == 0 with input as fx.scaffold
}

test_exact_versions_pass if {
	every v in ["1.2.3", "v1.21.1", "0.0.0", "10.20.30", "1.0.0-rc.1", "1.0.0-alpha.beta.1", "1.0.0-0.3.7", "1.0.0+build.5", "v2.0.0-rc.1+sha.5114f85"] {
		inp := with_version(v)
		count(policy.deny) == 0 with input as inp
	}
}

test_tags_are_denied if {
	every v in ["latest", "stable", "HEAD", "main", "1.2", "v1", "01.2.3", "1.2.3.4", "1.2.3-", "1.2.3-01", "V1.2.3", "vv1.2.3", "v", "1.2.3+", "1.2.3-rc..1"] {
		inp := with_version(v)
		f := fx.one(policy.deny, cm, revision) with input as inp
		f.msg == sprintf(`cert-manager in cluster "dev": chart version %q is not pinned; ArgoCD would follow whatever the repository publishes next`, [v])
	}
}

test_ranges_are_denied if {
	every v in ["^1.2.0", "~1.2", ">=1.0.0", "1.x", "1.2.X", "1.2.*", "*", "1.2.3 || 1.3.0", ">1.0.0 <2.0.0"] {
		inp := with_version(v)
		f := fx.one(policy.deny, cm, revision) with input as inp
		contains(f.msg, sprintf("chart version %q is a range", [v]))
	}
}

test_empty_version_is_denied if {
	f := fx.one(policy.deny, cm, revision) with input as with_version("")
	contains(f.msg, `chart "cert-manager" has no version`)
}

test_missing_version_is_denied if {
	inp := fx.patch(cm, [{"op": "remove", "path": "/spec/sources/0/targetRevision"}])
	f := fx.one(policy.deny, cm, revision) with input as inp
	contains(f.msg, `cert-manager in cluster "dev": chart "cert-manager" has no version`)
}

test_non_string_version_is_denied if {
	f := fx.one(policy.deny, cm, revision) with input as with_version(1.2)
	contains(f.msg, "chart version 1.2 is not pinned")
}

test_hint_names_the_config_fields if {
	f := fx.one(policy.deny, cm, revision) with input as with_version("latest")
	contains(f.hint, "components.cert-manager.chart.version")
	contains(f.hint, "clusters.dev.components.cert-manager.version")
}

test_single_source_field_is_reported if {
	inp := fx.patch(cm, [
		{"op": "remove", "path": "/spec/sources"},
		{"op": "add", "path": "/spec/source", "value": {"repoURL": "https://charts.jetstack.io", "chart": "cert-manager", "targetRevision": "latest"}},
	])
	fx.one(policy.deny, cm, ["spec", "source", "targetRevision"]) with input as inp
}

test_git_source_revision_is_not_a_chart_version if {
	inp := fx.patch(cm, [{"op": "replace", "path": "/spec/sources/1/targetRevision", "value": "HEAD"}])
	count(policy.deny) == 0 with input as inp
}

test_every_cluster_is_checked if {
	inp := fx.patch("clusters/prod/apps/cert-manager.yaml", [{"op": "replace", "path": "/spec/sources/0/targetRevision", "value": "latest"}])
	f := fx.one(policy.deny, "clusters/prod/apps/cert-manager.yaml", revision) with input as inp
	startswith(f.msg, `cert-manager in cluster "prod": `)
}
