package policy

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/limits"
)

// TestResult is the outcome of one Rego unit test (a test_ rule).
type TestResult struct {
	Name     string // package path without "data." plus the rule name
	Package  string // the test's package, without "data."
	Rule     string // the test rule's name
	Location string // file:line of the test rule
	File     string
	Line     int
	Column   int
	Passed   bool
	Skipped  bool
	Err      error
	// Failed explains a failure: the last failed expression of the test's
	// own file, found by re-running the test with tracing.
	Failed   string
	Duration time.Duration
}

// parseModules parses Rego v1 sources, test files included when tests is
// true. Parse errors carry file:line:col.
func parseModules(sources []config.Source, tests bool) (map[string]*ast.Module, error) {
	modules := map[string]*ast.Module{}
	var errs []string
	for _, s := range sources {
		if IsTest(s.Name) && !tests {
			continue
		}
		m, err := ast.ParseModuleWithOpts(s.Name, string(s.Data), ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		modules[s.Name] = m
	}
	if len(errs) > 0 {
		return nil, &config.Error{Msg: "policy: " + strings.Join(errs, "\n")}
	}
	return modules, nil
}

// TestOptions select the tests to run.
type TestOptions struct {
	// Run is a regular expression over a test's package and rule name
	// (data.<package>.<rule>), as opa test --run takes; empty runs all.
	Run string
}

// Test runs the unit tests of a set with the same sandbox as the engine:
// the same capabilities, built-in errors raised, a deadline; and the same
// separation: the built-in tests run against the built-in modules alone,
// the user's against their modules and the built-in helpers and fixtures.
func Test(ctx context.Context, set Set, opts TestOptions) ([]TestResult, error) {
	if _, err := regexp.Compile(opts.Run); err != nil {
		return nil, &config.Error{Msg: fmt.Sprintf("--run %q: %v", opts.Run, err)}
	}
	mods, err := split(set, true)
	if err != nil {
		return nil, err
	}
	out, err := runTests(ctx, mods.builtin, nil, opts)
	if err != nil {
		return nil, err
	}
	if len(mods.user) > 0 {
		// The helpers' fixtures (data.dorgu.lib_test) serve the user's
		// tests too; only the tests of the user's own packages run.
		all := mods.lib()
		maps.Copy(all, mods.user)
		user, err := runTests(ctx, all, mods.user, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, user...)
	}
	slices.SortFunc(out, func(a, b TestResult) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// runTests runs the tests of modules; with own, only those of own's
// packages.
func runTests(ctx context.Context, modules, own map[string]*ast.Module, opts TestOptions) ([]TestResult, error) {
	runner := tester.NewRunner().
		SetCompiler(newCompiler().WithStrict(true)).
		SetModules(modules).
		SetDefaultRegoVersion(ast.RegoV1).
		RaiseBuiltinErrors(true).
		Filter(opts.Run).
		SetTimeout(limits.From(ctx).PolicyTime)
	if own != nil {
		var pkgs []ast.Ref
		for _, m := range own {
			pkgs = append(pkgs, m.Package.Path)
		}
		runner.SetPrefixMatchers(pkgs...)
	}
	ch, err := runner.RunTests(ctx, nil)
	if err != nil {
		return nil, &config.Error{Msg: "policy: " + err.Error()}
	}
	var out []TestResult
	for r := range ch {
		tr := TestResult{
			Name:     strings.TrimPrefix(r.Package, "data.") + "." + r.Name,
			Package:  strings.TrimPrefix(r.Package, "data."),
			Rule:     r.Name,
			Passed:   r.Pass(),
			Skipped:  r.Skip,
			Err:      r.Error,
			Duration: r.Duration,
		}
		if r.Location != nil {
			tr.File, tr.Line, tr.Column = r.Location.File, r.Location.Row, r.Location.Col
			tr.Location = fmt.Sprintf("%s:%d", r.Location.File, r.Location.Row)
		}
		if r.Fail {
			tr.Failed = explainFailure(ctx, modules, r)
		}
		out = append(out, tr)
	}
	return out, nil
}

// explainFailure runs one failed test again with tracing and names the last
// expression of the test's own file that failed, which is usually the
// assertion that did not hold.
func explainFailure(ctx context.Context, modules map[string]*ast.Module, failed *tester.Result) string {
	if failed.Location == nil {
		return ""
	}
	runner := tester.NewRunner().
		SetCompiler(newCompiler()).
		SetModules(modules).
		SetDefaultRegoVersion(ast.RegoV1).
		EnableTracing(true).
		Filter("^" + regexp.QuoteMeta(failed.Package+"."+failed.Name) + "$")
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
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
	return fmt.Sprintf("%s: %s", last.Location, last.Location.Text)
}
