package dorgu.policies.project_permits_resources_test

import data.dorgu.lib_test as t
import data.dorgu.policies.project_permits_resources as policy

deployment(ns) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "cert-manager", "namespace": ns}}

role(ns) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "cert-manager:leaderelection", "namespace": ns}}

cluster_role := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "cert-manager-controller"}}

crd := {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "certificates.cert-manager.io"}}

# The test scaffold with objects of dev's cert-manager, and dev's
# AppProject's spec patched with ops.
with_objects(objects, ops) := {"files": array.concat(
	t.patch_input(t.scaffold, "clusters/dev/apps/_appproject.yaml", ops).files,
	[t.manifest("dev", "cert-manager", o, "cert-manager/templates/x.yaml") | some o in objects],
)}

test_permitted_objects_pass if {
	inp := with_objects([deployment("cert-manager"), cluster_role, crd], [{"op": "add", "path": "/spec/clusterResourceWhitelist/-", "value": {"group": "rbac.authorization.k8s.io", "kind": "*"}}, {"op": "add", "path": "/spec/clusterResourceWhitelist/-", "value": {"group": "apiextensions.k8s.io", "kind": "CustomResourceDefinition"}}])
	count(policy.deny) == 0 with input as inp
}

test_no_manifests_nothing_to_check if {
	count(policy.deny) == 0 with input as t.scaffold
}

test_namespace_outside_the_project if {
	fs := policy.deny with input as with_objects([role("kube-system")], [])
	count(fs) == 1
	some f in fs
	f.path == "clusters/dev/values/cert-manager.yaml"
	f.field == null
	f.msg == `Role kube-system/cert-manager:leaderelection from cert-manager/templates/x.yaml: AppProject "dev" does not allow namespace kube-system on the Application's cluster https://kubernetes.default.svc (ArgoCD: namespace kube-system is not permitted in project 'dev'); ArgoCD will not sync cert-manager in cluster "dev"`
	f.hint != ""
}

test_cluster_scoped_kind_not_whitelisted if {
	fs := policy.deny with input as with_objects([cluster_role], [])
	count(fs) == 1
	some f in fs
	contains(f.msg, `does not allow the cluster-scoped rbac.authorization.k8s.io/ClusterRole cert-manager-controller: its clusterResourceWhitelist does not list it (ArgoCD: resource rbac.authorization.k8s.io:ClusterRole is not permitted in project dev)`)
}

test_cluster_blacklist_takes_away if {
	fs := policy.deny with input as with_objects([crd], [
		{"op": "add", "path": "/spec/clusterResourceWhitelist/-", "value": {"group": "*", "kind": "*"}},
		{"op": "add", "path": "/spec/clusterResourceBlacklist", "value": [{"group": "apiextensions.k8s.io", "kind": "*"}]},
	])
	some f in fs
	contains(f.msg, "its clusterResourceBlacklist lists it")
}

test_cluster_whitelist_by_name if {
	only_certificates := [{"op": "add", "path": "/spec/clusterResourceWhitelist/-", "value": {"group": "apiextensions.k8s.io", "kind": "CustomResourceDefinition", "name": "*.cert-manager.io"}}]
	count(policy.deny) == 0 with input as with_objects([crd], only_certificates)
	other := object.union(crd, {"metadata": {"name": "widgets.example.com"}})
	count(policy.deny) == 1 with input as with_objects([other], only_certificates)
}

test_namespaced_whitelist_and_blacklist if {
	# An empty whitelist allows no namespaced kind; an unset one all.
	count(policy.deny) == 1 with input as with_objects([deployment("cert-manager")], [{"op": "add", "path": "/spec/namespaceResourceWhitelist", "value": []}])
	count(policy.deny) == 0 with input as with_objects([deployment("cert-manager")], [{"op": "add", "path": "/spec/namespaceResourceWhitelist", "value": [{"group": "apps", "kind": "Deploy*"}]}])
	fs := policy.deny with input as with_objects([deployment("cert-manager")], [{"op": "add", "path": "/spec/namespaceResourceBlacklist", "value": [{"group": "apps", "kind": "Deployment"}]}])
	some f in fs
	contains(f.msg, "apps/Deployment: its namespaceResourceBlacklist lists it")
}

