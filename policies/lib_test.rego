# Fixtures shared by the policy tests, and tests of the shared helpers.
package dorgu.lib_test

import data.dorgu.lib

repo := "https://github.com/acme/infra.git"

environments := {"dev": "development", "prod": "production"}

# A component Application as dorgu-gen renders it.
app(cluster, component, chart, wave, extra_sync_options) := {
	"path": sprintf("clusters/%s/apps/%s.yaml", [cluster, component]),
	"kind": "application",
	"cluster": cluster,
	"component": component,
	"environment": environments[cluster],
	"content": {
		"apiVersion": "argoproj.io/v1alpha1",
		"kind": "Application",
		"metadata": {
			"name": sprintf("%s-%s", [cluster, component]),
			"namespace": "argocd",
			"labels": {
				"app.kubernetes.io/managed-by": "dorgu-gen",
				"dorgu.io/cluster": cluster,
				"dorgu.io/environment": environments[cluster],
				"dorgu.io/component": component,
			},
			"annotations": {"argocd.argoproj.io/sync-wave": wave},
			"finalizers": ["resources-finalizer.argocd.argoproj.io"],
		},
		"spec": {
			"project": cluster,
			"destination": {"server": "https://kubernetes.default.svc", "namespace": component},
			"sources": [
				{
					"repoURL": chart.repoURL,
					"chart": chart.name,
					"targetRevision": chart.version,
					"helm": {
						"releaseName": component,
						"valueFiles": [sprintf("$values/clusters/%s/values/%s.yaml", [cluster, component])],
					},
				},
				{"repoURL": repo, "targetRevision": "main", "ref": "values"},
			],
			"syncPolicy": {
				"automated": {"prune": true, "selfHeal": true},
				"syncOptions": array.concat(["CreateNamespace=true"], extra_sync_options),
				"retry": {"limit": 5, "backoff": {"duration": "10s", "factor": 2, "maxDuration": "3m"}},
			},
		},
	},
}

# A root Application as dorgu-gen renders it.
root(cluster) := {
	"path": sprintf("argocd/%s-root-app.yaml", [cluster]),
	"kind": "root-application",
	"cluster": cluster,
	"component": "",
	"environment": environments[cluster],
	"content": {
		"apiVersion": "argoproj.io/v1alpha1",
		"kind": "Application",
		"metadata": {
			"name": sprintf("%s-root", [cluster]),
			"namespace": "argocd",
			"labels": {
				"app.kubernetes.io/managed-by": "dorgu-gen",
				"dorgu.io/cluster": cluster,
				"dorgu.io/environment": environments[cluster],
			},
		},
		"spec": {
			"project": "default",
			"destination": {"server": "https://kubernetes.default.svc", "namespace": "argocd"},
			"source": {
				"repoURL": repo,
				"targetRevision": "main",
				"path": sprintf("clusters/%s/apps", [cluster]),
			},
			"syncPolicy": {"automated": {"prune": true, "selfHeal": true}, "syncOptions": ["CreateNamespace=true"]},
		},
	},
}

# A cluster's AppProject as dorgu-gen renders it, allowing exactly what
# the scaffold's Applications of that cluster use.
project(cluster, charts, namespaces) := {
	"path": sprintf("clusters/%s/apps/_appproject.yaml", [cluster]),
	"kind": "appproject",
	"cluster": cluster,
	"component": "",
	"environment": environments[cluster],
	"content": {
		"apiVersion": "argoproj.io/v1alpha1",
		"kind": "AppProject",
		"metadata": {"name": cluster, "namespace": "argocd", "annotations": {"argocd.argoproj.io/sync-wave": "-1"}},
		"spec": {
			"sourceRepos": array.concat([c.repoURL | some c in charts], [repo]),
			"destinations": [{"server": "https://kubernetes.default.svc", "namespace": ns} | some ns in namespaces],
			"clusterResourceWhitelist": [{"group": "", "kind": "Namespace"}],
		},
	},
}

# A values file.
values(cluster, component, content) := {
	"path": sprintf("clusters/%s/values/%s.yaml", [cluster, component]),
	"kind": "values",
	"cluster": cluster,
	"component": component,
	"environment": environments[cluster],
	"content": content,
}

