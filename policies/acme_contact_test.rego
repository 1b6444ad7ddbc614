package dorgu.policies.acme_contact_test

import data.dorgu.lib_test as t
import data.dorgu.policies.acme_contact as policy

issuer(email) := {
	"apiVersion": "cert-manager.io/v1",
	"kind": "ClusterIssuer",
	"metadata": {"name": "letsencrypt-production"},
	"spec": {"acme": object.union(
		{"server": "https://acme-v02.api.letsencrypt.org/directory", "privateKeySecretRef": {"name": "letsencrypt-production-account-key"}},
		{"email": email},
	)},
}

with_objects(objects) := {"files": array.concat(t.scaffold.files, [t.manifest("prod", "cert-manager", o, "cert-manager/templates/extras-objects.yaml") | some o in objects])}

msg(email) := m if {
	fs := policy.deny with input as with_objects([issuer(email)])
	count(fs) == 1
	some f in fs
	f.path == "clusters/prod/values/cert-manager.yaml"
	f.field == null
	f.hint == "set clusters.prod.acmeEmail to a mailbox your team reads (Let's Encrypt writes to it before a certificate expires), and render again rather than editing the values file"
	m := f.msg
}

test_real_contacts_pass if {
	every email in ["platform@acme.io", "ops+le@mail.acme.co.uk", "a@examples.com", "a@example.com.acme.io", "a@test.acme.io"] {
		count(policy.deny) == 0 with input as with_objects([issuer(email)])
	}
}

test_example_domains_are_refused if {
	msg("platform@example.com") == `ClusterIssuer letsencrypt-production from cert-manager/templates/extras-objects.yaml: spec.acme.email "platform@example.com" is at an example domain; the ACME server refuses to register the account, so the issuer never becomes ready and issues no certificate`
	every email in ["a@EXAMPLE.org", "a@mail.example.net", "a@example.com."] {
		contains(msg(email), "is at an example domain")
	}
}

test_reserved_tlds_are_refused if {
	every email in ["a@acme.test", "a@acme.example", "a@host.invalid", "a@LOCALHOST.localhost"] {
		contains(msg(email), "is under a reserved top-level domain")
	}
}

test_missing_or_malformed_contact if {
	contains(msg(""), ": spec.acme.email is not set;")
	contains(msg(null), ": spec.acme.email is not set;")
	contains(msg(["a@acme.io"]), `spec.acme.email is ["a@acme.io"], not a string`)
	contains(msg("platform"), `"platform" is not an e-mail address`)
	contains(msg("a@b@acme.io"), "is not an e-mail address")
	no_email := json.patch(issuer(""), [{"op": "remove", "path": "/spec/acme/email"}])
	fs := policy.deny with input as with_objects([no_email])
	count(fs) == 1
}

test_namespaced_issuer_of_another_component if {
	i := object.union(issuer("a@example.org"), {"kind": "Issuer", "metadata": {"namespace": "openobserve"}})
	fs := policy.deny with input as {"files": array.concat(t.scaffold.files, [t.manifest("prod", "openobserve", i, "openobserve/templates/issuer.yaml")])}
	some f in fs
	startswith(f.msg, "Issuer openobserve/letsencrypt-production from openobserve/templates/issuer.yaml: ")
	f.hint == "set the issuer's spec.acme.email through the values of components.openobserve to a mailbox your team reads"
}

test_other_issuers_and_kinds_are_not_checked if {
	self_signed := {"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "metadata": {"name": "selfsigned"}, "spec": {"selfSigned": {}}}
	other_group := object.union(issuer("a@example.com"), {"apiVersion": "acme.example.io/v1"})
	config_map := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"email": "a@example.com"}, "spec": {"acme": {"email": ""}}}
	count(policy.deny) == 0 with input as with_objects([self_signed, other_group, config_map])
	count(policy.deny) == 0 with input as t.scaffold
}

test_malformed_issuers_never_fail if {
	odd := [
		{"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "metadata": {"name": "a"}, "spec": "acme"},
		{"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "metadata": {"name": "b"}, "spec": {"acme": "x"}},
		{"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "metadata": {"name": "c"}, "spec": {"acme": {"email": 5}}},
	]
	fs := policy.deny with input as with_objects(odd)
	count(fs) == 1
}