test_hooks_are_checked if {
	hook := object.union(role("kube-system"), {"metadata": {"annotations": {"helm.sh/hook": "pre-install"}}})
	count(policy.deny) == 1 with input as with_objects([hook], [])
}

test_negated_destination_namespace if {
	# A ! pattern that does not match the namespace denies outright.
	ops := [
		{"op": "add", "path": "/spec/destinations/-", "value": {"server": "*", "namespace": "*"}},
		{"op": "add", "path": "/spec/destinations/-", "value": {"server": "*", "namespace": "!kube-system"}},
	]
	count(policy.deny) == 1 with input as with_objects([role("kube-system")], ops)
	count(policy.deny) == 0 with input as with_objects([role("monitoring")], ops)
}

test_create_namespace_needs_the_namespace_kind if {
	no_namespaces := [{"op": "replace", "path": "/spec/clusterResourceWhitelist", "value": [{"group": "rbac.authorization.k8s.io", "kind": "ClusterRole"}]}]
	fs := policy.deny with input as with_objects([], no_namespaces)
	count(fs) == 3
	f := t.one({g | some g in fs; g.path == "clusters/dev/apps/cert-manager.yaml"}, "clusters/dev/apps/cert-manager.yaml", ["spec", "syncPolicy", "syncOptions", 0])
	contains(f.msg, `cert-manager in cluster "dev" syncs with CreateNamespace=true, but the Namespace cert-manager it creates is refused`)
}

test_unknown_project_is_another_policys_finding if {
	inp := with_objects([role("kube-system")], [{"op": "replace", "path": "/metadata/name", "value": "other"}])
	count(policy.deny) == 0 with input as inp
}

test_malformed_projects_never_fail if {
	every ops in [
		[{"op": "replace", "path": "/spec", "value": "x"}],
		[{"op": "replace", "path": "/spec/destinations", "value": [1, {"namespace": 2}, {"server": "[", "namespace": "{a"}]}],
		[{"op": "replace", "path": "/spec/clusterResourceWhitelist", "value": [{"group": "[", "kind": "\\"}, "x", {"group": 1}]}],
	] {
		fs := policy.deny with input as with_objects([role("kube-system"), cluster_role], ops)
		count(fs) >= 1
	}
}

test_filepath_match if {
	policy.fp_match("*", "Deployment")
	policy.fp_match("", "")
	not policy.fp_match("", "apps")
	policy.fp_match("Deploy*", "Deployment")
	not policy.fp_match("*", "a/b")
	policy.fp_match("?pps", "apps")
	policy.fp_match("[a-c]pps", "apps")
	not policy.fp_match("[^a-c]pps", "apps")
	policy.fp_match("[^x]pps", "apps")
	policy.fp_match(`\*`, "*")
	not policy.fp_match(`\*`, "a")
	policy.fp_match("*.k8s.io", "rbac.authorization.k8s.io")
	policy.fp_match("a.b", "a.b")
	not policy.fp_match("a.b", "axb")
	policy.fp_match("{a,b}", "{a,b}")
	policy.fp_match("a]b", "a]b")

	# Malformed: ErrBadPattern, no match.
	not policy.fp_match("[", "[")
	not policy.fp_match("[]", "]")
	not policy.fp_match("[^]", "^")
	not policy.fp_match("a\\", "a")
	not policy.fp_match("[a-]", "a")

	# A range backwards matches nothing.
	not policy.fp_match("[z-a]", "b")
	policy.fp_match("[^z-a]", "b")
}

test_glob_match if {
	policy.glob_match("*", "anything")
	policy.glob_match("test-*", "test-foo")
	not policy.glob_match("test-*", "test")
	policy.glob_match("!test-*", "test")
	not policy.glob_match("!test-*", "test-foo")
	policy.glob_match("https://*.default.svc", "https://kubernetes.default.svc")
	not policy.glob_match("!{kube-system,argocd}", "argocd")
	policy.glob_match("!{kube-system,argocd}", "karpenter")
	policy.glob_match("[a-c]*", "b1")

	# What gobwas cannot compile matches nothing (and a negation of it
	# everything), as in ArgoCD.
	not policy.glob_match("[", "[")
	not policy.glob_match("{a", "{a")
	policy.glob_match("!{a", "a")
	not policy.glob_match("a\\", "a")
}
