package policy

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobwas/glob"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// project-permits-resources mirrors ArgoCD v3.5.1's AppProject permission
// logic in Rego. ArgoCD's package (pkg/apis/application/v1alpha1) is not
// imported to test it against: as a module it brings ArgoCD's whole
// dependency graph (gitops-engine through a local replace, grpc, casbin,
// the cloud SDKs, ...), and minimal version selection would move shared
// dependencies of the binary (client-go, grpc, protobuf) to ArgoCD's
// versions. So the cases below are transcribed from ArgoCD's own tests of
// that logic, with ArgoCD's expected answers, in types_test.go at v3.5.1:
// TestAppProject_IsDestinationPermitted, TestAppProject_IsNegatedDestinationPermitted,
// TestAppProject_IsGroupKindPermitted and TestGlobMatch. The matchers
// underneath, Go's filepath.Match and the gobwas glob library, are
// compared with the Rego on generated patterns.

// permissions evaluates the policy's functions.
type permissions struct {
	t        *testing.T
	compiler *ast.Compiler
}

func newPermissions(t *testing.T) *permissions {
	t.Helper()
	compiler := ast.NewCompiler().WithCapabilities(Capabilities()).WithDefaultRegoVersion(ast.RegoV1)
	compiler.Compile(loadEmbeddedRego(t))
	if compiler.Failed() {
		t.Fatal(compiler.Errors)
	}
	return &permissions{t: t, compiler: compiler}
}

// defined evaluates data.dorgu.policies.project_permits_resources.<fn>(args...)
// and reports whether it is defined (and not false).
func (p *permissions) defined(fn string, args ...any) bool {
	p.t.Helper()
	var terms []string
	for _, a := range args {
		b, err := json.Marshal(a)
		if err != nil {
			p.t.Fatal(err)
		}
		terms = append(terms, string(b))
	}
	q := "x := data.dorgu.policies.project_permits_resources." + fn + "(" + strings.Join(terms, ", ") + ")"
	rs, err := rego.New(rego.Query(q), rego.Compiler(p.compiler), rego.StrictBuiltinErrors(true)).Eval(context.Background())
	if err != nil {
		p.t.Fatalf("%s: %v", q, err)
	}
	if len(rs) == 0 {
		return false
	}
	b, ok := rs[0].Bindings["x"].(bool)
	return !ok || b
}

type dest struct {
	Server    string `json:"server,omitempty"`
	Name      string `json:"name,omitempty"`
	Namespace string `json:"namespace"`
}

