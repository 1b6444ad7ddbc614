# policies/openobserve_credentials.rego for conftest.
package main

openobserve_defaults := [
	{"path": ["auth", "ZO_ROOT_USER_PASSWORD"], "value": "Complexpass#123"},
	{"path": ["auth", "ZO_TRACING_HEADER_VALUE"], "value": "Basic cm9vdEBleGFtcGxlLmNvbTpDb21wbGV4cGFzcyMxMjM="},
	{"path": ["auth", "ZO_SMTP_PASSWORD"], "value": "+fjlahsguykevfkajvjk#jsbj43$bjkjbkk"},
	{"path": ["minio", "rootPassword"], "value": "rootpass123"},
	{"path": ["postgres", "spec", "password"], "value": "Batman123"},
	{"path": ["postgres", "pgadmin", "PGADMIN_DEFAULT_PASSWORD"], "value": "Batman123"},
]

deny contains f if {
	some file in values_files
	component(file) == "openobserve"
	environment(file) == "production"
	field(file, ["externalSecret", "enabled"]) != true
	f := finding(
		file,
		["externalSecret", "enabled"],
		sprintf("openobserve-credentials: %s: externalSecret.enabled is %s in a production cluster", [subject(file), show(field(file, ["externalSecret", "enabled"]))]),
		sprintf("set %s.values.externalSecret.enabled: true", [cluster_component_config(file)]),
	)
}

deny contains f if {
	some file in values_files
	component(file) == "openobserve"
	environment(file) == "production"
	some d in openobserve_defaults
	default_kept(file, d)
	f := finding(
		file,
		d.path,
		sprintf("openobserve-credentials: %s: %s keeps the chart's well-known default %q in a production cluster", [subject(file), concat(".", d.path), d.value]),
		sprintf("set %s.values.%s to a value other than the chart default", [cluster_component_config(file), concat(".", d.path)]),
	)
}

warn contains f if {
	some file in values_files
	component(file) == "openobserve"
	environment(file) != "production"
	kept := [concat(".", d.path) | some d in openobserve_defaults; default_kept(file, d)]
	count(kept) > 0
	f := finding(
		file,
		[],
		sprintf("openobserve-credentials: %s: keeps the chart's well-known default credentials (%s) in a %s cluster", [subject(file), concat(", ", kept), environment(file)]),
		sprintf("set %s.values.externalSecret.enabled: true and override those keys, as production does", [cluster_component_config(file)]),
	)
}

default_kept(file, d) if field(file, d.path) in {null, d.value}
