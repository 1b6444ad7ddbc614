package dorgu.policies.production_replicas_test

import data.dorgu.policies.production_replicas as policy

values(env, replicas) := {"files": [{
	"path": "clusters/prod/values/metrics-server.yaml",
	"kind": "values",
	"cluster": "prod",
	"component": "metrics-server",
	"environment": env,
	"content": {"replicas": replicas},
}]}

test_one_replica_in_production_is_denied if {
	some f in policy.deny with input as values("production", 1)
	f.field == ["replicas"]
}

test_three_replicas_in_production_pass if {
	count(policy.deny) == 0 with input as values("production", 3)
}

test_one_replica_in_development_passes if {
	count(policy.deny) == 0 with input as values("development", 1)
}
