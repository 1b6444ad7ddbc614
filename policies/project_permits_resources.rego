# METADATA
# title: Every object the charts render is permitted by the cluster's AppProject
# description: >-
#   With the chart checks, every object a component's chart renders, hooks
#   included, must be one that the AppProject of the component's Application
#   lets it sync: its group and kind allowed by the project's cluster- or
#   namespace-resource whitelist and blacklist, and a namespaced object's
#   namespace allowed by the project's destinations for the Application's
#   cluster. So must the Namespace ArgoCD creates for an Application that
#   syncs with CreateNamespace=true. They are matched as ArgoCD v3.5.1 matches
#   them at sync; otherwise ArgoCD refuses to sync the Application.
# custom:
#   scope: cluster
package dorgu.policies.project_permits_resources

import data.dorgu.lib

# What ArgoCD checks before it applies an object (controller/sync.go,
# validateSyncPermissions): AppProject.IsGroupKindNamePermitted for the
# object's group, kind and name, and for a namespaced object
# AppProject.IsDestinationPermitted for the Application's cluster and the
# object's namespace (pkg/apis/application/v1alpha1/app_project_types.go).
# Two things of a live ArgoCD are not known here and are left out: the
# cluster's other identity (an Application naming its cluster by server is
# matched by server only, one naming it by name by name only), and
# permitOnlyProjectScopedClusters, which needs the cluster secrets.

deny contains f if {
	some file in lib.manifests
	app := applications[lib.component(file)]
	project := projects[lib.str(app, ["spec", "project"])]
	o := lib.object_meta(file)
	reason := refusal(project, app, o)
	f := {
		"path": lib.file_str(file, "path"),
		"field": null,
		"msg": sprintf("%s: %s; ArgoCD will not sync %s", [lib.describe(file), reason, lib.subject(app)]),
		"hint": "render again with the chart checks, which plan the AppProject from what the charts render; if the object belongs elsewhere, change the values so that the chart renders it where the component deploys",
	}
}

# The Namespace ArgoCD creates for CreateNamespace=true goes through the
# same check (gitops-engine's autoCreateNamespace task, then
# validateSyncPermissions): a cluster-scoped Namespace named after the
# destination namespace.
deny contains f if {
	some app in lib.component_applications
	project := projects[lib.str(app, ["spec", "project"])]
	some i, opt in lib.as_array(lib.field(app, ["spec", "syncPolicy", "syncOptions"]))
	opt == "CreateNamespace=true"
	ns := lib.str(app, ["spec", "destination", "namespace"])
	ns != ""
	reason := kind_refusal(project, {"apiVersion": "v1", "kind": "Namespace", "name": ns, "namespace": ""})
	f := lib.finding(
		app,
		["spec", "syncPolicy", "syncOptions", i],
		sprintf("%s syncs with CreateNamespace=true, but the Namespace %s it creates is refused: %s", [lib.subject(app), ns, reason]),
		"render again: the AppProject allows the Namespace kind to every cluster whose Applications create their namespace",
	)
}

# The component Applications of the scaffold, by component, and its
# AppProjects, by name, each built once per evaluation; of two files for
# the same one (a hand edit), the first by path.
application_files := [f |
	some f in lib.component_applications
	lib.component(f) != ""
]

applications := first_by(application_files, {lib.component(f) | some f in application_files}, "component")

project_files := [f |
	some f in lib.files
	f.kind == "appproject"
	lib.str(f, ["metadata", "name"]) != ""
]

projects := first_by(project_files, {lib.str(f, ["metadata", "name"]) | some f in project_files}, "name")

first_by(fs, names, what) := {key(f, what): f | some f in fs} if {
	count(names) == count(fs)
} else := {name: f |
	some name in names
	same := [g | some g in fs; key(g, what) == name]
	f := [g | some g in same; g.path == min({h.path | some h in same})][0]
}

key(f, "component") := lib.component(f)