# A rendered object as render and vet pass it: the object a component's
# chart deploys in a cluster, at the path of the component's values file.
# A namespaced object without a namespace gets the component's
# (its Application's destination), as ArgoCD applies it; cluster-scoped
# ones have namespace "".
manifest(cluster, component, obj, source) := {
	"path": sprintf("clusters/%s/values/%s.yaml", [cluster, component]),
	"kind": "manifest",
	"cluster": cluster,
	"component": component,
	"environment": environments[cluster],
	"content": obj,
	"object": {
		"apiVersion": obj.apiVersion,
		"kind": obj.kind,
		"namespace": object.get(obj, ["metadata", "namespace"], ""),
		"name": obj.metadata.name,
		"source": source,
		"hook": object.get(obj, ["metadata", "annotations", "helm.sh/hook"], ""),
	},
}

cert_manager := {"repoURL": "https://charts.jetstack.io", "name": "cert-manager", "version": "v1.21.1"}

external_secrets := {"repoURL": "https://charts.external-secrets.io", "name": "external-secrets", "version": "0.20.4"}

openobserve := {"repoURL": "https://charts.openobserve.ai", "name": "openobserve", "version": "0.30.1"}

# OpenObserve values that override every default credential.
openobserve_overridden(external_secret) := {
	"externalSecret": {"enabled": external_secret, "name": "openobserve-credentials"},
	"auth": {
		"ZO_ROOT_USER_EMAIL": "admin@acme.test",
		"ZO_ROOT_USER_PASSWORD": "",
		"ZO_TRACING_HEADER_VALUE": "",
		"ZO_SMTP_PASSWORD": "",
	},
	"minio": {"rootPassword": ""},
	"postgres": {"spec": {"password": ""}, "pgadmin": {"PGADMIN_DEFAULT_PASSWORD": ""}},
}

# A scaffold that every policy accepts: two clusters, a development and a
# production one, each with a root Application and its components.
scaffold := {"files": [
	root("dev"),
	project("dev", [cert_manager, external_secrets, openobserve], ["cert-manager", "external-secrets", "openobserve"]),
	app("dev", "cert-manager", cert_manager, "0", []),
	values("dev", "cert-manager", {"crds": {"enabled": true}}),
	app("dev", "external-secrets", external_secrets, "0", ["ServerSideApply=true"]),
	values("dev", "external-secrets", {}),
	app("dev", "openobserve", openobserve, "2", []),
	values("dev", "openobserve", openobserve_overridden(false)),
	root("prod"),
	project("prod", [cert_manager, openobserve], ["cert-manager", "openobserve"]),
	app("prod", "cert-manager", cert_manager, "0", []),
	values("prod", "cert-manager", {"crds": {"enabled": true}}),
	app("prod", "openobserve", openobserve, "2", []),
	values("prod", "openobserve", openobserve_overridden(true)),
]}

# The scaffold as dorgu-gen renders it with repo.path set to folder: the
# root Applications and the $values references name paths of the
# repository, under folder; the files' own paths stay the scaffold's.
in_folder(folder) := {"files": [g |
	some f in scaffold.files
	g := in_folder_file(f, folder)
]}

in_folder_file(f, folder) := json.patch(f, [{
	"op": "replace",
	"path": "/content/spec/source/path",
	"value": concat("/", [folder, f.content.spec.source.path]),
}]) if {
	f.kind == "root-application"
} else := json.patch(f, [{
	"op": "replace",
	"path": "/content/spec/sources/0/helm/valueFiles/0",
	"value": concat("", ["$values/", folder, "/", trim_prefix(f.content.spec.sources[0].helm.valueFiles[0], "$values/")]),
}]) if {
	f.kind == "application"
} else := f

# The scaffold with JSON Patch operations applied to the content of the file
# at path (operation paths are relative to the content).
patch(path, ops) := {"files": [g |
	some f in scaffold.files
	g := patched(f, path, ops)
]}

# inp with JSON Patch operations applied to the file at path, to patch
# more than one file.
patch_input(inp, path, ops) := {"files": [g |
	some f in inp.files
	g := patched(f, path, ops)
]}

patched(f, path, ops) := json.patch(f, [op |
	some o in ops
	op := object.union(o, {"path": concat("", ["/content", o.path])})
]) if {
	f.path == path
} else := f

# The scaffold with the file at path replaced by file (or file added).
with_file(path, file) := {"files": array.concat(
	[f | some f in scaffold.files; f.path != path],
	[file],
)}

# The scaffold without the file at path.
without(path) := {"files": [f | some f in scaffold.files; f.path != path]}

# The single finding of fs, checked to be about path and field and to be
# well-formed; undefined otherwise.
one(fs, path, field) := f if {
	count(fs) == 1
	some f in fs
	f.path == path
	f.field == field
	well_formed(f)
}

