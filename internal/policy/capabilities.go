package policy

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// capabilitiesJSON is the sandbox: the only built-ins a policy may call,
// with their declarations, pinned in the repository like conftest's
// capabilities. It is OPA's own list less the built-ins in excluded, and a
// test regenerates it (go test ./internal/policy -run TestCapabilitiesFile
// -update) so that an OPA upgrade that adds, drops or changes a built-in
// fails until someone classifies it and the change shows in review.
//
//go:embed capabilities.json
var capabilitiesJSON []byte

// excluded lists the built-ins of OPA that policies may not call, each with
// the reason. Policies from a pull request run in CI next to its
// credentials: nothing may reach the network, the file system, the
// environment or the clock, print outside the findings, or allocate without
// bound from a few bytes of source.
func excluded() map[string]string {
	const (
		network  = "reaches the network"
		files    = "reads files: a JSON schema $ref (file://, http://) is resolved"
		env      = "reads the environment and the runtime's configuration"
		tz       = "loads a time zone by name, from the file system (or the machine's own zone with \"Local\")"
		clock    = "reads the clock, so a finding would depend on when the check runs"
		random   = "draws random numbers outside the engine's fixed seed"
		output   = "writes outside the findings"
		unbound  = "allocates without bound from a small input"
		parsing  = "parses a language no scaffold holds, with a parser that has had denial-of-service bugs"
		netcidr  = "expands a CIDR into every address, without bound"
		paths    = "enumerates every path of a graph, exponentially many"
		template = "runs a Go template, which can loop over an integer without bound"
	)
	return map[string]string{
		"http.send":          network,
		"net.lookup_ip_addr": network,
		"opa.runtime":        env,
		"json.verify_schema": files,
		"json.match_schema":  files,

		"time.format":   tz,
		"time.date":     tz,
		"time.clock":    tz,
		"time.weekday":  tz,
		"time.add_date": tz,
		"time.diff":     tz,

		"io.jwt.decode_verify":                                   clock,
		"crypto.x509.parse_and_verify_certificates":              clock,
		"crypto.x509.parse_and_verify_certificates_with_options": clock,
		"io.jwt.encode_sign":                                     random,
		"io.jwt.encode_sign_raw":                                 random,

		"trace":          output,
		"print":          output,
		"internal.print": output,

		"numbers.range":           unbound,
		"numbers.range_step":      unbound,
		"bits.lsh":                unbound,
		"net.cidr_expand":         netcidr,
		"graph.reachable_paths":   paths,
		"strings.render_template": template,

		"rego.parse_module":        parsing,
		"graphql.is_valid":         parsing,
		"graphql.parse":            parsing,
		"graphql.parse_and_verify": parsing,
		"graphql.parse_query":      parsing,
		"graphql.parse_schema":     parsing,
		"graphql.schema_is_valid":  parsing,
	}
}

// fixedByEngine lists the non-deterministic built-ins that the sandbox
// keeps because the engine makes them deterministic: a fixed clock and a
// fixed random seed.
func fixedByEngine() []string {
	return []string{"rand.intn", "time.now_ns", "uuid.rfc4122"}
}

// Capabilities returns what the policy compilers allow: the built-ins
// named in capabilities.json, and no network host at all. The declarations
// are OPA's own; TestCapabilitiesFile keeps them equal to the pinned ones.
// (Decoding only the names costs a millisecond; OPA's decoder of the whole
// file, twenty.)
func Capabilities() *ast.Capabilities {
	var pinned struct {
		Builtins []struct {
			Name string `json:"name"`
		} `json:"builtins"`
	}
	if err := json.Unmarshal(capabilitiesJSON, &pinned); err != nil || len(pinned.Builtins) == 0 {
		// The file is embedded and checked by a test: a broken one is a
		// broken build, not a user's problem.
		panic(fmt.Sprintf("policy: the embedded capabilities.json lists no built-ins: %v", err))
	}
	allowed := make(map[string]bool, len(pinned.Builtins))
	for _, b := range pinned.Builtins {
		allowed[b.Name] = true
	}
	caps := ast.CapabilitiesForThisVersion()
	caps.Builtins = slices.DeleteFunc(slices.Clone(caps.Builtins), func(b *ast.Builtin) bool { return !allowed[b.Name] })
	// An empty allow_net is no host; a missing one would be every host.
	caps.AllowNet = []string{}
	return caps
}

// generateCapabilities derives the sandbox from OPA's own capabilities: every
// built-in but the excluded ones, declarations without their descriptions.
// Only the test that pins capabilities.json calls it.
func generateCapabilities() ([]byte, error) {
	caps := ast.CapabilitiesForThisVersion()
	deny := excluded()
	caps.Builtins = slices.DeleteFunc(slices.Clone(caps.Builtins), func(b *ast.Builtin) bool {
		_, out := deny[b.Name]
		return out
	})
	slices.SortFunc(caps.Builtins, func(a, b *ast.Builtin) int { return strings.Compare(a.Name, b.Name) })
	caps.AllowNet = nil
	data, err := json.Marshal(caps)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(withoutDescriptions(v)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// withoutDescriptions drops the prose of OPA's declarations: the file is
// read for what it allows, and OPA documents each built-in.
func withoutDescriptions(v any) any {
	switch x := v.(type) {
	case map[string]any:
		delete(x, "description")
		for k, e := range x {
			x[k] = withoutDescriptions(e)
		}
	case []any:
		for i, e := range x {
			x[i] = withoutDescriptions(e)
		}
	}
	return v
}

// excludedNames lists the excluded built-ins, sorted, for messages.
func excludedNames() []string { return slices.Sorted(maps.Keys(excluded())) }