key(f, "name") := lib.str(f, ["metadata", "name"])

# Why ArgoCD refuses o, an object the Application app deploys under
# project; undefined when it permits it.
refusal(project, _, o) := kind_refusal(project, o)

refusal(project, app, o) := sprintf("AppProject %q does not allow namespace %s on the Application's cluster %s (ArgoCD: namespace %s is not permitted in project '%s')", [name(project), o.namespace, cluster_name(dst), o.namespace, name(project)]) if {
	not kind_refusal(project, o)
	o.namespace != ""
	dst := destination(app, o.namespace)
	not destination_permitted(lib.field(project, ["spec", "destinations"]), dst)
}

kind_refusal(project, o) := sprintf("AppProject %q does not allow %s (ArgoCD: resource %s:%s is not permitted in project %s)", [name(project), why, g, o.kind, name(project)]) if {
	g := group(o.apiVersion)
	why := kind_why(lib.field(project, ["spec"]), g, o.kind, o.name, o.namespace != "")
}

name(project) := lib.str(project, ["metadata", "name"])

cluster_name(dst) := dst.server if dst.server != ""

else := sprintf("named %s", [dst.name])

# The Application's cluster, with the namespace of the object.
destination(app, namespace) := {
	"server": lib.str(app, ["spec", "destination", "server"]),
	"name": lib.str(app, ["spec", "destination", "name"]),
	"namespace": namespace,
}

# The API group of an apiVersion: "" for the core group (v1).
group(api_version) := g if {
	is_string(api_version)
	parts := split(api_version, "/")
	count(parts) > 1
	g := concat("/", array.slice(parts, 0, count(parts) - 1))
} else := ""

# --- IsGroupKindNamePermitted ---------------------------------------------
#
# Namespaced kinds: the namespaceResourceWhitelist allows all when unset
# (nil) and nothing when empty; the namespaceResourceBlacklist takes away.
# Cluster-scoped kinds: only what the clusterResourceWhitelist lists (with
# an optional name), less the clusterResourceBlacklist. Groups, kinds and
# names are matched with Go's filepath.Match (isResourceInList,
# isNamedResourceInList, in pkg/apis/application/v1alpha1/types.go).

kind_why(spec, g, k, _, true) := sprintf("%s/%s: its namespaceResourceWhitelist does not list it", [g, k]) if {
	not namespaced_whitelisted(spec, g, k)
} else := sprintf("%s/%s: its namespaceResourceBlacklist lists it", [g, k]) if {
	in_list(lib.as_array(lib.get(spec, ["namespaceResourceBlacklist"])), g, k, "")
}

kind_why(spec, g, k, n, false) := sprintf("the cluster-scoped %s/%s %s: its clusterResourceWhitelist does not list it", [g, k, n]) if {
	not in_list(lib.as_array(lib.get(spec, ["clusterResourceWhitelist"])), g, k, n)
} else := sprintf("the cluster-scoped %s/%s %s: its clusterResourceBlacklist lists it", [g, k, n]) if {
	in_list(lib.as_array(lib.get(spec, ["clusterResourceBlacklist"])), g, k, n)
}

namespaced_whitelisted(spec, _, _) if lib.get(spec, ["namespaceResourceWhitelist"]) == null

namespaced_whitelisted(spec, g, k) if in_list(lib.as_array(lib.get(spec, ["namespaceResourceWhitelist"])), g, k, "")

# An entry of a list that matches group g and kind k, and name n unless
# the entry names none. A namespaced list's entries have no name: the
# name passed for them is "".
in_list(list, g, k, n) if {
	some item in list
	is_object(item)
	fp_match(item_str(item, "kind"), k)
	fp_match(item_str(item, "group"), g)
	name_matches(item_str(item, "name"), n)
}

name_matches("", _)

name_matches(pattern, n) if {
	pattern != ""
	fp_match(pattern, n)
}

