# METADATA
# title: No AppProject allows everything
# description: >-
#   An AppProject with a wildcard source repository, destination or
#   cluster-scoped kind is the permissive default project under another name.
#   dorgu-gen renders exactly what a cluster's components use; a wildcard is
#   a hand edit that widens it.
# custom:
#   scope: cluster
package dorgu.policies.project_least_privilege

import data.dorgu.lib

deny contains f if {
	some file in lib.files
	file.kind == "appproject"
	some entry in wildcards(file)
	f := lib.finding(
		file,
		entry.field,
		sprintf("AppProject %q allows %s %q: any %s", [lib.str(file, ["metadata", "name"]), entry.what, entry.value, entry.what]),
		"list exactly what the cluster's components need; declare more in the component's CUE (clusterResources) and render again",
	)
}

wildcards(file) := ({e |
	some i, r in lib.as_array(lib.field(file, ["spec", "sourceRepos"]))
	wild(r)
	e := {"field": ["spec", "sourceRepos", i], "what": "source repository", "value": r}
} | {e |
	some i, d in lib.as_array(lib.field(file, ["spec", "destinations"]))
	some key in ["server", "name", "namespace"]
	wild(lib.get(d, [key]))
	e := {"field": ["spec", "destinations", i, key], "what": sprintf("destination %s", [key]), "value": lib.get(d, [key])}
}) | {e |
	some i, k in lib.as_array(lib.field(file, ["spec", "clusterResourceWhitelist"]))
	some key in ["group", "kind"]
	lib.get(k, [key]) == "*"
	e := {"field": ["spec", "clusterResourceWhitelist", i, key], "what": sprintf("cluster-scoped %s", [key]), "value": "*"}
}

wild(x) if {
	is_string(x)
	contains(x, "*")
}
