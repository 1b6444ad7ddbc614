# METADATA
# title: No rendered object holds a chart's well-known default password
# description: >-
#   With the chart checks, no Secret the charts render (its data, decoded,
#   and its stringData), no ConfigMap's data and no container's env value
#   holds a password that a chart ships as its default: anyone who has read
#   the chart knows it. An error in a production cluster, a warning
#   elsewhere. It sees what the values-based openobserve-credentials check
#   cannot: a default that reaches an object through a key that check does
#   not know, or a values file edited by hand; that check stays for runs
#   without the chart checks.
# custom:
#   scope: cluster
package dorgu.policies.default_credentials

import data.dorgu.lib

# The well-known defaults of the blessed charts, from their values.yaml at
# the pinned versions. Of the six, only openobserve ships passwords: it
# renders them into its Secret and, for Postgres, into a connection string,
# so a value that contains one counts. argo-cd generates its admin password
# and redis-ha's, cert-manager, external-secrets, cloudnative-pg (it
# generates the database passwords) and ingress-nginx have none. MinIO's
# own default account (minioadmin, the server's when the chart's bundled
# MinIO gets no root password) is a common word, matched only as the whole
# value.
defaults := [
	{"value": "Complexpass#123", "whole": false, "what": "openobserve's root user password (auth.ZO_ROOT_USER_PASSWORD)"},
	{"value": "Basic cm9vdEBleGFtcGxlLmNvbTpDb21wbGV4cGFzcyMxMjM=", "whole": false, "what": "openobserve's tracing header with the root user's password (auth.ZO_TRACING_HEADER_VALUE)"},
	{"value": "+fjlahsguykevfkajvjk#jsbj43$bjkjbkk", "whole": false, "what": "openobserve's SMTP password (auth.ZO_SMTP_PASSWORD)"},
	{"value": "rootpass123", "whole": false, "what": "the root password of openobserve's bundled MinIO (minio.rootPassword)"},
	{"value": "Batman123", "whole": false, "what": "openobserve's Postgres and pgAdmin password (postgres.spec.password, postgres.pgadmin.PGADMIN_DEFAULT_PASSWORD)"},
	{"value": "minioadmin", "whole": true, "what": "MinIO's default root password"},
]

production := "production"

deny contains f if {
	some file in kept
	lib.environment(file) == production
	f := finding(file)
}

# Outside production one warning per component and cluster, as
# openobserve-credentials gives: a development cluster that keeps the
# defaults is a choice, and one finding says where they are.
warn contains f if {
	some path in {lib.file_str(file, "path") | some file in kept; lib.environment(file) != production}
	files := [file | some file in kept; lib.file_str(file, "path") == path]
	first := files[0]
	objects := sort([sprintf("%s %s", [lib.describe(file), concat(", ", sort({lib.dotted(h.path) | some h in holds(file)}))]) | some file in files])
	whats := sort({h.what | some file in files; some h in holds(file)})
	f := {
		"path": path,
		"field": null,
		"msg": sprintf("%s: what the chart renders holds its well-known default credentials %s: %s; anyone who has read the chart knows them (%s); acceptable for a throwaway cluster, never for one others can reach", [lib.subject(first), where(first), concat("; ", objects), concat(", ", whats)]),
		"hint": hint(first),
	}
}

# The rendered objects that hold a default.
kept contains file if {
	some file in lib.manifests
	count(holds(file)) > 0
}

finding(file) := f if {
	hits := sort({sprintf("%s %s %s", [lib.dotted(h.path), h.verb, h.what]) | some h in holds(file)})
	count(hits) > 0
	f := {
		"path": lib.file_str(file, "path"),
		"field": null,
		"msg": sprintf("%s holds a chart's well-known default credentials %s: %s; anyone who has read the chart knows them", [lib.describe(file), where(file), concat(", ", hits)]),
		"hint": hint(file),
	}
}

where(file) := sprintf("in a %s cluster", [lib.environment(file)]) if {
	lib.environment(file) != ""
} else := "in a cluster of unknown environment"

hint(file) := sprintf("set the values of %s so that the chart renders credentials of your own in their place, or reads them from a secret store (an ExternalSecret, or a Secret declared in requiresSecrets)", [lib.cluster_component_config(file)])

# Each field of an object that holds a default: {path, what}.
holds(file) := {h |
	some v in values(file)
	some d in defaults
	matches(v.value, d)
	h := {"path": v.path, "what": d.what, "verb": verb(v.value, d)}
}

# The strings of an object where a credential may be: a Secret's data
# (decoded) and stringData, a ConfigMap's data, every container's env.
values(file) := (secret_values(file) | config_map_values(file)) | env_values(file)

secret_values(file) := {{"path": ["data", k], "value": base64.decode(v)} |
	lib.object_meta(file).kind == "Secret"
	some k, v in object_field(file, ["data"])
	is_string(v)
	base64.is_valid(v)
} | {{"path": ["stringData", k], "value": v} |
	lib.object_meta(file).kind == "Secret"
	some k, v in object_field(file, ["stringData"])
	is_string(v)
}

config_map_values(file) := {{"path": ["data", k], "value": v} |
	lib.object_meta(file).kind == "ConfigMap"
	some k, v in object_field(file, ["data"])
	is_string(v)
}

env_values(file) := {{"path": array.concat(ps.path, [list, i, "env", j, "value"]), "value": e.value} |
	ps := lib.pod_spec(file)
	some list in ["initContainers", "containers", "ephemeralContainers"]
	some i, c in lib.as_array(lib.get(ps.spec, [list]))
	some j, e in lib.as_array(lib.get(c, ["env"]))
	is_string(lib.get(e, ["value"]))
}

object_field(file, path) := x if {
	x := lib.field(file, path)
	is_object(x)
} else := {}

verb(v, d) := "is" if v == d.value

else := "contains"

matches(v, d) if {
	d.whole
	v == d.value
}

matches(v, d) if {
	not d.whole
	contains(v, d.value)
}