# A field of a list entry; "" when unset, as Go's zero value.
item_str(item, key) := s if {
	s := item[key]
	is_string(s)
} else := ""

# --- filepath.Match ---------------------------------------------------------
#
# Go's filepath.Match on Linux, where ArgoCD runs: * is any run of
# characters but /, ? one character but /, [...] and [^...] a class of
# characters and ranges (\ escapes in and out of it), \c the character c.
# A malformed pattern matches nothing (Match returns ErrBadPattern, which
# ArgoCD takes as no match). The pattern becomes an anchored RE2 regular
# expression, every ASCII character written as \x{..}.

fp_match(pattern, value) if {
	re := fp_regex(pattern)
	regex.match(re, value)
}

fp_char := `\\[\s\S]|[^\\\-\]]`

fp_first := `\\[\s\S]|[^\\\-\]^]`

fp_item := sprintf(`(?:%s)(?:-(?:%s))?`, [fp_char, fp_char])

fp_class := sprintf(`\[(?:\^(?:%s)+|(?:%s)(?:-(?:%s))?(?:%s)*)\]`, [fp_item, fp_first, fp_char, fp_item])

fp_term := sprintf(`\*|\?|\\[\s\S]|%s|[^\\\[*?]`, [fp_class])

fp_valid := sprintf(`^(?:%s)*$`, [fp_term])

fp_regex(pattern) := concat("", ["^", concat("", [fp_token(t) | some t in regex.find_n(fp_term, pattern, -1)]), "$"]) if {
	is_string(pattern)
	regex.match(fp_valid, pattern)
}

fp_token("*") := `[^/]*`

fp_token("?") := `[^/]`