well_formed(f) if {
	object.keys(f) == {"path", "field", "msg", "hint"}
	is_string(f.path)
	f.path != ""
	is_array(f.field)
	is_string(f.msg)
	f.msg != ""
	is_string(f.hint)
	f.hint != ""
}

# Inputs that a hand-edited scaffold could hold: no policy may fail on them.
malformed := [
	{"files": [{"path": "clusters/dev/apps/x.yaml", "kind": "application", "cluster": "dev", "component": "x", "environment": "", "content": null}]},
	{"files": [{"path": "clusters/dev/apps/x.yaml", "kind": "application", "cluster": "dev", "component": "x", "environment": "", "content": "text"}]},
	{"files": [{"path": "clusters/dev/apps/x.yaml", "kind": "application", "cluster": "dev", "component": "x", "environment": "", "content": [1, 2]}]},
	{"files": [{"path": "clusters/dev/apps/x.yaml", "kind": "application", "content": {"metadata": "x", "spec": {"sources": {"a": 1}}}}]},
	{"files": [{"path": "clusters/dev/apps/x.yaml", "kind": "application", "cluster": "dev", "component": "x", "content": {
		"metadata": {"name": 5, "annotations": ["argocd.argoproj.io/sync-wave"]},
		"spec": {
			"destination": "in-cluster", "sources": [
				"chart",
				{"chart": 7, "targetRevision": 1.2, "repoURL": 3, "helm": "values"},
				{"chart": null, "helm": {"valueFiles": "$values/x.yaml"}},
				{"ref": "values", "repoURL": ["x"]},
			],
			"syncPolicy": {"syncOptions": "ServerSideApply=true"},
		},
	}}]},
	{"files": [{"path": "argocd/dev-root-app.yaml", "kind": "root-application", "cluster": "dev", "content": {"spec": {"source": "x", "sources": null}}}]},
	{"files": [
		{"path": "clusters/prod/values/openobserve.yaml", "kind": "values", "cluster": "prod", "component": "openobserve", "environment": "production", "content": {"auth": "x", "minio": [], "externalSecret": "yes"}},
		{"path": "clusters/dev/values/openobserve.yaml", "kind": "values", "cluster": "dev", "component": "openobserve", "content": null},
	]},
	{"files": [null, 1, "x", {"kind": 3}, {"path": null, "kind": "values", "content": {}}]},
	{"files": "not a list"},
	{},
]

test_scaffold_passes_every_policy if {
	every pkg in policies {
		count(pkg.deny) == 0
		count(pkg.warn) == 0
	}
	count(policies) >= 10
}

test_malformed_files_never_fail_a_policy if {
	every inp in malformed {
		results := policies with input as inp
		count(results) >= 10
		every pkg in results {
			is_set(pkg.deny)
			is_set(pkg.warn)
		}
	}
}

test_malformed_application_is_reported if {
	some inp in malformed
	fs := data.dorgu.policies.application_required_fields.deny with input as inp
	count(fs) > 0
	every f in fs {
		well_formed(f)
	}
}

# Every policy package, with deny and warn defaulted to the empty set. Only
# deny and warn are looked up, so the test packages are not evaluated.
policies[name] := {
	"deny": object.get(data.dorgu.policies[name], "deny", set()),
	"warn": object.get(data.dorgu.policies[name], "warn", set()),
} if {
	some name in policy_names
}

policy_names contains name if {
	data.dorgu.policies[name].deny
	not endswith(name, "_test")
}

policy_names contains name if {
	data.dorgu.policies[name].warn
	not endswith(name, "_test")
}

test_sources_cover_source_and_sources if {
	srcs := lib.sources({"content": {"spec": {"source": {"repoURL": "a"}, "sources": [{"chart": "c"}, "x", {"ref": "values"}]}}})
	srcs == {
		{"field": ["spec", "source"], "source": {"repoURL": "a"}},
		{"field": ["spec", "sources", 0], "source": {"chart": "c"}},
		{"field": ["spec", "sources", 2], "source": {"ref": "values"}},
	}
}

test_chart_and_git_sources if {
	file := app("dev", "cert-manager", cert_manager, "0", [])
	lib.chart_sources(file) == {{"field": ["spec", "sources", 0], "source": file.content.spec.sources[0]}}
	lib.git_sources(file) == {{"field": ["spec", "sources", 1], "source": file.content.spec.sources[1]}}
}

