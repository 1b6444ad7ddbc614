# METADATA
# title: Production components run more than one replica
# description: >-
#   An example of a policy of your own. It runs with the embedded ones, on
#   every file of the scaffold, at render and in vet. `dorgu-gen policy test`
#   runs its unit tests (production_replicas_test.rego).
package dorgu.policies.production_replicas

deny contains f if {
	some file in input.files
	file.kind == "values"
	file.environment == "production"
	file.component == "metrics-server"
	replicas := object.get(file.content, "replicas", 1)
	is_number(replicas)
	replicas < 2
	f := {
		"path": file.path,
		"field": ["replicas"],
		"msg": sprintf("metrics-server in cluster %q runs %v replica in production", [file.cluster, replicas]),
		"hint": sprintf("set clusters.%s.components.metrics-server.values.replicas to 2 or more", [file.cluster]),
	}
}
