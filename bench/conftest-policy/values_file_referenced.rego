# policies/values_file_referenced.rego for conftest.
package main

values_prefix := "$values/"

references contains {
	"target": substring(v, count(values_prefix), -1),
	"path": file_str(file, "path"),
	"subject": subject(file),
	"field": fld,
} if {
	some file in applications
	some src in sources(file)
	some j, v in as_array(object.get(src.source, ["helm", "valueFiles"], null))
	is_string(v)
	startswith(v, values_prefix)
	fld := array.concat(src.field, ["helm", "valueFiles", j])
}

paths := {p | some file in files; p := file_str(file, "path")}

referenced := {ref.target | some ref in references}

deny contains f if {
	some ref in references
	not ref.target in paths
	f := sprintf("%s: %s: values-file-referenced: %s: helm.valueFiles names %s%s, but the scaffold has no file %s (create it or remove the entry)", [ref.path, dotted(ref.field), ref.subject, values_prefix, ref.target, ref.target])
}

deny contains f if {
	some file in values_files
	path := file_str(file, "path")
	path != ""
	not path in referenced
	f := finding(
		file,
		[],
		sprintf("values-file-referenced: %s: %s is not used by any Application", [subject(file), path]),
		sprintf("add %s%s to helm.valueFiles of the component's Application, or delete the file", [values_prefix, path]),
	)
}
