package policy

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/topdown"

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

// TestRegoUnitTests runs the Rego unit tests (policies/*_test.rego) with the
// capabilities the engine allows and with built-in errors raised, as the
// engine evaluates with strict built-in errors: a policy that errors on some
// input fails here rather than in a user's CI.
func TestRegoUnitTests(t *testing.T) {
	modules := loadEmbeddedRego(t)
	compiler := ast.NewCompiler().
		WithCapabilities(Capabilities()).
		WithStrict(true).
		WithDefaultRegoVersion(ast.RegoV1)
	runner := tester.NewRunner().
		SetCompiler(compiler).
		SetModules(modules).
		SetDefaultRegoVersion(ast.RegoV1).
		RaiseBuiltinErrors(true).
		SetTimeout(30 * time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ch, err := runner.RunTests(ctx, nil)
	if err != nil {
		t.Fatalf("compiling the policies: %v", err)
	}
	var results []*tester.Result
	for r := range ch {
		results = append(results, r)
	}
	if len(results) == 0 {
		t.Fatal("no Rego test ran: policies/*_test.rego define no test_ rule")
	}
	slices.SortFunc(results, func(a, b *tester.Result) int {
		return strings.Compare(a.Package+"."+a.Name, b.Package+"."+b.Name)
	})

	passed := 0
	for _, r := range results {
		name := strings.TrimPrefix(r.Package, "data.") + "." + r.Name
		t.Run(name, func(t *testing.T) {
			switch {
			case r.Error != nil:
				t.Errorf("%s: %s errored: %v", r.Location, name, r.Error)
			case r.Fail:
				t.Errorf("%s: %s failed%s", r.Location, name, explainFailure(modules, r))
			case r.Skip:
				t.Skipf("%s: %s is skipped (todo_ prefix)", r.Location, name)
			default:
				passed++
			}
		})
	}
	t.Logf("%d of %d Rego tests passed", passed, len(results))
}

// explainFailure runs one failed test again with tracing and names the last
// expression of the test's own file that failed, which is usually the
// assertion that did not hold.
func explainFailure(modules map[string]*ast.Module, failed *tester.Result) string {
	if failed.Location == nil {
		return ""
	}
	runner := tester.NewRunner().
		SetCompiler(ast.NewCompiler().WithCapabilities(Capabilities()).WithDefaultRegoVersion(ast.RegoV1)).
		SetModules(modules).
		SetDefaultRegoVersion(ast.RegoV1).
		EnableTracing(true).
		Filter("^" + regexp.QuoteMeta(failed.Package+"."+failed.Name) + "$")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ch, err := runner.RunTests(ctx, nil)
	if err != nil {
		return ""
	}
	var last *topdown.Event
	for r := range ch {
		for _, e := range r.Trace {
			if e.Op == topdown.FailOp && e.Location != nil && e.Location.File == failed.Location.File {
				last = e
			}
		}
	}
	if last == nil {
		return ""
	}
	return fmt.Sprintf("\n\tlast failed expression at %s: %s", last.Location, last.Location.Text)
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
