package dorgu.policies.secret_references_test

import data.dorgu.lib_test as t
import data.dorgu.policies.secret_references as policy

# A pod spec reading Secret name in every way a workload can.
pod(name, optional) := {
	"imagePullSecrets": [{"name": name}],
	"initContainers": [{"name": "init", "env": [{"name": "DSN", "valueFrom": {"secretKeyRef": {"name": name, "key": "uri", "optional": optional}}}]}],
	"containers": [
		{"name": "app", "envFrom": [{"configMapRef": {"name": "cm"}}, {"secretRef": {"name": name, "optional": optional}}]},
		{"name": "sidecar", "env": [{"name": "PLAIN", "value": "x"}, {"name": "CM", "valueFrom": {"configMapKeyRef": {"name": "cm", "key": "k"}}}]},
	],
	"volumes": [
		{"name": "tls", "secret": {"secretName": name, "optional": optional}},
		{"name": "all", "projected": {"sources": [{"configMap": {"name": "cm"}}, {"secret": {"name": name, "optional": optional}}]}},
		{"name": "data", "emptyDir": {}},
	],
}

deployment(pod_spec) := {
	"apiVersion": "apps/v1", "kind": "Deployment",
	"metadata": {"name": "openobserve-router", "namespace": "openobserve"},
	"spec": {"replicas": 1, "template": {"spec": pod_spec}},
}

