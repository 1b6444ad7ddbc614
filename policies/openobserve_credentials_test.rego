package dorgu.policies.openobserve_credentials_test

import data.dorgu.lib_test as fx
import data.dorgu.policies.openobserve_credentials as policy

prod := "clusters/prod/values/openobserve.yaml"

dev := "clusters/dev/values/openobserve.yaml"

# JSON pointers of the keys holding a default credential, with the default.
credentials := [
	{"pointer": "/auth/ZO_ROOT_USER_PASSWORD", "field": ["auth", "ZO_ROOT_USER_PASSWORD"], "value": "Complexpass#123"},
	{"pointer": "/auth/ZO_TRACING_HEADER_VALUE", "field": ["auth", "ZO_TRACING_HEADER_VALUE"], "value": "Basic cm9vdEBleGFtcGxlLmNvbTpDb21wbGV4cGFzcyMxMjM="},
	{"pointer": "/auth/ZO_SMTP_PASSWORD", "field": ["auth", "ZO_SMTP_PASSWORD"], "value": "+fjlahsguykevfkajvjk#jsbj43$bjkjbkk"},
	{"pointer": "/minio/rootPassword", "field": ["minio", "rootPassword"], "value": "rootpass123"},
	{"pointer": "/postgres/spec/password", "field": ["postgres", "spec", "password"], "value": "Batman123"},
	{"pointer": "/postgres/pgadmin/PGADMIN_DEFAULT_PASSWORD", "field": ["postgres", "pgadmin", "PGADMIN_DEFAULT_PASSWORD"], "value": "Batman123"},
]

test_scaffold_passes if {
	count(policy.deny) == 0 with input as fx.scaffold
	count(policy.warn) == 0 with input as fx.scaffold
}

test_production_without_external_secret_is_denied if {
	every v in [false, "true", null] {
		inp := fx.patch(prod, [{"op": "replace", "path": "/externalSecret/enabled", "value": v}])
		f := fx.one(policy.deny, prod, ["externalSecret", "enabled"]) with input as inp
		startswith(f.msg, `openobserve in cluster "prod": externalSecret.enabled is `)
		contains(f.hint, "clusters.prod.components.openobserve.values.externalSecret.enabled: true")
	}
	inp := fx.patch(prod, [{"op": "remove", "path": "/externalSecret"}])
	f := fx.one(policy.deny, prod, ["externalSecret", "enabled"]) with input as inp
	contains(f.msg, "externalSecret.enabled is not set in a production cluster")
}

test_production_default_value_is_denied if {
	every c in credentials {
		inp := fx.patch(prod, [{"op": "replace", "path": c.pointer, "value": c.value}])
		f := fx.one(policy.deny, prod, c.field) with input as inp
		f.msg == sprintf(`openobserve in cluster "prod": %s is the chart's well-known default %q in a production cluster; anyone who has read the chart knows it`, [concat(".", c.field), c.value])
		contains(f.hint, sprintf("clusters.prod.components.openobserve.values.%s", [concat(".", c.field)]))
	}
}

test_production_unset_key_is_denied if {
	every c in credentials {
		inp := fx.patch(prod, [{"op": "remove", "path": c.pointer}])
		f := fx.one(policy.deny, prod, c.field) with input as inp
		contains(f.msg, sprintf("%s is not set in a production cluster, so Helm keeps the chart's well-known default", [concat(".", c.field)]))
	}
}

test_production_empty_values_file_is_denied_per_key if {
	inp := fx.patch(prod, [{"op": "replace", "path": "", "value": {}}])
	fs := policy.deny with input as inp
	{f.field | some f in fs} == {c.field | some c in credentials} | {["externalSecret", "enabled"]}
	count(policy.warn) == 0 with input as inp
}

test_other_environments_warn_once if {
	every c in credentials {
		inp := fx.patch(dev, [{"op": "replace", "path": c.pointer, "value": c.value}])
		count(policy.deny) == 0 with input as inp
		f := fx.one(policy.warn, dev, []) with input as inp
		contains(f.msg, "in a development cluster")
		contains(f.msg, concat(".", c.field))
	}
}

test_other_environments_warn_on_unset_keys if {
	inp := fx.patch(dev, [{"op": "replace", "path": "", "value": {"externalSecret": {"enabled": false}}}])
	count(policy.deny) == 0 with input as inp
	fs := policy.warn with input as inp
	count(fs) == 1
	every c in credentials {
		some f in fs
		contains(f.msg, concat(".", c.field))
	}
}

test_environment_falls_back_to_the_cluster_label if {
	inp := fx.patch(prod, [{"op": "remove", "path": "/externalSecret"}])
	file := [f | some f in inp.files; f.path == prod][0]
	unknown := object.union(file, {"environment": ""})
	fx.one(policy.deny, prod, ["externalSecret", "enabled"]) with input as {"files": array.concat([f | some f in inp.files; f.path != prod], [unknown])}
}

test_unknown_environment_warns if {
	unknown := {"path": "clusters/lab/values/openobserve.yaml", "kind": "values", "cluster": "lab", "component": "openobserve", "environment": "", "content": {}}
	count(policy.deny) == 0 with input as {"files": [unknown]}
	fs := policy.warn with input as {"files": [unknown]}
	count(fs) == 1
	some f in fs
	contains(f.msg, "in a cluster of unknown environment")
}

test_other_components_are_ignored if {
	v := fx.values("prod", "grafana", {"auth": {"ZO_ROOT_USER_PASSWORD": "Complexpass#123"}})
	count(policy.deny) == 0 with input as {"files": [v]}
	count(policy.warn) == 0 with input as {"files": [v]}
}
