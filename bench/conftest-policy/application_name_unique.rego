# policies/application_name_unique.rego for conftest.
package main

deny contains f if {
	some file in applications
	name := str(file, ["metadata", "name"])
	name != ""
	first := min({p | some other in applications; str(other, ["metadata", "name"]) == name; p := file_str(other, "path")})
	first != file_str(file, "path")
	f := finding(
		file,
		["metadata", "name"],
		sprintf("application-name-unique: %s: Application name %q is also the name of %s", [subject(file), name, first]),
		"rename the cluster or the component so that <cluster>-<component> differ across the stack",
	)
}
