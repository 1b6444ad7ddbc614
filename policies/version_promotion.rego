# METADATA
# title: A chart version reaches an environment only after an earlier one ran it
# description: >-
#   When the config declares a promotion order (promotion: ["development",
#   "staging", "production"]), a chart version pinned in an environment must
#   already run in an earlier environment of that order. An untried version
#   is an error in production and a warning elsewhere. The order travels in
#   the root Applications' dorgu.io/promotion annotation, so vet checks it on
#   the files alone.
# custom:
#   kinds: [application, root-application]
package dorgu.policies.version_promotion

import data.dorgu.lib

annotation := "dorgu.io/promotion"

orders := {o |
	some r in lib.root_applications
	o := lib.str(r, ["metadata", "annotations", annotation])
	o != ""
}

# The promotion order, when every root Application that has one agrees.
order := split(o, ",") if {
	count(orders) == 1
	some o in orders
}

# The chart versions a component runs in an environment.
versions(component, env) := {v |
	some a in lib.component_applications
	lib.component(a) == component
	lib.environment(a) == env
	some src in lib.chart_sources(a)
	v := lib.source_str(src, "targetRevision")
	v != ""
}

# Each component Application pinned to a version no earlier environment
# runs, with what the earlier environments run instead.
untried contains u if {
	some file in lib.component_applications
	env := lib.environment(file)
	some i, e in order
	e == env
	i > 0
	some src in lib.chart_sources(file)
	v := lib.source_str(src, "targetRevision")
	v != ""
	earlier := array.slice(order, 0, i)
	every prev in earlier {
		not v in versions(lib.component(file), prev)
	}
	u := {"file": file, "field": array.concat(src.field, ["targetRevision"]), "version": v, "env": env, "earlier": earlier}
}

deny contains f if {
	some u in untried
	u.env == "production"
	f := finding(u)
}

warn contains f if {
	some u in untried
	u.env != "production"
	f := finding(u)
}

finding(u) := lib.finding(
	u.file,
	u.field,
	sprintf("%s %s in %s (cluster %q) runs in no earlier environment: %s", [lib.component(u.file), u.version, u.env, lib.cluster(u.file), concat("; ", [describe(lib.component(u.file), e) | some e in u.earlier])]),
	sprintf("run %s %s in %s first, or pin %s to a version an earlier environment runs", [lib.component(u.file), u.version, concat(" or ", u.earlier), u.env]),
)

describe(component, env) := sprintf("%s runs %s", [env, concat(", ", sort(versions(component, env)))]) if {
	count(versions(component, env)) > 0
} else := sprintf("%s does not run %s", [env, component])
