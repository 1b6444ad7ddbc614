package policy

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/dorgu/dorgu-gen/internal/config"
)

// TestResult is the outcome of one Rego unit test (a test_ rule).
type TestResult struct {
	Name     string // package path without "data." plus the rule name
	Location string // file:line of the test rule
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

// Test runs the unit tests among sources with the same sandbox as the
// engine: the same capabilities, built-in errors raised, a deadline.
func Test(ctx context.Context, sources []config.Source) ([]TestResult, error) {
	modules, err := parseModules(sources, true)
	if err != nil {
		return nil, err
	}
	runner := tester.NewRunner().
		SetCompiler(ast.NewCompiler().WithCapabilities(Capabilities()).WithStrict(true).WithDefaultRegoVersion(ast.RegoV1)).
		SetModules(modules).
		SetDefaultRegoVersion(ast.RegoV1).
		RaiseBuiltinErrors(true).
		SetTimeout(evalTimeout)
	ch, err := runner.RunTests(ctx, nil)
	if err != nil {
		return nil, &config.Error{Msg: "policy: " + err.Error()}
	}
	var out []TestResult
	for r := range ch {
		tr := TestResult{
			Name:     strings.TrimPrefix(r.Package, "data.") + "." + r.Name,
			Passed:   r.Pass(),
			Skipped:  r.Skip,
			Err:      r.Error,
			Duration: r.Duration,
		}
		if r.Location != nil {
			tr.Location = fmt.Sprintf("%s:%d", r.Location.File, r.Location.Row)
		}
		if r.Fail {
			tr.Failed = explainFailure(ctx, modules, r)
		}
		out = append(out, tr)
	}
	slices.SortFunc(out, func(a, b TestResult) int { return strings.Compare(a.Name, b.Name) })
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
		SetCompiler(ast.NewCompiler().WithCapabilities(Capabilities()).WithDefaultRegoVersion(ast.RegoV1)).
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
