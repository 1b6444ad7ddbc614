package policy

import (
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// denied lists the built-ins a policy may not call. Policies from a
// repository run in CI next to its credentials, so nothing may reach the
// network, the environment or the file system, or depend on when it runs.
func denied() []string {
	return []string{
		"http.send", "opa.runtime", "trace",
		"net.lookup_ip_addr", "net.cidr_expand",
		"rego.parse_module", "io.jwt.decode_verify",
	}
}

// Capabilities returns what the policy compiler allows: OPA's own built-ins
// less the ones in denied and every net.* one that reaches out.
func Capabilities() *ast.Capabilities {
	deny := denied()
	caps := ast.CapabilitiesForThisVersion()
	caps.Builtins = slices.DeleteFunc(slices.Clone(caps.Builtins), func(b *ast.Builtin) bool {
		return slices.Contains(deny, b.Name) || strings.HasPrefix(b.Name, "net.lookup")
	})
	caps.AllowNet = []string{}
	return caps
}
