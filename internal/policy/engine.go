// Package policy runs the Rego policies over a scaffold. It knows documents
// and findings, not where the documents came from: render passes the planned
// files, vet the files read back from disk.
package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"golang.org/x/sync/errgroup"

	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/limits"
)

// Namespace is the Rego package every policy lives under.
const Namespace = "dorgu.policies"

// Document is one file as the policies see it.
type Document struct {
	Path        string `json:"path"`
	Kind        string `json:"kind"`
	Cluster     string `json:"cluster"`
	Component   string `json:"component"`
	Environment string `json:"environment"`
	Content     any    `json:"content"`
	// Object says which Kubernetes object a document of kind manifest is:
	// one that a component's chart renders for its cluster. Nil for the
	// scaffold's own files.
	Object *ObjectMeta `json:"object,omitempty"`
}

// KindManifest is the kind of a document that is an object a chart
// renders. Its path is the values file of the component in that cluster:
// the file a reviewer sees and the config's values change.
const KindManifest = "manifest"

// ObjectMeta identifies a rendered object, as the policies read it in
// input.files[_].object.
type ObjectMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	// Namespace is "" for a cluster-scoped object; a namespaced one
	// without a namespace has the Application's destination namespace,
	// as ArgoCD applies it.
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Source is the chart template it came from (helm template's
	// "# Source:" comment).
	Source string `json:"source"`
	// Hook is the helm.sh/hook annotation's value, "" for an object that
	// is not a hook. ArgoCD runs Helm hooks as sync hooks.
	Hook string `json:"hook"`
}

// Rule describes one policy, for output formats that list rules.
type Rule struct {
	ID          string
	Title       string
	Description string
}

// Engine holds the compiled policies. It is safe for concurrent use.
type Engine struct {
	// One prepared query per policy package, so that Check evaluates the
	// packages concurrently.
	queries []packageQuery
	rules   []ruleAt
}

// ruleAt is a rule and the module that declares it.
type ruleAt struct {
	file string
	rule Rule
}

type packageQuery struct {
	pkg   string // the package's name under Namespace
	query rego.PreparedEvalQuery
	// perCluster is true for a package whose rules relate files of one
	// cluster only (METADATA custom: {scope: cluster}): it is evaluated
	// once per cluster, on that cluster's files, which keeps a fleet's
	// evaluation small and parallel. Otherwise it sees every file.
	perCluster bool
	// kinds limits the files a repository-wide package sees (METADATA
	// custom: {kinds: [application, ...]}); empty means all.
	kinds []string
}

// MaxFindings bounds the findings of one package's evaluation: a policy
// that reports every pair of files by mistake must fail the run with a
// message, not print millions of lines into a CI log.
const MaxFindings = 100_000

// fixedNow is the time policies see: rendering is deterministic, so
// time.now_ns() must not make a finding come and go.
func fixedNow() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }

