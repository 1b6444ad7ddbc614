package policy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/limits"
)

func compile(t *testing.T, name, src string) (*Engine, error) {
	t.Helper()
	return Compile(context.Background(), Set{Sources: []config.Source{{Name: name, Data: []byte(src)}}})
}

// TestSandbox: policies from a repository run in CI next to its
// credentials, so nothing that reaches out may compile, and the error says
// where the call is.
func TestSandbox(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"http.send", `x := http.send({"method": "get", "url": "https://example.com"})`, "http.send"},
		{"opa.runtime", `x := opa.runtime().env.HOME`, "opa.runtime"},
		{"net.lookup_ip_addr", `x := net.lookup_ip_addr("example.com")`, "net.lookup_ip_addr"},
		{"trace", `x := 1 if { trace("leak") }`, "trace"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "package dorgu.policies.evil\n\n" + tc.body + "\n\ndeny contains {\"msg\": \"x\"} if x\n"
			_, err := compile(t, "policies/evil.rego", src)
			if err == nil {
				t.Fatalf("a policy calling %s compiled", tc.name)
			}
			if !strings.Contains(err.Error(), "policies/evil.rego:3") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error does not name the file, line and call: %v", err)
			}
		})
	}
}

// TestDeterministicBuiltins: the clock and the random seed are fixed, so a
// policy cannot make findings depend on when or where it runs.
func TestDeterministicBuiltins(t *testing.T) {
	e, err := compile(t, "p.rego", `package dorgu.policies.clock

deny contains {"msg": sprintf("%d %d", [time.now_ns(), rand.intn("x", 1000000)])} if true
`)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for range 2 {
		fs, err := e.Check(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, fs[0].Message)
	}
	if msgs[0] != msgs[1] || !strings.HasPrefix(msgs[0], "1767225600000000000 ") {
		t.Errorf("time or randomness leaked into findings: %q", msgs)
	}
}