func TestArgoCDDestinationCases(t *testing.T) {
	p := newPermissions(t)
	kube := "https://kubernetes.default.svc"
	cases := []struct {
		name      string
		project   []dest
		app       dest
		permitted bool
	}{
		// TestAppProject_IsDestinationPermitted
		{"server and namespace match", []dest{{Server: kube, Namespace: "default"}}, dest{Server: kube, Namespace: "default"}, true},
		{"namespace does not match", []dest{{Server: kube, Namespace: "default"}}, dest{Server: kube, Namespace: "kube-system"}, false},
		{"server does not match", []dest{{Server: "https://my-cluster", Namespace: "default"}}, dest{Server: kube, Namespace: "default"}, false},
		{"wildcard namespace", []dest{{Server: kube, Namespace: "*"}}, dest{Server: kube, Namespace: "kube-system"}, true},
		{"wildcard server", []dest{{Server: "https://*.default.svc", Namespace: "default"}}, dest{Server: kube, Namespace: "default"}, true},
		{"wildcard server prefix", []dest{{Server: "https://team1-*", Namespace: "default"}}, dest{Server: "https://test2-dev-cluster", Namespace: "default"}, false},
		{"wildcard namespace with prefix", []dest{{Server: kube, Namespace: "test-*"}}, dest{Server: kube, Namespace: "test-foo"}, true},
		{"wildcard namespace without prefix", []dest{{Server: kube, Namespace: "test-*"}}, dest{Server: kube, Namespace: "test"}, false},
		{"wildcard server and namespace", []dest{{Server: "*", Namespace: "*"}}, dest{Server: kube, Namespace: "test"}, true},
		{"wildcard namespace with name", []dest{{Namespace: "*", Name: "test"}}, dest{Name: "test", Namespace: "test"}, true},
		{"wildcard namespace with a different name", []dest{{Namespace: "*", Name: "test2"}}, dest{Name: "test", Namespace: "test"}, false},
		{"negated namespace with multiple values", []dest{
			{Name: "host-cluster", Server: kube, Namespace: "!{kube-system,argocd}"},
			{Name: "destination-cluster-01", Server: "https://eks-cluster-endpoint.ap-southeast-1.eks.amazonaws.com", Namespace: "*"},
		}, dest{Server: "https://eks-cluster-endpoint.ap-southeast-1.eks.amazonaws.com", Namespace: "kube-system"}, true},
		// TestAppProject_IsNegatedDestinationPermitted
		{"negated 1", []dest{{Server: "!" + kube, Namespace: "default"}}, dest{Server: kube, Namespace: "default"}, false},
		{"negated 2", []dest{{Server: kube, Namespace: "!default"}}, dest{Server: kube, Namespace: "kube-system"}, true},
		{"negated 3", []dest{{Server: "!https://my-cluster", Namespace: "default"}}, dest{Server: kube, Namespace: "default"}, true},
		{"negated 4", []dest{{Server: "!" + kube, Namespace: "*"}}, dest{Server: kube, Namespace: "kube-system"}, false},
		{"negated 5", []dest{{Server: "!https://*.default.svc", Namespace: "default"}}, dest{Server: kube, Namespace: "default"}, false},
		{"negated 6", []dest{{Server: "!https://team1-*", Namespace: "default"}}, dest{Server: "https://test2-dev-cluster", Namespace: "default"}, true},
		{"negated 7", []dest{{Server: kube, Namespace: "!test-*"}}, dest{Server: kube, Namespace: "test-foo"}, false},
		{"negated 8", []dest{{Server: kube, Namespace: "!test-*"}}, dest{Server: kube, Namespace: "test"}, true},
		{"negated 9", []dest{{Namespace: "*", Name: "!test"}}, dest{Name: "test", Namespace: "test"}, false},
		{"negated 10", []dest{{Namespace: "*", Name: "!test2"}}, dest{Name: "test", Namespace: "test"}, true},
		{"negated 11", []dest{{Server: "*", Namespace: "kube-system"}, {Server: "*", Namespace: "!kube-system"}}, dest{Server: kube, Namespace: "kube-system"}, false},
		{"negated 12", []dest{{Server: "*", Namespace: "*"}, {Server: "*", Namespace: "!kube-system"}}, dest{Server: kube, Namespace: "kube-system"}, false},
		{"negated 13", []dest{{Server: kube, Namespace: "*"}, {Server: "!" + kube, Namespace: "*"}}, dest{Server: kube, Namespace: "kube-system"}, false},
		{"negated 14", []dest{{Server: "*", Namespace: "*"}, {Server: "!" + kube, Namespace: "kube-system"}}, dest{Server: kube, Namespace: "kube-system"}, false},
		{"negated 15", []dest{{Server: "*", Namespace: "*"}, {Server: "!" + kube, Namespace: "kube-system"}, {Server: "*", Namespace: "!kube-system"}}, dest{Server: kube, Namespace: "kube-system"}, false},
		{"negated 16", []dest{{Server: "*", Namespace: "*"}, {Server: "!" + kube, Namespace: "kube-system"}, {Server: "*", Namespace: "!kube-system"}}, dest{Server: kube, Namespace: "default"}, true},
		{"negated 17", []dest{{Server: "*", Namespace: "*"}, {Server: "!" + kube, Namespace: "kube-system"}, {Server: "*", Namespace: "!kube-system"}}, dest{Server: "https://test-dev-cluster", Namespace: "kube-system"}, false},
		{"negated 18", []dest{{Namespace: "*", Name: "test"}, {Namespace: "*", Name: "!test"}}, dest{Name: "test", Namespace: "test"}, false},
		{"negated 19", []dest{{Server: "*", Namespace: "test"}, {Server: "!https://test-server", Namespace: "other"}}, dest{Server: "https://test-server", Namespace: "test"}, true},
		{"negated 20", []dest{{Server: "*", Namespace: "*"}, {Server: "https://test-server", Namespace: "!other"}}, dest{Server: "https://other-test-server", Namespace: "other"}, true},
	}
	for _, c := range cases {
		// The Rego reads a missing field as "", as Go's zero value.
		dst := map[string]string{"server": c.app.Server, "name": c.app.Name, "namespace": c.app.Namespace}
		if got := p.defined("destination_permitted", c.project, dst); got != c.permitted {
			t.Errorf("%s: permitted = %v, ArgoCD says %v", c.name, got, c.permitted)
		}
	}
}

type groupKind struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
	Name  string `json:"name,omitempty"`
}

