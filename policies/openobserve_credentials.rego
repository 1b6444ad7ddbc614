# METADATA
# title: OpenObserve does not run with the chart's default credentials
# description: >-
#   The openobserve chart ships well-known default credentials (root user
#   password, tracing header, SMTP password, MinIO root password, Postgres
#   and pgAdmin passwords). Helm merges a values file over the chart's
#   defaults, so a key the values file does not set keeps its default. In
#   production the values file must enable externalSecret and override every
#   one of them; in other environments keeping them is a warning.
# custom:
#   scope: cluster
package dorgu.policies.openobserve_credentials

import data.dorgu.lib

# The chart's default credentials, by values path.
defaults := [
	{"path": ["auth", "ZO_ROOT_USER_PASSWORD"], "value": "Complexpass#123"},
	{"path": ["auth", "ZO_TRACING_HEADER_VALUE"], "value": "Basic cm9vdEBleGFtcGxlLmNvbTpDb21wbGV4cGFzcyMxMjM="},
	{"path": ["auth", "ZO_SMTP_PASSWORD"], "value": "+fjlahsguykevfkajvjk#jsbj43$bjkjbkk"},
	{"path": ["minio", "rootPassword"], "value": "rootpass123"},
	{"path": ["postgres", "spec", "password"], "value": "Batman123"},
	{"path": ["postgres", "pgadmin", "PGADMIN_DEFAULT_PASSWORD"], "value": "Batman123"},
]

production := "production"

deny contains f if {
	some file in lib.values_files
	lib.component(file) == "openobserve"
	lib.environment(file) == production
	lib.field(file, ["externalSecret", "enabled"]) != true
	f := lib.finding(
		file,
		["externalSecret", "enabled"],
		sprintf("%s: externalSecret.enabled is %s in a production cluster; OpenObserve's credentials must come from a secret store, not from the values file or the chart's defaults", [lib.subject(file), state(lib.field(file, ["externalSecret", "enabled"]))]),
		sprintf("set %s.values.externalSecret.enabled: true and create the secret it names in the secret store", [lib.cluster_component_config(file)]),
	)
}

deny contains f if {
	some file in lib.values_files
	lib.component(file) == "openobserve"
	lib.environment(file) == production
	some d in defaults
	default_kept(file, d)
	f := lib.finding(file, d.path, message(file, d, "in a production cluster"), hint(file, d))
}

# Outside production one warning per file: a development cluster that keeps
# the defaults is a choice, and one line says it.
warn contains f if {
	some file in lib.values_files
	lib.component(file) == "openobserve"
	lib.environment(file) != production
	kept := [concat(".", d.path) | some d in defaults; default_kept(file, d)]
	count(kept) > 0
	f := lib.finding(
		file,
		[],
		sprintf("%s: keeps the chart's well-known default credentials (%s) %s; acceptable for a throwaway cluster, never for one others can reach", [lib.subject(file), concat(", ", kept), where(file)]),
		sprintf("set %s.values.externalSecret.enabled: true and override those keys, as production does", [lib.cluster_component_config(file)]),
	)
}

state(x) := "not set" if x == null

else := lib.show(x)

# The key is not set (Helm keeps the chart's default) or set to the default.
default_kept(file, d) if lib.field(file, d.path) in {null, d.value}

message(file, d, where) := sprintf("%s: %s is not set %s, so Helm keeps the chart's well-known default %q; anyone who has read the chart knows it", [lib.subject(file), concat(".", d.path), where, d.value]) if {
	lib.field(file, d.path) == null
} else := sprintf("%s: %s is the chart's well-known default %q %s; anyone who has read the chart knows it", [lib.subject(file), concat(".", d.path), d.value, where])

hint(file, d) := sprintf(
	"set %s.values.%s to a value other than the chart default (\"\" is fine once externalSecret.enabled is true, the secret store then provides it)",
	[lib.cluster_component_config(file), concat(".", d.path)],
)

where(file) := sprintf("in a %s cluster", [lib.environment(file)]) if lib.environment(file) != ""

else := "in a cluster of unknown environment"
