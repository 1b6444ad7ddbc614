# METADATA
# title: Every Application is in its cluster's AppProject, which allows it
# description: >-
#   A component Application must not use the default project, which lets any
#   repository deploy anything anywhere. Its project must be an AppProject of
#   the scaffold whose sourceRepos allow each of the Application's sources and
#   whose destinations allow its destination, matched as ArgoCD matches them
#   (glob patterns on repository URL, server or name, and namespace);
#   otherwise ArgoCD refuses to sync it.
# custom:
#   scope: cluster
package dorgu.policies.project_allows_applications

import data.dorgu.lib

# The AppProjects of the scaffold, by name, built once per evaluation: a
# partial rule would be evaluated again for every lookup, which is quadratic
# over a fleet. Two projects of one name (a hand edit) keep the first by
# path, found the slow way since it is rare.
project_files := [f |
	some f in lib.files
	f.kind == "appproject"
	lib.str(f, ["metadata", "name"]) != ""
]

project_names := {lib.str(f, ["metadata", "name"]) | some f in project_files}

projects := {lib.str(f, ["metadata", "name"]): f | some f in project_files} if {
	count(project_names) == count(project_files)
} else := {name: f |
	some name in project_names
	same := [g | some g in project_files; lib.str(g, ["metadata", "name"]) == name]
	f := [g | some g in same; g.path == min({h.path | some h in same})][0]
}

deny contains f if {
	some file in lib.component_applications
	lib.str(file, ["spec", "project"]) in {"", "default"}
	f := lib.finding(
		file,
		["spec", "project"],
		sprintf("%s is in the default project, which lets any repository deploy anything anywhere", [lib.subject(file)]),
		sprintf("set spec.project to the cluster's AppProject (%q), as dorgu-gen renders it", [lib.cluster(file)]),
	)
}

deny contains f if {
	some file in lib.component_applications
	name := lib.str(file, ["spec", "project"])
	not name in {"", "default"}
	not projects[name]
	f := lib.finding(
		file,
		["spec", "project"],
		sprintf("%s is in project %q, which no AppProject of the scaffold defines; ArgoCD will not sync it", [lib.subject(file), name]),
		"render again, or restore clusters/<cluster>/apps/_appproject.yaml",
	)
}

deny contains f if {
	some file in lib.component_applications
	project := projects[lib.str(file, ["spec", "project"])]
	some src in lib.sources(file)
	url := lib.source_str(src, "repoURL")
	url != ""
	not repo_allowed(project, url)
	f := lib.finding(
		file,
		array.concat(src.field, ["repoURL"]),
		sprintf("%s: AppProject %q does not allow source repository %q", [lib.subject(file), project.content.metadata.name, url]),
		"declare the component in the config and render again: the AppProject lists exactly the repositories of the cluster's components",
	)
}

deny contains f if {
	some file in lib.component_applications
	project := projects[lib.str(file, ["spec", "project"])]
	dest := lib.field(file, ["spec", "destination"])
	complete(dest) # an incomplete one is application-required-fields' finding
	not dest_allowed(project, dest)
	f := lib.finding(
		file,
		["spec", "destination"],
		sprintf("%s: AppProject %q does not allow destination %s", [lib.subject(file), project.content.metadata.name, json.marshal(dest)]),
		"render again: the AppProject lists exactly the cluster and the namespaces of its components",
	)
}

complete(dest) if {
	lib.get(dest, ["namespace"]) != ""
	is_string(lib.get(dest, ["namespace"]))
	some key in ["server", "name"]
	is_string(lib.get(dest, [key]))
}

# ArgoCD compares a source's repoURL with the project's sourceRepos after
# normalizing both (git.NormalizeGitURL: lower case, no trailing .git), so
# an OCI registry, which a chart source names without oci://, matches the
# same scheme-less string, and never its oci:// form.
repo_allowed(project, url) if {
	some p in lib.as_array(lib.field(project, ["spec", "sourceRepos"]))
	is_string(p)
	matches(normalized(p), normalized(url))
}

normalized(u) := trim_suffix(lower(trim_space(u)), ".git")

dest_allowed(project, dest) if {
	some d in lib.as_array(lib.field(project, ["spec", "destinations"]))
	is_object(d)
	matches(object.get(d, "namespace", ""), object.get(dest, "namespace", ""))
	cluster_matches(d, dest)
}

cluster_matches(d, dest) if {
	is_string(dest.server)
	matches(object.get(d, "server", ""), dest.server)
}

cluster_matches(d, dest) if {
	is_string(dest.name)
	matches(object.get(d, "name", ""), dest.name)
}

# ArgoCD matches project patterns as globs; an exact string matches itself.
matches(pattern, value) if {
	is_string(pattern)
	is_string(value)
	pattern == value
}

matches(pattern, value) if {
	is_string(pattern)
	is_string(value)
	contains(pattern, "*")
	glob.match(pattern, ["/"], value)
}
