package policy

import (
	"bytes"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

var update = flag.Bool("update", false, "rewrite capabilities.json from OPA's capabilities less the excluded built-ins")

// TestCapabilitiesFile pins the sandbox: capabilities.json must be exactly
// OPA's built-ins less the excluded ones. An OPA upgrade that adds a
// built-in, or changes the declaration of one, fails here until the file
// is regenerated with -update and the change reviewed; so the sandbox never
// widens without a diff to read.
func TestCapabilitiesFile(t *testing.T) {
	want, err := generateCapabilities()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("capabilities.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(capabilitiesJSON, want) {
		pinned := names(Capabilities())
		now := names(mustLoad(t, want))
		var added, removed []string
		for _, n := range now {
			if !slices.Contains(pinned, n) {
				added = append(added, n)
			}
		}
		for _, n := range pinned {
			if !slices.Contains(now, n) {
				removed = append(removed, n)
			}
		}
		t.Fatalf("capabilities.json is not OPA's built-ins less the excluded ones (new: %v; gone: %v; otherwise a declaration changed).\n"+
			"Classify every new built-in (add it to excluded() if it reaches outside, reads the clock, or allocates without bound), then run\n"+
			"  go test ./internal/policy -run TestCapabilitiesFile -update\nand review the diff.", added, removed)
	}
}

func mustLoad(t *testing.T, data []byte) *ast.Capabilities {
	t.Helper()
	c, err := ast.LoadCapabilitiesJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func names(c *ast.Capabilities) []string {
	var out []string
	for _, b := range c.Builtins {
		out = append(out, b.Name)
	}
	return out
}

// TestCapabilitiesLeaveOutWhatReachesOutside: whatever the generator does,
// the pinned file never holds a built-in that reaches the network, the
// file system or the environment, and every non-deterministic built-in it
// holds is one the engine fixes (clock, seed).
func TestCapabilitiesLeaveOutWhatReachesOutside(t *testing.T) {
	caps := Capabilities()
	if caps.AllowNet == nil || len(caps.AllowNet) != 0 {
		t.Errorf("allow_net = %v; want an empty list (no host)", caps.AllowNet)
	}
	for _, b := range caps.Builtins {
		if reason, ok := excluded()[b.Name]; ok {
			t.Errorf("%s is in capabilities.json but excluded: %s", b.Name, reason)
		}
		if strings.HasPrefix(b.Name, "http.") || strings.HasPrefix(b.Name, "net.lookup") || strings.HasPrefix(b.Name, "opa.") {
			t.Errorf("%s reaches outside and is allowed", b.Name)
		}
		if b.Nondeterministic && !slices.Contains(fixedByEngine(), b.Name) {
			t.Errorf("%s is non-deterministic and not fixed by the engine", b.Name)
		}
	}
	for _, n := range excludedNames() {
		if ast.BuiltinMap[n] == nil {
			t.Errorf("excluded() names %s, which this OPA does not have: remove it", n)
		}
	}
}
