# METADATA
# title: Values files and Applications reference each other
# description: >-
#   Every `$values/<path>` entry in an Application's helm.valueFiles names a
#   values file of the scaffold (ArgoCD fails to render the chart when a
#   value file is missing), and every values file is used by at least one
#   Application (an orphan values file is edited in vain: nothing reads it).
#   `<path>` is relative to the Git repository's root, so it starts with the
#   scaffold's folder there (repo.path) when the scaffold is not at the root.
# custom:
#   scope: cluster
package dorgu.policies.values_file_referenced

import data.dorgu.lib

prefix := "$values/"

# Each $values/ reference: the file it names, as a path of the repository
# (named) and, when it lies in the scaffold's folder, of the scaffold
# (target); the Application and the field.
references contains object.union(
	{
		"named": named,
		"path": lib.file_str(file, "path"),
		"subject": lib.subject(file),
		"field": field,
	},
	scaffold_path(named),
) if {
	some file in lib.applications
	some src in lib.sources(file)
	some j, v in lib.as_array(object.get(src.source, ["helm", "valueFiles"], null))
	is_string(v)
	startswith(v, prefix)
	named := substring(v, count(prefix), -1)
	field := array.concat(src.field, ["helm", "valueFiles", j])
}

# {"target": the path of the scaffold}, or {} for a path of the repository
# outside the scaffold's folder.
scaffold_path(p) := {"target": substring(p, count(lib.repo_prefix), -1)} if startswith(p, lib.repo_prefix)

else := {}

paths := {p | some file in lib.files; p := lib.file_str(file, "path")}

referenced := {ref.target | some ref in references}

deny contains f if {
	some ref in references
	target := ref.target
	not target in paths
	f := {
		"path": ref.path,
		"field": ref.field,
		"msg": sprintf("%s: helm.valueFiles names %s%s, but the scaffold has no file %s; ArgoCD fails to render the chart when a value file is missing", [ref.subject, prefix, ref.named, ref.target]),
		"hint": sprintf("create %s (a file holding {} is enough) or remove the entry from helm.valueFiles in %s", [ref.target, ref.path]),
	}
}

deny contains f if {
	some ref in references
	not "target" in object.keys(ref)
	f := {
		"path": ref.path,
		"field": ref.field,
		"msg": sprintf("%s: helm.valueFiles names %s%s, outside the scaffold's folder %s of the repository, where the root Applications say it lies; ArgoCD fails to render the chart when a value file is missing", [ref.subject, prefix, ref.named, lib.repo_prefix]),
		"hint": sprintf("name %s%s%s, a path from the repository's root, in %s (running dorgu-gen render again rewrites the file)", [prefix, lib.repo_prefix, ref.named, ref.path]),
	}
}

deny contains f if {
	some file in lib.values_files
	path := lib.file_str(file, "path")
	path != ""
	not path in referenced
	f := lib.finding(
		file,
		[],
		sprintf("%s: %s is not used by any Application (no helm.valueFiles entry %s%s%s), so changes to it have no effect", [lib.subject(file), path, prefix, lib.repo_prefix, path]),
		sprintf("add %s%s%s to helm.valueFiles of the component's Application (%s), or delete the file", [prefix, lib.repo_prefix, path, app_path(file)]),
	)
}

app_path(file) := sprintf("clusters/%s/apps/%s.yaml", [lib.cluster(file), lib.component(file)]) if {
	lib.cluster(file) != ""
	lib.component(file) != ""
} else := "clusters/<cluster>/apps/<component>.yaml"
