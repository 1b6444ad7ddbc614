# policies/repo_url_placeholder.rego for conftest.
package main

placeholder := "example.invalid"

warn contains f if {
	some file in applications
	some src in git_sources(file)
	url := source_str(src, "repoURL")
	contains(lower(url), placeholder)
	placeholder_reported_here(file)
	f := finding(
		file,
		array.concat(src.field, ["repoURL"]),
		sprintf("repo-url-placeholder: %s: Git repository %q is a placeholder", [subject(file), url]),
		"set repo.url in the config, or pass --repo-url, and render again",
	)
}

placeholder_reported_here(file) if file.kind == "root-application"

placeholder_reported_here(file) if {
	file.kind == "application"
	not root_placeholder(file.cluster)
}

root_placeholder(c) if {
	some root in root_applications
	root.cluster == c
	some src in git_sources(root)
	contains(lower(source_str(src, "repoURL")), placeholder)
}
