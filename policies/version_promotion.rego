# METADATA
# title: A chart version reaches an environment only after an earlier one ran it
# description: >-
#   When the config declares a promotion order (promotion: ["development",
#   "staging", "production"]), a chart version pinned in an environment must
#   already run in an earlier environment of that order. An untried version
#   is an error in production and a warning elsewhere. A component that no
#   earlier environment runs at all (a hub's ArgoCD, which only production
#   runs) has nothing to promote from: a note says so, and nothing fails.
#   The order travels in the root Applications' dorgu.io/promotion
#   annotation, so vet checks it on the files alone.
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
# runs, while some earlier environment runs the component: what the earlier
# environments run instead is the version to promote. A version older than
# one an earlier environment runs is not untried but behind: the one the
# environment ran before the earlier ones moved on, while a version goes
# through them (development and staging upgraded, production next).
untried contains u if {
	some u in pinned
	some prev in u.earlier
	count(versions(lib.component(u.file), prev)) > 0
	every e in u.earlier {
		not u.version in versions(lib.component(u.file), e)
	}
	not behind(u)
}

behind(u) if {
	some e in u.earlier
	some v in versions(lib.component(u.file), e)
	newer(v, u.version)
}

# Whether version a is newer than b, in SemVer order (a leading "v" aside,
# as cert-manager writes its versions). Versions that are not SemVer are
# not ordered: one of them is never behind.
newer(a, b) if {
	x := trim_prefix(a, "v")
	y := trim_prefix(b, "v")
	semver.is_valid(x)
	semver.is_valid(y)
	semver.compare(x, y) > 0
}

# Each component Application of an environment after the first whose
# component no earlier environment runs at all (a hub's ArgoCD, in
# production only): there is nothing to promote from. That is not a
# problem, and a note says so.
unpromoted contains u if {
	some u in pinned
	every e in u.earlier {
		count(versions(lib.component(u.file), e)) == 0
	}
}

# Every chart source of a component Application in an environment after
# the first of the order, with its version and the earlier environments.
pinned contains u if {
	some file in lib.component_applications
	env := lib.environment(file)
	some i, e in order
	e == env
	i > 0
	some src in lib.chart_sources(file)
	v := lib.source_str(src, "targetRevision")
	v != ""
	u := {"file": file, "field": array.concat(src.field, ["targetRevision"]), "version": v, "env": env, "earlier": array.slice(order, 0, i)}
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

note contains f if {
	some u in unpromoted
	f := lib.finding(
		u.file,
		u.field,
		sprintf("%s %s in %s (cluster %q) has nothing to promote from: no earlier environment (%s) runs %s", [lib.component(u.file), u.version, u.env, lib.cluster(u.file), concat(", ", u.earlier), lib.component(u.file)]),
		sprintf("nothing to do; once an earlier environment runs %s, its version must match", [lib.component(u.file)]),
	)
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
