# METADATA
# title: The scaffold's Git repository is not a placeholder
# description: >-
#   When neither the config (repo.url) nor the command line (--repo-url) says
#   where the scaffold is pushed, dorgu-gen writes a placeholder URL under
#   example.invalid into the root Applications and into every Application's
#   `ref: values` source; and `dorgu-gen init` writes the example
#   github.com/your-org/... into the starter config. ArgoCD cannot fetch
#   from either, so nothing syncs until the real URL is set. A warning: the
#   scaffold is still worth reviewing.
# custom:
#   scope: cluster
package dorgu.policies.repo_url_placeholder

import data.dorgu.lib

# The placeholder dorgu-gen writes without a repository, and the example
# the starter config of `dorgu-gen init` carries.
placeholders := {"example.invalid", "github.com/your-org/"}

placeholder(url) if {
	some p in placeholders
	contains(lower(url), p)
}

warn contains f if {
	some file in lib.applications
	some src in lib.git_sources(file)
	url := lib.source_str(src, "repoURL")
	placeholder(url)
	reported_here(file)
	f := lib.finding(
		file,
		array.concat(src.field, ["repoURL"]),
		sprintf("%s: Git repository %q is a placeholder; ArgoCD cannot fetch %s from it", [lib.subject(file), url, what(file)]),
		"set repo.url in the config to the Git repository the scaffold is pushed to, or pass --repo-url, and render again",
	)
}

what(file) := "the cluster's Applications" if file.kind == "root-application"

else := "the values files"

# A placeholder in the root Application is reported there alone: every
# Application of that cluster inherits it, and one warning says it all.
reported_here(file) if file.kind == "root-application"

reported_here(file) if {
	file.kind == "application"
	not root_placeholder(file.cluster)
}

root_placeholder(cluster) if {
	some root in lib.applications
	root.kind == "root-application"
	root.cluster == cluster
	some src in lib.git_sources(root)
	placeholder(lib.source_str(src, "repoURL"))
}