// Compile parses and compiles the policy modules once per run. Test modules
// (*_test.rego) are left out: they are for `dorgu-gen policy test`.
//
// The built-in modules and the user's are compiled by two compilers: the
// built-in policies are evaluated against a compiler that holds nothing of
// the user's, and the user's policies against one that holds only them and
// the built-in helpers (data.dorgu.lib), which they may import but, their
// packages being checked, never extend.
func Compile(ctx context.Context, set Set) (*Engine, error) {
	mods, err := split(set, false)
	if err != nil {
		return nil, err
	}
	e := &Engine{}
	if err := e.add(ctx, mods.builtin, mods.builtin); err != nil {
		return nil, err
	}
	if len(mods.user) > 0 {
		all := mods.lib()
		maps.Copy(all, mods.user)
		if err := e.add(ctx, all, mods.user); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(e.rules, func(a, b ruleAt) int { return strings.Compare(a.file, b.file) })
	return e, nil
}

// newCompiler returns a compiler with the sandbox's capabilities.
func newCompiler() *ast.Compiler {
	return ast.NewCompiler().
		WithCapabilities(Capabilities()).
		WithEnablePrintStatements(false).
		// METADATA schemas would make the type checker resolve their
		// $refs, file:// ones included.
		WithUseTypeCheckAnnotations(false).
		WithDefaultRegoVersion(ast.RegoV1)
}

// add compiles modules and prepares a query for every policy package of
// own, the modules whose rules the engine reports.
func (e *Engine) add(ctx context.Context, modules, own map[string]*ast.Module) error {
	if len(own) == 0 {
		return nil
	}
	compiler := newCompiler()
	compiler.Compile(modules)
	if compiler.Failed() {
		return &config.Error{Msg: "policy: " + compiler.Errors.Error()}
	}
	pkgs := map[string]bool{}
	scopes := map[string]packageQuery{}
	for _, m := range own {
		if pkg, ok := policyPackage(m); ok {
			pkgs[pkg] = true
			if q, ok := scopeOf(m); ok {
				scopes[pkg] = q
			}
		}
	}
	for _, pkg := range slices.Sorted(maps.Keys(pkgs)) {
		r := rego.New(
			rego.Query("data."+Namespace+"."+pkg),
			rego.Compiler(compiler),
			rego.StrictBuiltinErrors(true),
		)
		pq, err := r.PrepareForEval(ctx)
		if err != nil {
			return &config.Error{Msg: "policy: " + err.Error()}
		}
		q := scopes[pkg]
		q.pkg, q.query = pkg, pq
		e.queries = append(e.queries, q)
	}
	for name, m := range own {
		if r, ok := ruleOf(m); ok {
			e.rules = append(e.rules, ruleAt{name, r})
		}
	}
	return nil
}

// zeroes is the random source policies see: rand.intn gives the same
// answer on every run.
type zeroes struct{}

func (zeroes) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// IsTest reports whether a module name is a Rego unit test file.
func IsTest(name string) bool { return strings.HasSuffix(name, "_test.rego") }

// Rules lists the compiled policies.
func (e *Engine) Rules() []Rule {
	out := make([]Rule, len(e.rules))
	for i, r := range e.rules {
		out[i] = r.rule
	}
	return out
}

// policyPackage returns the name of a policy module's package directly
// under Namespace.
func policyPackage(m *ast.Module) (string, bool) {
	prefix := "data." + Namespace + "."
	path := m.Package.Path.String()
	if !strings.HasPrefix(path, prefix) {
		return "", false
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(path, prefix), ".")
	return name, true
}

// scopeOf reads the scope a policy package declares in its METADATA.
func scopeOf(m *ast.Module) (packageQuery, bool) {
	for _, a := range m.Annotations {
		if a.Scope != "package" || a.Custom == nil {
			continue
		}
		q := packageQuery{perCluster: a.Custom["scope"] == "cluster"}
		if kinds, ok := a.Custom["kinds"].([]any); ok {
			for _, k := range kinds {
				if s, ok := k.(string); ok {
					q.kinds = append(q.kinds, s)
				}
			}
		}
		return q, true
	}
	return packageQuery{}, false
}

func ruleOf(m *ast.Module) (Rule, bool) {
	path := m.Package.Path.String()
	prefix := "data." + Namespace + "."
	if !strings.HasPrefix(path, prefix) {
		return Rule{}, false
	}
	r := Rule{ID: ruleID(strings.TrimPrefix(path, prefix))}
	for _, a := range m.Annotations {
		if a.Scope == "package" {
			r.Title, r.Description = a.Title, a.Description
		}
	}
	return r, true
}

func ruleID(pkg string) string { return strings.ReplaceAll(pkg, "_", "-") }

// Check evaluates every policy over docs, which form one scaffold.
func (e *Engine) Check(ctx context.Context, docs []Document) ([]finding.Finding, error) {
	byPath := make(map[string]Document, len(docs))
	groups := map[string][]Document{}
	for _, d := range docs {
		byPath[d.Path] = d
		groups[d.Cluster] = append(groups[d.Cluster], d)
	}
	var perCluster, repoWide []packageQuery
	for _, q := range e.queries {
		if q.perCluster {
			perCluster = append(perCluster, q)
		} else {
			repoWide = append(repoWide, q)
		}
	}
	// The units of work: every repository-wide package on the files it
	// reads, and the per-cluster packages on each cluster's files. Each
	// unit builds its own input and drops it when done, so that a fleet's
	// documents never all sit in OPA's form at once.
	type unit struct {
		queries []packageQuery
		docs    []Document
	}
	var units []unit
	for _, q := range repoWide {
		units = append(units, unit{[]packageQuery{q}, ofKinds(docs, q.kinds)})
	}
	if len(perCluster) > 0 {
		for _, c := range slices.Sorted(maps.Keys(groups)) {
			units = append(units, unit{perCluster, groups[c]})
		}
	}
	limit := limits.From(ctx)
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, limit.PolicyTime)
	defer cancel()
	// Units are independent: evaluate them concurrently, and merge the
	// results in unit order so that nothing depends on scheduling.
	results := make([][]finding.Finding, len(units))
	errs := make([]error, len(units))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	evaluate := func(u unit) ([]finding.Finding, error) {
		input, err := inputOf(u.docs)
		if err != nil {
			return nil, err
		}
		var out []finding.Finding
		for _, q := range u.queries {
			fs, err := q.check(ctx, input, byPath)
			if err != nil {
				return nil, err
			}
			out = append(out, fs...)
		}
		return out, nil
	}
	for i, u := range units {
		g.Go(func() error {
			results[i], errs[i] = evaluate(u)
			return nil
		})
	}
	_ = g.Wait() // the errors are in errs, reported in unit order
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && parent.Err() == nil {
		return nil, limit.PolicyTimeError()
	}
	var out []finding.Finding
	for i := range units {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, results[i]...)
	}
	finding.Sort(out)
	return out, nil
}

