package policy

import (
	"context"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	dorgugen "github.com/dorgu/dorgu-gen"
)

// regoDir is where the embedded Rego modules live.
const regoDir = "policies"

// regoLibPackage is the shared helper module: not a policy, no rule of its own.
const regoLibPackage = "data.dorgu.lib"

// loadRego parses every .rego file embedded under policies/, tests included,
// keyed by file name.
func loadEmbeddedRego(t *testing.T) map[string]*ast.Module {
	t.Helper()
	fsys := dorgugen.Defaults()
	names, err := fs.Glob(fsys, regoDir+"/*.rego")
	if err != nil {
		t.Fatalf("listing %s: %v", regoDir, err)
	}
	if len(names) == 0 {
		t.Fatalf("no .rego file embedded under %s/", regoDir)
	}
	modules := make(map[string]*ast.Module, len(names))
	for _, name := range names {
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			t.Fatalf("reading %s: %v", name, err)
		}
		m, err := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{
			RegoVersion:       ast.RegoV1,
			ProcessAnnotation: true,
		})
		if err != nil {
			t.Fatalf("parsing %s: %v", name, err)
		}
		modules[name] = m
	}
	return modules
}

// TestRegoUnitTests runs the Rego unit tests (policies/*_test.rego) through
// Test, the runner behind `dorgu-gen policy test`: the capabilities the
// engine allows, built-in errors raised. A policy that errors on some input
// fails here rather than in a user's CI.
func TestRegoUnitTests(t *testing.T) {
	sources, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	results, err := Test(ctx, Set{Sources: sources}, TestOptions{})
	if err != nil {
		t.Fatalf("compiling the policies: %v", err)
	}
	if len(results) == 0 {
		t.Fatal("no Rego test ran: policies/*_test.rego define no test_ rule")
	}
	passed := 0
	for _, r := range results {
		t.Run(r.Name, func(t *testing.T) {
			switch {
			case r.Err != nil:
				t.Errorf("%s: %s errored: %v", r.Location, r.Name, r.Err)
			case r.Skipped:
				t.Skipf("%s: %s is skipped (todo_ prefix)", r.Location, r.Name)
			case !r.Passed:
				t.Errorf("%s: %s failed; last failed expression at %s", r.Location, r.Name, r.Failed)
			default:
				passed++
			}
		})
	}
	t.Logf("%d of %d Rego tests passed", passed, len(results))
}

// TestEveryPolicyHasTests checks the contract the engine and the SARIF output
// rely on, and that no policy rule goes untested: every policy module is
// policies/<name>.rego with package dorgu.policies.<name>, a METADATA title
// and description on the package, at least one deny or warn rule, and a
// policies/<name>_test.rego whose tests refer to each of those rules.
func TestEveryPolicyHasTests(t *testing.T) {
	modules := loadEmbeddedRego(t)

	// Compile to resolve imports, so that a test's `policy.deny` is seen as
	// data.dorgu.policies.<name>.deny.
	compiler := ast.NewCompiler().
		WithCapabilities(Capabilities()).
		WithDefaultRegoVersion(ast.RegoV1)
	compiler.Compile(modules)
	if compiler.Failed() {
		t.Fatalf("compiling the policies: %v", compiler.Errors)
	}

	policies := 0
	for _, file := range slices.Sorted(maps.Keys(modules)) {
		if IsTest(file) {
			continue
		}
		m := modules[file]
		pkg := m.Package.Path.String()
		if pkg == regoLibPackage {
			continue
		}
		policies++
		stem := strings.TrimSuffix(path.Base(file), ".rego")
		t.Run(stem, func(t *testing.T) {
			if want := "data." + Namespace + "." + stem; pkg != want {
				t.Errorf("%s: package is %s, want %s", file, strings.TrimPrefix(pkg, "data."), strings.TrimPrefix(want, "data."))
			}
			checkPolicyMetadata(t, file, m)

			rules := map[string]bool{} // deny/warn rule -> tested
			for _, r := range m.Rules {
				if name := regoRuleName(r); name == "deny" || name == "warn" {
					rules[name] = false
				}
			}
			if len(rules) == 0 {
				t.Errorf("%s: no deny or warn rule", file)
			}

			testFile := path.Join(regoDir, stem+"_test.rego")
			tm, ok := compiler.Modules[testFile]
			if !ok {
				t.Fatalf("%s has no unit tests: %s is missing", file, testFile)
			}
			if got, want := tm.Package.Path.String(), "data."+Namespace+"."+stem+"_test"; got != want {
				t.Errorf("%s: package is %s, want %s", testFile, strings.TrimPrefix(got, "data."), strings.TrimPrefix(want, "data."))
			}
			tests := 0
			for _, r := range tm.Rules {
				if !strings.HasPrefix(regoRuleName(r), "test_") {
					continue
				}
				tests++
				ast.WalkRefs(r, func(ref ast.Ref) bool {
					for name := range rules {
						target := ast.MustParseRef("data." + Namespace + "." + stem + "." + name)
						if ref.HasPrefix(target) {
							rules[name] = true
						}
					}
					return false
				})
			}
			if tests == 0 {
				t.Errorf("%s: no test_ rule", testFile)
			}
			for _, name := range slices.Sorted(maps.Keys(rules)) {
				if !rules[name] {
					t.Errorf("%s: no test refers to %s.%s", testFile, stem, name)
				}
			}
		})
	}
	if policies == 0 {
		t.Fatal("no policy module under policies/")
	}
}

// checkMetadata requires the package METADATA block that gives a rule its
// title and description (SARIF rule descriptions, `dorgu-gen policy list`).
func checkPolicyMetadata(t *testing.T, file string, m *ast.Module) {
	t.Helper()
	for _, a := range m.Annotations {
		if a.Scope != "package" {
			continue
		}
		if strings.TrimSpace(a.Title) == "" {
			t.Errorf("%s: the package METADATA has no title", file)
		}
		if strings.TrimSpace(a.Description) == "" {
			t.Errorf("%s: the package METADATA has no description", file)
		}
		return
	}
	t.Errorf("%s: no # METADATA block (with title and description) on the package", file)
}

// ruleName is the first segment of a rule's head: deny for `deny contains f`.
func regoRuleName(r *ast.Rule) string {
	ref := r.Head.Ref()
	if len(ref) == 0 {
		return ""
	}
	if v, ok := ref[0].Value.(ast.Var); ok {
		return string(v)
	}
	return ""
}

// TestNoRuleShadowsABuiltin: a rule named like a built-in function or its
// namespace (a rule `semver` hides semver.is_valid and semver.compare in
// its package) makes the package's calls mean something else than they
// read.
func TestNoRuleShadowsABuiltin(t *testing.T) {
	builtins := map[string]bool{}
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		name, _, _ := strings.Cut(b.Name, ".")
		builtins[name] = true
	}
	modules := loadEmbeddedRego(t)
	for _, file := range slices.Sorted(maps.Keys(modules)) {
		for _, r := range modules[file].Rules {
			if name := regoRuleName(r); builtins[name] {
				t.Errorf("%s:%d: rule %s shadows OPA's built-in %s", file, r.Location.Row, name, name)
			}
		}
	}
}