func TestArgoCDGroupKindCases(t *testing.T) {
	p := newPermissions(t)
	type check struct {
		gk         groupKind
		name       string
		namespaced bool
		permitted  bool
	}
	cases := []struct {
		name   string
		spec   map[string]any
		checks []check
	}{
		// TestAppProject_IsGroupKindPermitted, proj to proj7.
		{"empty namespaced whitelist, blacklist", map[string]any{
			"namespaceResourceWhitelist": []groupKind{}, "namespaceResourceBlacklist": []groupKind{{Group: "apps", Kind: "Deployment"}},
		}, []check{{groupKind{Group: "apps", Kind: "ReplicaSet"}, "", true, false}, {groupKind{Group: "apps", Kind: "Deployment"}, "", true, false}}},
		{"namespaced whitelist and blacklist", map[string]any{
			"namespaceResourceWhitelist": []groupKind{{Group: "apps", Kind: "ReplicaSet"}}, "namespaceResourceBlacklist": []groupKind{{Group: "apps", Kind: "Deployment"}},
		}, []check{{groupKind{Group: "apps", Kind: "ReplicaSet"}, "", true, true}, {groupKind{Group: "apps", Kind: "Action"}, "", true, false}}},
		{"cluster blacklist", map[string]any{
			"clusterResourceBlacklist": []groupKind{{Group: "", Kind: "Namespace"}},
		}, []check{{groupKind{Group: "", Kind: "Namespace"}, "", false, false}}},
		{"cluster whitelist and blacklist of everything", map[string]any{
			"clusterResourceWhitelist": []groupKind{{Group: "*", Kind: "*"}}, "clusterResourceBlacklist": []groupKind{{Group: "*", Kind: "*"}},
		}, []check{{groupKind{Group: "", Kind: "Namespace"}, "", false, false}, {groupKind{Group: "apps", Kind: "Action"}, "", true, true}}},
		{"empty cluster whitelist, namespaced whitelist of everything", map[string]any{
			"clusterResourceWhitelist": []groupKind{}, "namespaceResourceWhitelist": []groupKind{{Group: "*", Kind: "*"}},
		}, []check{{groupKind{Group: "", Kind: "Namespace"}, "", false, false}, {groupKind{Group: "apps", Kind: "Action"}, "", true, true}}},
		{"empty spec", map[string]any{}, []check{{groupKind{Group: "", Kind: "Namespace"}, "", false, false}, {groupKind{Group: "apps", Kind: "Action"}, "", true, true}}},
		{"cluster whitelist by name", map[string]any{
			"clusterResourceWhitelist": []groupKind{{Group: "", Kind: "Namespace", Name: "team1-*"}},
		}, []check{{groupKind{Group: "", Kind: "Namespace"}, "other-namespace", false, false}, {groupKind{Group: "", Kind: "Namespace"}, "team1-namespace", false, true}}},
	}
	for _, c := range cases {
		for _, ch := range c.checks {
			// kind_why says why a kind is refused; undefined when it is
			// permitted.
			refused := p.defined("kind_why", c.spec, ch.gk.Group, ch.gk.Kind, ch.name, ch.namespaced)
			if refused == ch.permitted {
				t.Errorf("%s: %+v %q (namespaced %v): permitted = %v, ArgoCD says %v", c.name, ch.gk, ch.name, ch.namespaced, !refused, ch.permitted)
			}
		}
	}
}

func TestArgoCDGlobMatchCases(t *testing.T) {
	p := newPermissions(t)
	// TestGlobMatch, the cases a destination can meet: destinations are
	// matched with allowNegation (the cases without a leading ! mean the
	// same either way; those of "!foo" taken literally do not apply).
	for _, c := range []struct {
		pattern, val string
		want         bool
	}{
		{"foo", "foo", true},
		{"foo*", "foobar", true},
		{"foo*", "bar", false},
		{"*", "anything", true},
		{"!foo", "foo", false},
		{"!foo", "bar", true},
	} {
		if got := p.defined("glob_match", c.pattern, c.val); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v, ArgoCD says %v", c.pattern, c.val, got, c.want)
		}
	}
}

// randomPattern draws a short pattern over the characters that matter to
// the two glob syntaxes.
func randomPattern(r *rand.Rand, alphabet string) string {
	n := r.IntN(7)
	var b strings.Builder
	for range n {
		b.WriteByte(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

// TestFilepathMatchAgrees compares the Rego filepath.Match with Go's on
// generated patterns and values: ArgoCD matches the groups, kinds and
// names of resource lists with it.
func TestFilepathMatchAgrees(t *testing.T) {
	p := newPermissions(t)
	r := rand.New(rand.NewPCG(1, 2))
	for range 1500 {
		pattern := randomPattern(r, `ab-*?[]^\/`)
		value := randomPattern(r, `ab-^]/`)
		ok, err := filepath.Match(pattern, value)
		want := ok && err == nil
		if got := p.defined("fp_match", pattern, value); got != want {
			t.Errorf("filepath.Match(%q, %q) = %v, %v; the policy says %v", pattern, value, ok, err, got)
		}
	}
}

// TestGobwasGuard checks that the policy hands OPA's glob.match only
// patterns that compile (OPA would fail the evaluation on the others), and
// that for those it matches as the gobwas library does.
func TestGobwasGuard(t *testing.T) {
	p := newPermissions(t)
	r := rand.New(rand.NewPCG(3, 4))
	valid := 0
	for range 1500 {
		pattern := randomPattern(r, `ab-*?[]{},!\`)
		value := randomPattern(r, `ab-,!{}`)
		if !p.defined("gobwas_valid", pattern) {
			continue
		}
		g, err := glob.Compile(pattern)
		if err != nil {
			t.Errorf("the policy takes %q as well-formed, but gobwas does not compile it: %v", pattern, err)
			continue
		}
		valid++
		if got, want := p.defined("gobwas_match", pattern, value), g.Match(value); got != want {
			t.Errorf("gobwas %q on %q: %v, the policy says %v", pattern, value, want, got)
		}
	}
	if valid < 300 {
		t.Errorf("only %d generated patterns taken as well-formed: the guard refuses too much to be tested", valid)
	}
}