// ofKinds returns the documents of the given kinds; all without kinds.
func ofKinds(docs []Document, kinds []string) []Document {
	if len(kinds) == 0 {
		return docs
	}
	var out []Document
	for _, d := range docs {
		if slices.Contains(kinds, d.Kind) {
			out = append(out, d)
		}
	}
	return out
}

// inputOf builds the policies' input: {"files": [...]}.
func inputOf(docs []Document) (ast.Value, error) {
	files := make([]*ast.Term, len(docs))
	for i, d := range docs {
		content, err := contentValue(d.Content)
		if err != nil {
			return nil, fmt.Errorf("policy input %s: %w", d.Path, err)
		}
		files[i] = ast.ObjectTerm(
			ast.Item(ast.InternedTerm("path"), ast.StringTerm(d.Path)),
			ast.Item(ast.InternedTerm("kind"), ast.StringTerm(d.Kind)),
			ast.Item(ast.InternedTerm("cluster"), ast.StringTerm(d.Cluster)),
			ast.Item(ast.InternedTerm("component"), ast.StringTerm(d.Component)),
			ast.Item(ast.InternedTerm("environment"), ast.StringTerm(d.Environment)),
			ast.Item(ast.InternedTerm("content"), ast.NewTerm(content)),
		)
		if o := d.Object; o != nil {
			files[i].Value.(ast.Object).Insert(ast.InternedTerm("object"), ast.ObjectTerm(
				ast.Item(ast.InternedTerm("apiVersion"), ast.StringTerm(o.APIVersion)),
				ast.Item(ast.InternedTerm("kind"), ast.StringTerm(o.Kind)),
				ast.Item(ast.InternedTerm("namespace"), ast.StringTerm(o.Namespace)),
				ast.Item(ast.InternedTerm("name"), ast.StringTerm(o.Name)),
				ast.Item(ast.InternedTerm("source"), ast.StringTerm(o.Source)),
				ast.Item(ast.InternedTerm("hook"), ast.StringTerm(o.Hook)),
			))
		}
	}
	return ast.NewObject(ast.Item(ast.InternedTerm("files"), ast.ArrayTerm(files...))), nil
}

// contentValue converts a document for the policies: rendered documents
// come as JSON, documents read from disk as decoded YAML.
func contentValue(c any) (ast.Value, error) {
	if raw, ok := c.(json.RawMessage); ok {
		return ast.ValueFromReader(bytes.NewReader(raw))
	}
	return ast.InterfaceToValue(c)
}

// check evaluates one package's deny, warn and note rules.
func (q packageQuery) check(ctx context.Context, input ast.Value, byPath map[string]Document) ([]finding.Finding, error) {
	rs, err := q.query.Eval(ctx,
		rego.EvalParsedInput(input),
		rego.EvalTime(fixedNow()),
		rego.EvalSeed(zeroes{}),
	)
	if err != nil {
		return nil, &config.Error{Msg: "policy evaluation failed: " + err.Error()}
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, nil
	}
	rules, _ := rs[0].Expressions[0].Value.(map[string]any)
	var out []finding.Finding
	for _, kind := range []string{"deny", "warn", "note"} {
		set, _ := rules[kind].([]any)
		if len(out)+len(set) > MaxFindings {
			return nil, &config.Error{Msg: fmt.Sprintf("policy %s: more than %d findings in one evaluation, the limit; a rule probably reports every combination of files", ruleID(q.pkg), MaxFindings)}
		}
		for _, raw := range set {
			f, err := decode(raw, ruleID(q.pkg), kind)
			if err != nil {
				return nil, err
			}
			if d, ok := byPath[f.File]; ok {
				f.Cluster, f.Component, f.Environment = d.Cluster, d.Component, d.Environment
			}
			out = append(out, f)
		}
	}
	return out, nil
}

func decode(raw any, rule, kind string) (finding.Finding, error) {
	f := finding.Finding{Rule: rule, Kind: finding.KindPolicy, Severity: finding.Error}
	switch kind {
	case "warn":
		f.Severity = finding.Warning
	case "note":
		f.Severity = finding.Note
	}
	switch v := raw.(type) {
	case string:
		// conftest-style policies report a bare message.
		f.Message = v
	case map[string]any:
		f.Message, _ = v["msg"].(string)
		f.Hint, _ = v["hint"].(string)
		f.File, _ = v["path"].(string)
		f.Field, _ = v["field"].([]any)
	default:
		return f, &config.Error{Msg: fmt.Sprintf("policy %s: %s must produce strings or objects with msg, got %T", rule, kind, raw)}
	}
	if f.Message == "" {
		return f, &config.Error{Msg: fmt.Sprintf("policy %s: a %s result has no msg", rule, kind)}
	}
	return f, nil
}