fp_token(t) := fp_quote(unescape(t)) if {
	startswith(t, `\`)
}

fp_token(t) := fp_class_regex(t) if {
	startswith(t, "[")
}

fp_token(t) := fp_quote(t) if {
	not t in {"*", "?"}
	not startswith(t, `\`)
	not startswith(t, "[")
}

unescape(c) := substring(c, 1, -1) if startswith(c, `\`)

else := c

# A character as RE2 reads it literally, in a class or out of it.
fp_quote(c) := sprintf(`\x{%x}`, [c]) if regex.match(`^[\x00-\x7f]$`, c)

else := c

fp_class_regex(t) := class_regex(negated, pieces) if {
	negated := startswith(t, "[^")
	inner := substring(t, count_prefix(negated), (count(t) - count_prefix(negated)) - 1)
	pieces := [p |
		some item in regex.find_n(fp_item, inner, -1)
		p := range_regex(item)
	]
}

count_prefix(true) := 2

count_prefix(false) := 1

# One character or range of a class. A range whose end is before its
# start matches nothing in Go, and is an error in RE2: it is dropped.
range_regex(item) := p if {
	[_, lo, hi] := regex.find_all_string_submatch_n(sprintf(`^(%s)(?:-(%s))?$`, [fp_char, fp_char]), item, 1)[0]
	p := range_piece(unescape(lo), hi)
}

range_piece(lo, "") := fp_quote(lo)

range_piece(lo, hi) := concat("", [fp_quote(lo), "-", fp_quote(unescape(hi))]) if {
	hi != ""
	lo <= unescape(hi)
}

range_piece(lo, hi) := "" if {
	hi != ""
	lo > unescape(hi)
}

class_regex(negated, pieces) := `[\x{0}-\x{10FFFF}]` if {
	negated
	concat("", pieces) == ""
} else := `[^\x{0}-\x{10FFFF}]` if {
	concat("", pieces) == ""
} else := concat("", ["[^", concat("", pieces), "]"]) if {
	negated
} else := concat("", ["[", concat("", pieces), "]"])

# --- IsDestinationPermitted -------------------------------------------------
#
# isDestinationMatched: a destination entry matches when its server or its
# name matches the cluster's (each only when the cluster has one) and its
# namespace matches. Patterns are globMatch'es: a leading ! negates, *
# matches everything, anything else is a gobwas glob without separators
# (OPA's glob.match with null delimiters is the same library). The result
# is permitted when some entry matches and no entry that does not match
# denies: a negated name or server that does not match (the server one
# only where the namespace matches), or a negated namespace that does not
# match where the server does.

destination_permitted(destinations, dst) if {
	some item in lib.as_array(destinations)
	is_object(item)
	dest_matched(item, dst)
	not denied(lib.as_array(destinations), dst)
}

denied(destinations, dst) if {
	some item in destinations
	is_object(item)
	not dest_matched(item, dst)
	denies(item, dst)
}

dest_matched(item, dst) if {
	server_or_name_matched(item, dst)
	glob_match(item_str(item, "namespace"), dst.namespace)
}

server_or_name_matched(item, dst) if server_matched(item, dst)

server_or_name_matched(item, dst) if name_matched(item, dst)

server_matched(item, dst) if {
	dst.server != ""
	glob_match(item_str(item, "server"), dst.server)
}

name_matched(item, dst) if {
	dst.name != ""
	glob_match(item_str(item, "name"), dst.name)
}

denies(item, dst) if {
	not name_matched(item, dst)
	is_deny(item_str(item, "name"))
}

denies(item, dst) if {
	not server_matched(item, dst)
	is_deny(item_str(item, "server"))
	glob_match(item_str(item, "namespace"), dst.namespace)
}

denies(item, dst) if {
	not glob_match(item_str(item, "namespace"), dst.namespace)
	is_deny(item_str(item, "namespace"))
	server_matched(item, dst)
}

is_deny(pattern) if startswith(pattern, "!")

# globMatch(pattern, value, allowNegation=true).
glob_match(pattern, value) if {
	is_deny(pattern)
	not gobwas_match(substring(pattern, 1, -1), value)
}

glob_match("*", _)

glob_match(pattern, value) if {
	not is_deny(pattern)
	pattern != "*"
	gobwas_match(pattern, value)
}

# A gobwas glob that does not compile matches nothing (ArgoCD logs it).
# OPA would fail the whole evaluation on it, so a pattern is matched only
# when it is surely well-formed: escapes, braces nested up to 8 deep, and
# classes of one range ([a-z], [!a-z]) or of plain characters ([abc]).
# Anything else counts as not compiling: at worst a rare pattern matches
# nothing here where ArgoCD matches something, never the reverse.
gobwas_match(pattern, value) if {
	gobwas_valid(pattern)
	glob.match(pattern, null, value)
}

gw_char := `[^\]\\\-!\[]`

gw_range := sprintf(`\[!?(?:(%s)-(%s)|%s[^\]\\\-]*)\]`, [gw_char, gw_char, gw_char])

gw_token := sprintf(`\\[\s\S]|%s|[\s\S]`, [gw_range])

gobwas_valid(pattern) if {
	tokens := regex.find_n(gw_token, pattern, -1)
	every t in tokens {
		not t in {"[", `\`}
	}
	every r in regex.find_all_string_submatch_n(gw_range, pattern, -1) {
		r[1] <= r[2]
	}
	flat := concat("", [flat_token(t) | some t in tokens])
	not contains(without_terms(flat), "{")
}

# Escapes and classes stand for one character in the brace check.
flat_token(t) := "x" if {
	startswith(t, `\`)
} else := "x" if {
	startswith(t, "[")
} else := t

without_terms(s) := regex.replace(regex.replace(regex.replace(regex.replace(regex.replace(regex.replace(regex.replace(regex.replace(s, `\{[^{}]*\}`, ""), `\{[^{}]*\}`, ""), `\{[^{}]*\}`, ""), `\{[^{}]*\}`, ""), `\{[^{}]*\}`, ""), `\{[^{}]*\}`, ""), `\{[^{}]*\}`, ""), `\{[^{}]*\}`, "")
