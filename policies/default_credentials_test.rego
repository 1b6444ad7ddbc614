package dorgu.policies.default_credentials_test

import data.dorgu.lib_test as t
import data.dorgu.policies.default_credentials as policy

secret(d, string_data) := {
	"apiVersion": "v1", "kind": "Secret",
	"metadata": {"name": "openobserve", "namespace": "openobserve"},
	"data": d,
	"stringData": string_data,
}

config_map(d) := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "openobserve", "namespace": "openobserve"}, "data": d}

statefulset(env) := {
	"apiVersion": "apps/v1", "kind": "StatefulSet",
	"metadata": {"name": "openobserve-minio", "namespace": "openobserve"},
	"spec": {"template": {"spec": {
		"initContainers": [{"name": "init", "env": [{"name": "A", "value": "x"}]}],
		"containers": [{"name": "minio", "env": env}],
	}}},
}

objects(cluster, objs) := {"files": array.concat(t.scaffold.files, [t.manifest(cluster, "openobserve", o, "openobserve/templates/x.yaml") | some o in objs])}

test_default_in_secret_data_is_an_error_in_production if {
	s := secret({"ZO_ROOT_USER_PASSWORD": base64.encode("Complexpass#123"), "ZO_ROOT_USER_EMAIL": base64.encode("admin@acme.io")}, {})
	fs := policy.deny with input as objects("prod", [s])
	count(fs) == 1
	count(policy.warn) == 0 with input as objects("prod", [s])
	some f in fs
	f.path == "clusters/prod/values/openobserve.yaml"
	f.field == null
	f.msg == "Secret openobserve/openobserve from openobserve/templates/x.yaml holds a chart's well-known default credentials in a production cluster: data.ZO_ROOT_USER_PASSWORD is openobserve's root user password (auth.ZO_ROOT_USER_PASSWORD); anyone who has read the chart knows them"
	f.hint == `set the values of clusters.prod.components.openobserve so that the chart renders credentials of your own in their place, or reads them from a secret store (an ExternalSecret, or a Secret declared in requiresSecrets)`
}

test_one_warning_per_component_elsewhere if {
	s := secret({}, {"ZO_META_POSTGRES_DSN": "postgres://openobserve:Batman123@o2-openobserve-postgres-rw:5432/app", "MINIO": "minioadmin"})
	cm := config_map({"smtp": "+fjlahsguykevfkajvjk#jsbj43$bjkjbkk"})
	count(policy.deny) == 0 with input as objects("dev", [s, cm])
	fs := policy.warn with input as objects("dev", [s, cm])
	count(fs) == 1
	some f in fs
	f.path == "clusters/dev/values/openobserve.yaml"
	f.field == null
	f.msg == `openobserve in cluster "dev": what the chart renders holds its well-known default credentials in a development cluster: ConfigMap openobserve/openobserve from openobserve/templates/x.yaml data.smtp; Secret openobserve/openobserve from openobserve/templates/x.yaml stringData.MINIO, stringData.ZO_META_POSTGRES_DSN; anyone who has read the chart knows them (MinIO's default root password, openobserve's Postgres and pgAdmin password (postgres.spec.password, postgres.pgadmin.PGADMIN_DEFAULT_PASSWORD), openobserve's SMTP password (auth.ZO_SMTP_PASSWORD)); acceptable for a throwaway cluster, never for one others can reach`
	f.hint == `set the values of clusters.dev.components.openobserve so that the chart renders credentials of your own in their place, or reads them from a secret store (an ExternalSecret, or a Secret declared in requiresSecrets)`
}

test_config_map_and_env if {
	fs := policy.deny with input as objects("prod", [config_map({"smtp": "+fjlahsguykevfkajvjk#jsbj43$bjkjbkk"}), statefulset([{"name": "MINIO_ROOT_PASSWORD", "value": "rootpass123"}])])
	count(fs) == 2
	msgs := {f.msg | some f in fs}
	some m1 in msgs
	startswith(m1, "ConfigMap openobserve/openobserve from openobserve/templates/x.yaml holds a chart's well-known default credentials in a production cluster: data.smtp is openobserve's SMTP password")
	some m2 in msgs
	startswith(m2, "StatefulSet openobserve/openobserve-minio from openobserve/templates/x.yaml holds a chart's well-known default credentials in a production cluster: spec.template.spec.containers[0].env[0].value is the root password of openobserve's bundled MinIO")
}

test_own_credentials_pass if {
	s := secret({"ZO_ROOT_USER_PASSWORD": base64.encode("s3cret-of-our-own"), "bin": "AAEC/w=="}, {"user": "minioadmin-user", "ZO_TRACING_HEADER_VALUE": "Basic b3VyOm93bg=="})
	env := [{"name": "P", "value": "hunter2"}, {"name": "R", "valueFrom": {"secretKeyRef": {"name": "openobserve", "key": "ZO_ROOT_USER_PASSWORD"}}}]
	inp := objects("prod", [s, config_map({"password": "ours"}), statefulset(env)])
	count(policy.deny) == 0 with input as inp
	count(policy.warn) == 0 with input as inp
	count(policy.deny) == 0 with input as t.scaffold
}

test_only_data_of_secrets_and_config_maps if {
	other := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "data": {"p": "Complexpass#123"}}
	binary := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}, "binaryData": {"p": base64.encode("Complexpass#123")}}
	count(policy.deny) == 0 with input as objects("prod", [other, binary])
}

test_malformed_objects_never_fail if {
	odd := [
		secret({"a": "not base64!", "b": 3, "c": "AP8="}, ["x"]),
		config_map("text"),
		statefulset("env"),
		statefulset([null, {"value": 3}, {"name": "x"}]),
	]
	count(policy.deny) == 0 with input as objects("prod", odd)
}