// TestBuiltinErrorsAreErrors: a built-in that fails is an evaluation error,
// not a silently undefined rule that lets everything pass.
func TestBuiltinErrorsAreErrors(t *testing.T) {
	e, err := compile(t, "p.rego", `package dorgu.policies.strict

deny contains {"msg": "bad"} if {
	some f in input.files
	to_number(f.content.x) > 1
}
`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Check(context.Background(), []Document{{Path: "a.yaml", Content: map[string]any{"x": "not a number"}}})
	if err == nil || !strings.Contains(err.Error(), "to_number") {
		t.Fatalf("a failing built-in did not fail the evaluation: %v", err)
	}
}

func TestFindingsCarryRuleAndFile(t *testing.T) {
	e, err := compile(t, "p.rego", `package dorgu.policies.no_foo

warn contains {"path": f.path, "field": ["foo"], "msg": "foo is set", "hint": "remove it"} if {
	some f in input.files
	f.content.foo
}
`)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := e.Check(context.Background(), []Document{{Path: "clusters/a/values/x.yaml", Cluster: "a", Component: "x", Content: map[string]any{"foo": true}}})
	if err != nil {
		t.Fatal(err)
	}
	want := finding.Finding{Severity: finding.Warning, Rule: "no-foo", File: "clusters/a/values/x.yaml", Cluster: "a", Component: "x", Message: "foo is set", Hint: "remove it", Field: []any{"foo"}}
	if len(fs) != 1 || fs[0].Rule != want.Rule || fs[0].Severity != want.Severity || fs[0].File != want.File || fs[0].Cluster != "a" || fs[0].Component != "x" || fs[0].Hint != want.Hint {
		t.Errorf("findings = %+v, want %+v", fs, want)
	}
}

// TestSeverities: deny is an error, warn a warning, note a note.
func TestSeverities(t *testing.T) {
	e, err := compile(t, "p.rego", `package dorgu.policies.three

deny contains "d" if true

warn contains "w" if true

note contains {"msg": "n", "hint": "nothing to do"} if true
`)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := e.Check(context.Background(), []Document{{Path: "a.yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]finding.Severity{}
	for _, f := range fs {
		got[f.Message] = f.Severity
	}
	if len(fs) != 3 || got["d"] != finding.Error || got["w"] != finding.Warning || got["n"] != finding.Note {
		t.Errorf("findings %+v", fs)
	}
}

// TestScopes: a package declared per cluster sees one cluster's files at a
// time; a repository-wide one sees every file, or the kinds it asks for.
func TestScopes(t *testing.T) {
	e, err := Compile(context.Background(), Set{Sources: []config.Source{
		{Name: "a.rego", Data: []byte(`# METADATA
# title: per cluster
# custom:
#   scope: cluster
package dorgu.policies.per_cluster

warn contains {"msg": sprintf("%d files of %v", [count(input.files), {f.cluster | some f in input.files}])} if true
`)},
		{Name: "b.rego", Data: []byte(`# METADATA
# title: apps only
# custom:
#   kinds: [application]
package dorgu.policies.apps_only

warn contains {"msg": sprintf("%d applications", [count(input.files)])} if true
`)},
		{Name: "c.rego", Data: []byte(`package dorgu.policies.everything

warn contains {"msg": sprintf("%d files", [count(input.files)])} if true
`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	docs := []Document{
		{Path: "a1", Kind: "application", Cluster: "a"},
		{Path: "a2", Kind: "values", Cluster: "a"},
		{Path: "b1", Kind: "application", Cluster: "b"},
	}
	fs, err := e.Check(context.Background(), docs)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.Rule+": "+f.Message)
	}
	want := []string{
		`apps-only: 2 applications`,
		`everything: 3 files`,
		`per-cluster: 1 files of {"b"}`,
		`per-cluster: 2 files of {"a"}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestReservedIDs: the ids of dorgu-gen's own checks cannot be taken by a
// policy, so no finding of a policy passes for a drift, YAML or CUE one
// (or for a finding about waivers).
func TestReservedIDs(t *testing.T) {
	for _, pkg := range []string{".drift_missing", ".drift_anything", ".cue", ".yaml", ".waiver_unused", `["drift-modified"]`} {
		_, err := compile(t, "policies/p.rego", "# a comment\npackage dorgu.policies"+pkg+"\n\ndeny contains {\"msg\": \"x\"} if true\n")
		if err == nil || !strings.Contains(err.Error(), "policies/p.rego:2: package dorgu.policies") || !strings.Contains(err.Error(), "reserved for dorgu-gen's own checks") {
			t.Errorf("package dorgu.policies%s: err = %v; want a reserved-id error at policies/p.rego:2", pkg, err)
		}
	}
}

// TestFindingsOfUserPoliciesArePolicyFindings: the kind comes from where a
// finding is made, not from its id.
func TestFindingsOfUserPoliciesArePolicyFindings(t *testing.T) {
	e, err := compile(t, "p.rego", `package dorgu.policies.drift

deny contains {"msg": "x"} if true
`)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := e.Check(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Rule != "drift" || fs[0].Kind != finding.KindPolicy {
		t.Fatalf("findings %+v; want one drift finding of kind policy", fs)
	}
}

// TestFindingsAreBounded: a policy that reports without bound fails the
// run, naming the rule and the limit.
func TestFindingsAreBounded(t *testing.T) {
	e, err := compile(t, "p.rego", `package dorgu.policies.noisy

warn contains {"msg": sprintf("%d %d", [i, j])} if {
	some i, _ in input.files
	some j, _ in input.files
}
`)
	if err != nil {
		t.Fatal(err)
	}
	docs := make([]Document, 400) // 160,000 pairs
	for i := range docs {
		docs[i] = Document{Path: fmt.Sprint(i)}
	}
	_, err = e.Check(context.Background(), docs)
	if err == nil || !strings.Contains(err.Error(), "policy noisy: more than 100000 findings in one evaluation, the limit") {
		t.Fatalf("err = %v", err)
	}
}

// BenchmarkCompile measures compiling the built-in policies alone, and with
// a user policy, which costs a second compiler.
func BenchmarkCompile(b *testing.B) {
	builtin, err := Embedded()
	if err != nil {
		b.Fatal(err)
	}
	user := append(slices.Clone(builtin), config.Source{Name: "policies/mine.rego", Data: []byte("package dorgu.policies.mine\n\nimport data.dorgu.lib\n\nwarn contains {\"msg\": \"x\"} if count(lib.files) > 100\n")})
	for _, bc := range []struct {
		name string
		set  Set
	}{{"builtin", Set{Sources: builtin}}, {"builtin+user", Set{Sources: user}}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Compile(context.Background(), bc.set); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestPolicyTimeLimit: a policy evaluation past its limit is an error that
// names the limit and how to raise it, not OPA's cancellation message.
func TestPolicyTimeLimit(t *testing.T) {
	e, err := compile(t, "p.rego", "package dorgu.policies.slow\n\ndeny contains {\"msg\": \"x\"} if true\n")
	if err != nil {
		t.Fatal(err)
	}
	l := limits.Default()
	l.PolicyTime = time.Nanosecond
	_, err = e.Check(limits.With(context.Background(), l), []Document{{Path: "a.yaml", Kind: "values", Content: map[string]any{}}})
	var ex *limits.ExceededError
	if !errors.As(err, &ex) || ex.Env != limits.PolicyTimeEnv {
		t.Fatalf("Check past its limit = %v; want an ExceededError naming %s", err, limits.PolicyTimeEnv)
	}
}