test_get_never_fails if {
	lib.get("text", ["a"]) == null
	lib.get({"a": [{"b": 1}]}, ["a", 0, "b"]) == 1
	lib.get({"a": "x"}, ["a", "b"]) == null
	lib.get([[1, [2]]], [0, 1, 0]) == null
	deep := {"spec": {"template": {"spec": {"containers": [{"env": [{"valueFrom": {"secretKeyRef": {"name": "s"}}}]}]}}}}
	lib.get(deep, ["spec", "template", "spec", "containers", 0, "env", 0, "valueFrom", "secretKeyRef", "name"]) == "s"
	lib.get(deep, ["spec", "template", "spec", "containers", 0, "env", 1, "valueFrom"]) == null
	lib.get({"a": false}, ["a"]) == false
	lib.get({"a": null}, ["a"]) == null
}

test_environment_falls_back_to_labels if {
	v := values("prod", "openobserve", {})
	unknown := object.union(v, {"environment": ""})
	lib.environment(unknown) == "production" with input as with_file(v.path, unknown)
	lib.environment(unknown) == "" with input as {"files": [unknown]}
}

test_subject if {
	lib.subject(app("dev", "cert-manager", cert_manager, "0", [])) == `cert-manager in cluster "dev"`
	lib.subject(root("dev")) == `the root Application of cluster "dev"`
	lib.subject({"path": "x.yaml"}) == "x.yaml"
}

test_dotted if {
	lib.dotted(["spec", "sources", 0, "helm", "valueFiles", 1]) == "spec.sources[0].helm.valueFiles[1]"
	lib.dotted(["metadata", "annotations", "argocd.argoproj.io/sync-wave"]) == `metadata.annotations["argocd.argoproj.io/sync-wave"]`
}

test_manifests_are_the_rendered_objects if {
	role := manifest(
		"dev", "cert-manager", {
			"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
			"metadata": {"name": "cert-manager:leaderelection", "namespace": "kube-system"},
		},
		"cert-manager/templates/rbac.yaml",
	)
	inp := {"files": array.concat(scaffold.files, [role, {"path": "x", "kind": "manifest", "object": "not an object"}])}
	lib.manifests == {role} with input as inp
	lib.object_meta(role).kind == "Role"
	lib.object_meta(root("dev")) == {}
	lib.describe(role) == "Role kube-system/cert-manager:leaderelection from cert-manager/templates/rbac.yaml"
}

test_describe_cluster_scoped_and_malformed if {
	crd := manifest(
		"dev", "cert-manager", {
			"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
			"metadata": {"name": "certificates.cert-manager.io"},
		},
		"cert-manager/templates/crds.yaml",
	)
	lib.describe(crd) == "CustomResourceDefinition certificates.cert-manager.io from cert-manager/templates/crds.yaml"
	lib.describe({"path": "x.yaml", "kind": "manifest", "object": {"kind": 3, "name": null}}) == "x.yaml"
}

test_repo_prefix_at_the_root if {
	lib.repo_prefix == "" with input as scaffold
}

test_repo_prefix_from_the_roots if {
	lib.repo_prefix == "infra-gitops/" with input as in_folder("infra-gitops")
	lib.repo_prefix == "platform/infra-gitops/" with input as in_folder("platform/infra-gitops")
}

test_repo_prefix_of_roots_that_disagree_is_the_root if {
	inp := patch_input(in_folder("infra-gitops"), "argocd/prod-root-app.yaml", [{"op": "replace", "path": "/spec/source/path", "value": "other/clusters/prod/apps"}])
	lib.repo_prefix == "" with input as inp
}

test_repo_prefix_ignores_a_root_of_another_folder if {
	inp := patch(
		"argocd/prod-root-app.yaml",
		[{"op": "replace", "path": "/spec/source/path", "value": "argocd"}],
	)
	lib.repo_prefix == "" with input as inp
}

test_pod_spec_of_each_workload_kind if {
	pod := {"containers": [{"name": "a"}]}
	cron := manifest("dev", "x", {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": pod}}}}}, "x/templates/c.yaml")
	lib.pod_spec(cron) == {"path": ["spec", "jobTemplate", "spec", "template", "spec"], "spec": pod}
	bare := manifest("dev", "x", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": pod}, "x/templates/p.yaml")
	lib.pod_spec(bare).path == ["spec"]
	not lib.pod_spec(manifest("dev", "x", {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": pod}, "x/templates/s.yaml"))
	not lib.pod_spec(manifest("dev", "x", {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": "x"}}, "x/templates/d.yaml"))
	not lib.pod_spec(root("dev"))
}