secret(namespace, name) := {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": namespace}}

objects(inp, objs) := {"files": array.concat(inp.files, [t.manifest("prod", "openobserve", o, "openobserve/templates/x.yaml") | some o in objs])}

with_annotation(key, v) := t.patch("clusters/prod/apps/openobserve.yaml", [{"op": "add", "path": concat("", ["/metadata/annotations/dorgu.io~1", key]), "value": v}])

all_fields := [
	"spec.template.spec.containers[0].envFrom[1].secretRef",
	"spec.template.spec.imagePullSecrets[0]",
	"spec.template.spec.initContainers[0].env[0].valueFrom.secretKeyRef",
	"spec.template.spec.volumes[0].secret",
	"spec.template.spec.volumes[1].projected.sources[1].secret",
]

test_unprovided_secret_is_one_error_per_workload_and_secret if {
	fs := policy.deny with input as objects(t.scaffold, [deployment(pod("openobserve-credentials", false))])
	count(fs) == 1
	some f in fs
	f.path == "clusters/prod/values/openobserve.yaml"
	f.field == null
	f.msg == sprintf(`Deployment openobserve/openobserve-router from openobserve/templates/x.yaml: %s reads Secret openobserve-credentials, which nothing in cluster "prod" provides: no chart renders it in namespace openobserve, no rendered ExternalSecret or Certificate there creates it, and no component there declares it in runtimeSecrets or requiresSecrets; its pods cannot start`, [concat(", ", all_fields)])
	startswith(f.hint, "if the cluster's operator creates it, declare it in components.openobserve.requiresSecrets with the keys it holds")
}

test_rendered_secret_in_the_namespace_passes if {
	count(policy.deny) == 0 with input as objects(t.scaffold, [deployment(pod("creds", false)), secret("openobserve", "creds")])
	count(policy.deny) == 1 with input as objects(t.scaffold, [deployment(pod("creds", false)), secret("default", "creds")])
	count(policy.deny) == 1 with input as objects(t.scaffold, [deployment(pod("creds", false)), object.union(secret("openobserve", "creds"), {"kind": "ConfigMap"})])
}

test_secret_of_another_cluster_does_not_count if {
	inp := objects(t.scaffold, [deployment(pod("creds", false))])
	other := t.manifest("dev", "openobserve", secret("openobserve", "creds"), "openobserve/templates/secret.yaml")
	count(policy.deny) == 1 with input as {"files": array.concat(inp.files, [other])}
}

test_external_secret_target_passes if {
	es := {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret", "metadata": {"name": "o2", "namespace": "openobserve"}, "spec": {"target": {"name": "creds"}}}
	count(policy.deny) == 0 with input as objects(t.scaffold, [deployment(pod("creds", false)), es])
	count(policy.deny) == 1 with input as objects(t.scaffold, [deployment(pod("o2", false)), es])
	by_name := json.patch(es, [{"op": "remove", "path": "/spec/target"}])
	count(policy.deny) == 0 with input as objects(t.scaffold, [deployment(pod("o2", false)), by_name])
}

test_certificate_secret_passes if {
	cert := {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "webhook", "namespace": "openobserve"}, "spec": {"secretName": "openobserve-tls"}}
	count(policy.deny) == 0 with input as objects(t.scaffold, [deployment(pod("openobserve-tls", false)), cert])
	count(policy.deny) == 1 with input as objects(t.scaffold, [deployment(pod("webhook", false)), cert])
}

test_declared_runtime_and_operator_secrets_pass if {
	count(policy.deny) == 0 with input as objects(with_annotation("runtime-secrets", "a,creds"), [deployment(pod("creds", false))])
	count(policy.deny) == 0 with input as objects(with_annotation("operator-secrets", "creds"), [deployment(pod("creds", false))])
	count(policy.deny) == 1 with input as objects(with_annotation("operator-secrets", "creds-old,other"), [deployment(pod("creds", false))])
}

test_declared_by_a_component_of_another_namespace_does_not_count if {
	inp := t.patch("clusters/prod/apps/cert-manager.yaml", [{"op": "add", "path": "/metadata/annotations/dorgu.io~1runtime-secrets", "value": "creds"}])
	count(policy.deny) == 1 with input as objects(inp, [deployment(pod("creds", false))])
}

test_optional_references_are_not_checked if {
	count(policy.deny) == 0 with input as objects(t.scaffold, [deployment(json.patch(pod("creds", true), [{"op": "remove", "path": "/imagePullSecrets"}]))])
	fs := policy.deny with input as objects(t.scaffold, [deployment(pod("creds", true))])
	some f in fs
	contains(f.msg, ": spec.template.spec.imagePullSecrets[0] reads Secret creds,")
}

test_every_workload_kind if {
	job_pod := {"containers": [{"name": "a", "envFrom": [{"secretRef": {"name": "creds"}}]}]}
	kinds := [
		{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "openobserve"}, "spec": job_pod},
		{"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s", "namespace": "openobserve"}, "spec": {"template": {"spec": job_pod}}},
		{"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "d", "namespace": "openobserve"}, "spec": {"template": {"spec": job_pod}}},
		{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "namespace": "openobserve", "annotations": {"helm.sh/hook": "pre-install"}}, "spec": {"template": {"spec": job_pod}}},
		{"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "openobserve"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": job_pod}}}}},
	]
	fs := policy.deny with input as objects(t.scaffold, kinds)
	{split(f.msg, ":")[0] | some f in fs} == {
		"Pod openobserve/p from openobserve/templates/x.yaml",
		"StatefulSet openobserve/s from openobserve/templates/x.yaml",
		"DaemonSet openobserve/d from openobserve/templates/x.yaml",
		"Job openobserve/j from openobserve/templates/x.yaml",
		"CronJob openobserve/c from openobserve/templates/x.yaml",
	}
	some f in fs
	contains(f.msg, "CronJob openobserve/c from openobserve/templates/x.yaml: spec.jobTemplate.spec.template.spec.containers[0].envFrom[0].secretRef reads Secret creds,")
}

test_two_secrets_two_findings if {
	p := {"containers": [{"name": "a", "envFrom": [{"secretRef": {"name": "one"}}, {"secretRef": {"name": "two"}}]}]}
	count(policy.deny) == 2 with input as objects(t.scaffold, [deployment(p)])
	count(policy.deny) == 0 with input as t.scaffold
}

test_malformed_pods_never_fail if {
	odd := [
		deployment("pod"),
		deployment({"containers": "app", "volumes": [null, {"secret": "x"}, {"projected": {"sources": "s"}}], "imagePullSecrets": [{"name": 3}, "x"]}),
		deployment({"containers": [null, {"env": [{"valueFrom": {"secretKeyRef": {"name": ""}}}], "envFrom": [{"secretRef": "s"}]}]}),
		{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": ["x"]},
		{"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret", "metadata": {"name": "e", "namespace": "openobserve"}, "spec": {"target": ["x"]}},
	]
	count(policy.deny) == 0 with input as objects(t.scaffold, odd)
}
