# METADATA
# title: An ACME issuer registers with a contact address the CA accepts
# description: >-
#   With the chart checks, every cert-manager ClusterIssuer or Issuer the
#   charts render with an ACME spec has a spec.acme.email that is an
#   address, not at example.com, example.net or example.org (or a
#   subdomain) and not under a reserved top-level domain (.example,
#   .invalid, .localhost, .test). Let's Encrypt refuses to register an
#   account with such a contact, so the issuer never becomes ready and no
#   certificate is issued. The config's acmeEmail is checked by the schema;
#   this catches a values file edited by hand, or an issuer of a chart of
#   your own.
# custom:
#   scope: cluster
package dorgu.policies.acme_contact

import data.dorgu.lib

issuer_kinds := {"ClusterIssuer", "Issuer"}

deny contains f if {
	some file in lib.manifests
	o := lib.object_meta(file)
	o.kind in issuer_kinds
	startswith(o.apiVersion, "cert-manager.io/")
	acme := lib.field(file, ["spec", "acme"])
	is_object(acme)
	reason := refusal(object.get(acme, "email", null))
	f := {
		"path": lib.file_str(file, "path"),
		"field": null,
		"msg": sprintf("%s: spec.acme.email %s; the ACME server refuses to register the account, so the issuer never becomes ready and issues no certificate", [lib.describe(file), reason]),
		"hint": hint(file),
	}
}

# Why an ACME contact is refused; undefined for a good one. The same rule
# as #ContactEmail in schema/persona.cue.
refusal(email) := "is not set" if email in {null, ""}

else := sprintf("is %s, not a string", [lib.show(email)]) if not is_string(email)

else := sprintf("%q is not an e-mail address", [email]) if not regex.match("^[^@ ]+@[^@ ]+$", email)

else := sprintf("%q is at an example domain", [email]) if regex.match("(?i)@([^@]*\\.)?example\\.(com|net|org)\\.?$", email)

else := sprintf("%q is under a reserved top-level domain", [email]) if regex.match("(?i)\\.(example|invalid|localhost|test)\\.?$", email)

hint(file) := sprintf("set clusters.%s.acmeEmail to a mailbox your team reads (Let's Encrypt writes to it before a certificate expires), and render again rather than editing the values file", [lib.cluster(file)]) if {
	lib.component(file) == "cert-manager"
	lib.cluster(file) != ""
} else := sprintf("set the issuer's spec.acme.email through the values of %s to a mailbox your team reads", [lib.component_config(file)])
