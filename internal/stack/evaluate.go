package stack

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"

	"github.com/dorgu/dorgu-gen/internal/config"
)

// chartSourceRE is schema/stack.cue's #ChartSource, for the message that
// names a mirror's key: CUE only says that the field is not allowed.
var chartSourceRE = regexp.MustCompile(`^(https?|oci)://[^/?#\s]+(/[^?#\s]*)?$`)

// topLevel lists the fields a config may declare; anything else is almost
// always a typo (`cluster:` for `clusters:`) that CUE alone would accept.
var topLevel = []string{"chartMirrors", "clusters", "components", "environments", "promotion", "providers", "repo", "waivers"}

// Evaluate evaluates cfg's sources. Errors are CUE errors carrying the
// positions of the offending fields.
func Evaluate(cfg *config.Config) (*Stack, error) {
	e, repo, err := load(cfg, true)
	if err != nil {
		return nil, err
	}
	s := &Stack{Repo: repo, MultiCluster: len(e.clusters) > 1, Subset: len(e.selected) < len(e.clusters)}
	if s.Waivers, err = e.waivers(); err != nil {
		return nil, err
	}
	if err := lookup(e.root, "chartMirrors").Decode(&s.ChartMirrors); err != nil && lookup(e.root, "chartMirrors").Exists() {
		return nil, err
	}
	s.Selected = e.selected
	// Every cluster is evaluated, even with --cluster: policies that
	// compare clusters (promotion, unique names) need them all; only the
	// selected ones are written.
	if s.Clusters, err = e.clusterPool(cfg); err != nil {
		return nil, err
	}
	return s, nil
}

// clusterPool evaluates every cluster. Clusters are independent, so they
// are spread over a bounded pool of workers; a CUE context is not safe for
// concurrent use, so each extra worker loads the sources into its own. The
// result is in name order whatever the scheduling, and so is the error
// reported: the first cluster's, in name order.
func (e *evaluator) clusterPool(cfg *config.Config) ([]*Cluster, error) {
	names := slices.Sorted(maps.Keys(e.clusters))
	out := make([]*Cluster, len(names))
	errs := make([]error, len(names))
	// Another worker costs a load of the sources (tens of milliseconds);
	// below a few clusters per worker it does not pay.
	workers := max(1, min(runtime.GOMAXPROCS(0), len(names)/clustersPerWorker))
	var next atomic.Int64
	var wg sync.WaitGroup
	var loadErr error
	var loadOnce sync.Once
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev := e
			if w > 0 {
				var err error
				if ev, _, err = load(cfg, false); err != nil {
					loadOnce.Do(func() { loadErr = err })
					return
				}
			}
			for {
				i := int(next.Add(1) - 1)
				if i >= len(names) {
					return
				}
				out[i], errs[i] = ev.cluster(names[i])
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if loadErr != nil {
		return nil, loadErr
	}
	return out, nil
}

// clustersPerWorker is how many clusters justify a worker of their own.
const clustersPerWorker = 4

// load parses and builds the sources, fills in the repository and runs the
// checks that need no cluster evaluated: everything Evaluate and Catalog
// share.
func load(cfg *config.Config, validate bool) (*evaluator, Repo, error) {
	files, err := parse(cfg.CUE)
	if err != nil {
		return nil, Repo{}, err
	}
	// A fresh context per evaluation: contexts are not safe for concurrent
	// use and keep every value they ever built alive.
	ctx := cuecontext.New()
	inst := build.NewContext().NewInstance("", nil)
	for _, f := range files {
		if err := inst.AddSyntax(f); err != nil {
			return nil, Repo{}, err
		}
	}
	root := ctx.BuildInstance(inst)
	e := &evaluator{root: root, cfg: cfg, args: ctx.CompileString("{}")}
	// The schema catches these too, but reports them at its own constraint
	// in the embedded files; report them at the user's field first.
	if err := e.precheck(); err != nil {
		return nil, Repo{}, err
	}
	if err := root.Err(); err != nil {
		return nil, Repo{}, err
	}
	repo, err := e.repo()
	if err != nil {
		return nil, Repo{}, err
	}
	e.repoURL = repo.URL
	e.args = e.args.FillPath(cue.MakePath(cue.Def("#repo")), map[string]string{"url": repo.URL, "revision": repo.Revision})
	if err := e.check(); err != nil {
		return nil, Repo{}, err
	}
	if !validate {
		// Another worker's load of the same sources validated them.
		return e, repo, nil
	}
	if err := e.root.Validate(); err != nil {
		return nil, Repo{}, err
	}
	if err := e.root.LookupPath(cue.ParsePath("clusters")).Validate(cue.Concrete(true)); err != nil {
		return nil, Repo{}, err
	}
	return e, repo, nil
}

// parse parses every source, naming files without a package clause as part
// of package dorgu so that a bare config file just works.
func parse(srcs []config.Source) ([]*ast.File, error) {
	var errs cueerrors.Error
	var files []*ast.File
	for _, s := range srcs {
		f, err := parser.ParseFile(s.Name, s.Data, parser.ParseComments)
		if err != nil {
			errs = cueerrors.Append(errs, cueerrors.Promote(err, ""))
			continue
		}
		switch name := f.PackageName(); name {
		case "":
			f.Decls = append([]ast.Decl{&ast.Package{Name: ast.NewIdent("dorgu")}}, f.Decls...)
		case "dorgu":
		default:
			pkg := f.Decls[slices.IndexFunc(f.Decls, func(d ast.Decl) bool { _, ok := d.(*ast.Package); return ok })]
			errs = cueerrors.Append(errs, cueerrors.Newf(pkg.Pos(), "package %s: config files belong to package dorgu (or have no package clause)", name))
			continue
		}
		files = append(files, f)
	}
	if errs != nil {
		return nil, errs
	}
	return files, nil
}

type evaluator struct {
	root cue.Value
	cfg  *config.Config

	components map[string]*componentInfo
	deps       map[string][]string
	clusters   map[string]cue.Value
	selected   []string
	repoURL    string
	// args is an empty struct of the evaluator's context, on which the
	// arguments of a unification are filled in: cheap, unlike filling them
	// into the value being evaluated.
	args cue.Value
}

type componentInfo struct {
	v                cue.Value
	required         bool
	enabledByDefault bool
	providesArgoCD   bool
}

// managed reports whether a cluster is managed by a hub's ArgoCD.
func managed(cv cue.Value) bool { return lookup(cv, "managedBy").Exists() }

// requiredIn reports whether a component is required in a cluster: the
// ArgoCD component is, only where ArgoCD runs.
func (c *componentInfo) requiredIn(cv cue.Value) bool {
	return c.required && !(c.providesArgoCD && managed(cv))
}

// enabledIn reports whether a component runs in a cluster.
func (c *componentInfo) enabledIn(cv cue.Value, name string) bool {
	on := c.enabledByDefault && !(c.providesArgoCD && managed(cv))
	if b, err := lookup(cv, "components", name, "enabled").Bool(); err == nil {
		on = b
	}
	return on || c.requiredIn(cv)
}

func lookup(v cue.Value, path ...string) cue.Value {
	sels := make([]cue.Selector, len(path))
	for i, p := range path {
		if strings.HasPrefix(p, "#") {
			sels[i] = cue.Def(p)
		} else {
			sels[i] = cue.Str(p)
		}
	}
	return v.LookupPath(cue.MakePath(sels...))
}

// fields lists the regular fields of a struct value in order.
func fields(v cue.Value) []cue.Value {
	it, err := v.Fields()
	if err != nil {
		return nil
	}
	var out []cue.Value
	for it.Next() {
		out = append(out, it.Value())
	}
	return out
}

func label(v cue.Value) string {
	s, _ := v.Label()
	return s
}

// userPos returns where the user wrote v: the position of its first
// conjunct outside the embedded files, falling back to any position. A field
// that a schema pattern also constrains would otherwise point at the schema.
func userPos(v cue.Value) token.Pos {
	var found token.Pos
	var walk func(cue.Value)
	walk = func(v cue.Value) {
		if found.IsValid() {
			return
		}
		op, args := v.Expr()
		if op == cue.AndOp && len(args) > 1 {
			for _, a := range args {
				walk(a)
			}
			return
		}
		if p := v.Pos(); p.IsValid() && !config.IsEmbedded(p.Filename()) {
			found = p
		}
	}
	walk(v)
	if found.IsValid() {
		return found
	}
	return v.Pos()
}

func errorf(pos token.Pos, format string, args ...any) cueerrors.Error {
	return cueerrors.Newf(pos, format, args...)
}

// precheck reports the mistakes that the schema rejects with a message that
// names only the schema's constraint: names that are not DNS-1123 labels and
// a repo that is not a Git URL. It runs before the instance's own error,
// which would otherwise be the first and only thing printed.
func (e *evaluator) precheck() error {
	var errs cueerrors.Error
	add := func(err cueerrors.Error) { errs = cueerrors.Append(errs, err) }
	for _, c := range fields(lookup(e.root, "components")) {
		if name := label(c); !config.ValidName(name) {
			add(errorf(userPos(c), "component name %q is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters); it becomes a file name and part of the Application name", name))
		}
	}
	for _, c := range fields(lookup(e.root, "clusters")) {
		if name := label(c); !config.ValidName(name) {
			add(errorf(userPos(c), "cluster name %q is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters); it becomes a directory name and part of every Application name", name))
		}
	}
	add(precheckWaivers(e.root))
	for _, m := range fields(lookup(e.root, "chartMirrors")) {
		if from := label(m); !chartSourceRE.MatchString(from) {
			add(errorf(userPos(m), "chartMirrors: %q is not a chart repository URL; a mirror maps an https://, http:// or oci:// URL (or a prefix of one) to another", from))
		}
	}
	repo := lookup(e.root, "repo")
	if s, pos, ok := userString(lookup(repo, "url")); ok && !validRepoURL(s) {
		add(errorf(pos, "repo.url %q: expected an https://, ssh:// or git@ Git URL", s))
	}
	if s, pos, ok := userString(lookup(repo, "revision")); ok && s == "" {
		add(errorf(pos, "repo.revision: empty; name the branch, tag or commit the Applications track (default \"main\")"))
	}
	return errs
}

// userString returns the string the user wrote for v, even when v is an
// error because that string fails a constraint of the schema.
func userString(v cue.Value) (string, token.Pos, bool) {
	var walk func(cue.Value) (string, token.Pos, bool)
	walk = func(v cue.Value) (string, token.Pos, bool) {
		op, args := v.Expr()
		if op == cue.AndOp && len(args) > 1 {
			for _, a := range args {
				if s, p, ok := walk(a); ok {
					return s, p, ok
				}
			}
			return "", token.NoPos, false
		}
		p := v.Pos()
		if !p.IsValid() || config.IsEmbedded(p.Filename()) {
			return "", token.NoPos, false
		}
		s, err := v.String()
		return s, p, err == nil
	}
	if !v.Exists() {
		return "", token.NoPos, false
	}
	return walk(v)
}

// missing lists the leaves of v that have no concrete value (and no
// default), as dotted paths relative to v. Fields whose value is an error
// are left to CUE's own message.
func missing(v cue.Value, prefix string) []string {
	d, _ := v.Default()
	if d.IncompleteKind() == cue.StructKind {
		var out []string
		it, err := d.Fields()
		if err != nil {
			return nil
		}
		for it.Next() {
			out = append(out, missing(it.Value(), prefix+it.Selector().String()+".")...)
		}
		return out
	}
	if !d.IsConcrete() {
		return []string{strings.TrimSuffix(prefix, ".")}
	}
	return nil
}

// check finds the mistakes whose CUE error would be obscure (an undefined
// field deep inside the schema) and reports them at the user's own field.
func (e *evaluator) check() error {
	var errs cueerrors.Error
	add := func(err cueerrors.Error) { errs = cueerrors.Append(errs, err) }

	for _, f := range fields(e.root) {
		name := label(f)
		if !slices.Contains(topLevel, name) {
			msg := fmt.Sprintf("unknown top-level field %q (a config sets %s)", name, strings.Join(topLevel, ", "))
			if s := suggest(name, topLevel); s != "" {
				msg = fmt.Sprintf("unknown top-level field %q; did you mean %q?", name, s)
			}
			add(errorf(userPos(f), "%s", msg))
		}
	}

	environments := labels(lookup(e.root, "environments"))
	providers := labels(lookup(e.root, "providers"))

	e.components = map[string]*componentInfo{}
	e.deps = map[string][]string{}
	for _, c := range fields(lookup(e.root, "components")) {
		name := label(c)
		if !config.ValidName(name) {
			continue // reported by precheck
		}
		var req []string
		for _, f := range []string{"description", "chart.repoURL", "chart.name", "chart.version"} {
			if len(missing(c.LookupPath(cue.ParsePath(f)), "")) > 0 {
				req = append(req, f)
			}
		}
		{
			if len(req) > 0 {
				add(errorf(userPos(c), "components.%s: %s %s required (a component declares description and chart: {repoURL, name, version})", name, strings.Join(req, ", "), plural(len(req), "is", "are")))
				continue
			}
		}
		info := &componentInfo{v: c}
		info.required, _ = lookup(c, "#effective", "required").Bool()
		info.enabledByDefault, _ = lookup(c, "#effective", "enabledByDefault").Bool()
		info.providesArgoCD, _ = lookup(c, "#effective", "providesArgoCD").Bool()
		e.components[name] = info
		deps := lookup(c, "dependsOn")
		var ds []string
		if err := deps.Decode(&ds); err != nil {
			add(errorf(deps.Pos(), "components.%s.dependsOn must be a list of component names", name))
			continue
		}
		e.deps[name] = ds
	}
	for _, name := range slices.Sorted(maps.Keys(e.deps)) {
		for i, d := range e.deps[name] {
			if _, ok := e.components[d]; !ok {
				pos := userPos(lookup(e.components[name].v, "dependsOn").LookupPath(cue.MakePath(cue.Index(i))))
				add(errorf(pos, "components.%s.dependsOn: unknown component %q%s", name, d, known(d, slices.Sorted(maps.Keys(e.components)))))
			}
		}
	}
	if errs == nil {
		if cyc := findCycle(e.deps); cyc != nil {
			pos := userPos(lookup(e.components[cyc[0]].v, "dependsOn"))
			add(errorf(pos, "dependsOn cycle: %s; sync waves need an order, so one of these dependencies must go", cycleString(cyc)))
		}
	}

	e.clusters = map[string]cue.Value{}
	clusters := fields(lookup(e.root, "clusters"))
	if len(clusters) == 0 {
		add(errorf(token.NoPos, "%s declares no clusters; add one, for example:\n\n\tclusters: \"dev\": environment: \"development\"", e.cfg.Origin))
	}
	for _, c := range clusters {
		name := label(c)
		if !config.ValidName(name) {
			continue // reported by precheck
		}
		e.clusters[name] = c
		env := lookup(c, "environment")
		if s, err := env.String(); err != nil {
			if p := userPos(env); env.Exists() && p.IsValid() && !config.IsEmbedded(p.Filename()) {
				add(errorf(p, "clusters.%s.environment: not a single environment name; set one of %s", name, strings.Join(environments, ", ")))
			} else {
				add(errorf(userPos(c), "clusters.%s: environment is required (one of %s)", name, strings.Join(environments, ", ")))
			}
		} else if !slices.Contains(environments, s) {
			if userPos(env).Filename() == config.FlagsSource {
				add(errorf(token.NoPos, "--environment %q: unknown environment%s", s, known(s, environments)))
			} else {
				add(errorf(userPos(env), "clusters.%s.environment: unknown environment %q%s", name, s, known(s, environments)))
			}
		} else if m := missing(lookup(c, "settings"), ""); len(m) > 0 {
			// An environment the config adds must set every setting, or
			// every cluster of it must.
			pos := userPos(lookup(e.root, "environments", s))
			if config.IsEmbedded(pos.Filename()) {
				pos = userPos(c)
			}
			add(errorf(pos, "clusters.%s.settings: %s %s no value: environment %q does not set %s; set %s in environments.%s or in clusters.%s.settings", name, strings.Join(m, ", "), plural(len(m), "has", "have"), s, plural(len(m), "it", "them"), plural(len(m), "it", "them"), s, name))
		}
		dest := lookup(c, "destination")
		if lookup(dest, "server").Exists() && lookup(dest, "name").Exists() {
			add(errorf(userPos(lookup(dest, "name")), "clusters.%s.destination: set server or name, not both; ArgoCD identifies a cluster by one of them", name))
		}
		prov := lookup(c, "provider")
		if s, err := prov.String(); err == nil && !slices.Contains(providers, s) {
			add(errorf(userPos(prov), "clusters.%s.provider: unknown provider %q%s", name, s, known(s, providers)))
		}
		for _, o := range fields(lookup(c, "components")) {
			cn := label(o)
			info, ok := e.components[cn]
			if !ok {
				add(errorf(userPos(o), "clusters.%s.components: unknown component %q%s", name, cn, known(cn, slices.Sorted(maps.Keys(e.components)))))
				continue
			}
			if en, err := lookup(o, "enabled").Bool(); err == nil && !en && info.requiredIn(c) {
				add(errorf(userPos(lookup(o, "enabled")), "clusters.%s.components.%s: %s is required and cannot be disabled", name, cn, cn))
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(e.clusters)) {
		add(e.checkHub(name, e.clusters[name]))
	}
	if p := lookup(e.root, "promotion"); p.Exists() {
		var order []string
		if err := p.Decode(&order); err != nil {
			add(errorf(userPos(p), "promotion: a list of environment names, earliest first"))
		}
		for i, env := range order {
			if !slices.Contains(environments, env) {
				add(errorf(userPos(p.LookupPath(cue.MakePath(cue.Index(i)))), "promotion: unknown environment %q%s", env, known(env, environments)))
			} else if slices.Index(order, env) != i {
				add(errorf(userPos(p.LookupPath(cue.MakePath(cue.Index(i)))), "promotion: environment %q is listed twice", env))
			}
		}
	}
	for _, want := range e.cfg.Clusters {
		if _, ok := e.clusters[want]; !ok && len(clusters) > 0 {
			add(errorf(token.NoPos, "--cluster %q: %s declares no such cluster%s", want, e.cfg.Origin, known(want, slices.Sorted(maps.Keys(e.clusters)))))
		}
	}
	if errs != nil {
		return errs
	}
	e.selected = e.cfg.Clusters
	if len(e.selected) == 0 {
		e.selected = slices.Sorted(maps.Keys(e.clusters))
	}
	return nil
}

// checkHub checks who manages a cluster: a hub must be a declared cluster
// that runs its own ArgoCD, and a managed cluster must say how the hub's
// ArgoCD knows it.
func (e *evaluator) checkHub(name string, cv cue.Value) cueerrors.Error {
	mb := lookup(cv, "managedBy")
	if !mb.Exists() {
		return nil
	}
	hub, err := mb.String()
	if err != nil {
		return nil // the schema reports it
	}
	hv, ok := e.clusters[hub]
	switch {
	case hub == name:
		return errorf(userPos(mb), "clusters.%s.managedBy: a cluster cannot be its own hub; leave managedBy unset for a cluster that runs its own ArgoCD", name)
	case !ok:
		return errorf(userPos(mb), "clusters.%s.managedBy: unknown cluster %q%s", name, hub, known(hub, slices.Sorted(maps.Keys(e.clusters))))
	case managed(hv):
		return errorf(userPos(mb), "clusters.%s.managedBy: %s is itself managed by a hub; the hub must be a cluster that runs its own ArgoCD", name, hub)
	}
	dest := lookup(cv, "destination")
	if !lookup(dest, "server").Exists() && !lookup(dest, "name").Exists() {
		return errorf(userPos(mb), "clusters.%s: managed by %s, so it needs destination: {name: ...} or {server: ...}, as %s's ArgoCD knows the cluster", name, hub, hub)
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// firstUserPos returns the first valid position outside the embedded
// files among the values' user positions, or NoPos.
func firstUserPos(vs ...cue.Value) token.Pos {
	for _, v := range vs {
		if !v.Exists() {
			continue
		}
		if p := userPos(v); p.IsValid() && !config.IsEmbedded(p.Filename()) {
			return p
		}
	}
	return token.NoPos
}

func labels(v cue.Value) []string {
	var out []string
	for _, f := range fields(v) {
		out = append(out, label(f))
	}
	slices.Sort(out)
	return out
}

// known phrases the valid choices, leading with the closest one.
func known(got string, choices []string) string {
	if len(choices) == 0 {
		return ""
	}
	if s := suggest(got, choices); s != "" {
		return fmt.Sprintf("; did you mean %q? (known: %s)", s, strings.Join(choices, ", "))
	}
	return fmt.Sprintf(" (known: %s)", strings.Join(choices, ", "))
}

// repo resolves the repository: the command line wins over the config,
// which wins over the placeholder.
func (e *evaluator) repo() (Repo, error) {
	r := Repo{URL: e.cfg.RepoURL, Revision: e.cfg.Revision}
	v := lookup(e.root, "repo")
	if r.URL == "" {
		r.URL, _ = lookup(v, "url").String()
	}
	if r.Revision == "" {
		r.Revision, _ = lookup(v, "revision").String()
	}
	if r.Revision == "" {
		r.Revision = "main"
	}
	if r.URL == "" {
		r.URL, r.Placeholder = PlaceholderRepoURL, true
	}
	if e.cfg.RepoURL != "" && !validRepoURL(r.URL) {
		return r, &config.Error{Msg: fmt.Sprintf("--repo-url %q: expected an https://, ssh:// or git@ Git URL", r.URL)}
	}
	return r, nil
}

func validRepoURL(u string) bool {
	for _, p := range []string{"https://", "ssh://", "git@"} {
		if strings.HasPrefix(u, p) && len(u) > len(p) {
			return true
		}
	}
	return false
}

// cluster evaluates one cluster: its root Application and every enabled
// component unified with its persona.
func (e *evaluator) cluster(name string) (*Cluster, error) {
	cv := e.clusters[name]
	c := &Cluster{Name: name}
	c.Environment, _ = lookup(cv, "environment").String()
	c.Provider, _ = lookup(cv, "provider").String()
	c.ManagedBy, _ = lookup(cv, "managedBy").String()
	c.KubeVersion, _ = lookup(cv, "kubeVersion").String()
	if v := lookup(cv, "apiVersions"); v.Exists() {
		if err := v.Decode(&c.APIVersions); err != nil {
			return nil, err
		}
	}

	var enabled []string
	for _, n := range slices.Sorted(maps.Keys(e.components)) {
		if e.components[n].enabledIn(cv, n) {
			enabled = append(enabled, n)
		}
	}
	var errs cueerrors.Error
	for _, n := range enabled {
		for i, d := range e.deps[n] {
			if !slices.Contains(enabled, d) {
				// Point at what disabled d in this cluster, else at what
				// enabled n, else at the dependency, else at the cluster.
				pos := firstUserPos(
					lookup(cv, "components", d, "enabled"),
					lookup(cv, "components", n, "enabled"),
					lookup(e.components[n].v, "dependsOn").LookupPath(cue.MakePath(cue.Index(i))),
					cv)
				errs = cueerrors.Append(errs, errorf(pos, "clusters.%s: %s depends on %s, which is disabled in this cluster; enable %s or disable %s", name, n, d, d, n))
			}
		}
	}
	if errs != nil {
		return nil, errs
	}
	w := waves(e.deps, enabled)

	clusterPath := cue.MakePath(cue.Def("#cluster"))
	// The persona is validated once, with the clusters; every component
	// gets it as plain data, which unifies without re-resolving the
	// persona's defaults for each of them.
	persona, err := concrete(cv)
	if err != nil {
		return nil, err
	}
	root := lookup(e.root, "#Root").Unify(e.args.FillPath(clusterPath, persona))
	if c.Root, err = document(lookup(root, "application")); err != nil {
		return nil, err
	}

	repos := map[string]bool{e.repoURL: true}
	namespaces := map[string]bool{}
	kinds := map[groupKind]bool{}
	for _, n := range enabled {
		// One unification per component and cluster: filling #cluster and
		// #wave one after the other would evaluate the component twice.
		args := e.args.FillPath(clusterPath, persona).FillPath(cue.MakePath(cue.Def("#wave")), w[n])
		inst := e.components[n].v.Unify(args)
		comp, err := e.component(inst, n, cv)
		if err != nil {
			return nil, err
		}
		comp.Wave = w[n]
		c.Components = append(c.Components, comp)
		repos[comp.RepoURL] = true
		namespaces[comp.Namespace] = true
		var gks []groupKind
		if err := lookup(inst, "clusterResources").Decode(&gks); err != nil {
			return nil, err
		}
		for _, gk := range gks {
			kinds[gk] = true
		}
	}
	slices.SortStableFunc(c.Components, func(a, b *Component) int {
		if a.Wave != b.Wave {
			return a.Wave - b.Wave
		}
		return strings.Compare(a.Name, b.Name)
	})

	var baseline []groupKind
	if err := lookup(e.root, "#BaselineClusterResources").Decode(&baseline); err != nil {
		return nil, err
	}
	for _, gk := range baseline {
		kinds[gk] = true
	}
	in := map[string]any{
		"sourceRepos":      slices.Sorted(maps.Keys(repos)),
		"namespaces":       slices.Sorted(maps.Keys(namespaces)),
		"clusterResources": slices.SortedFunc(maps.Keys(kinds), groupKind.compare),
	}
	project := lookup(e.root, "#Project").Unify(e.args.FillPath(clusterPath, persona).FillPath(cue.MakePath(cue.Def("#in")), in))
	if c.Project, err = document(lookup(project, "appproject")); err != nil {
		return nil, err
	}
	return c, nil
}

// groupKind is a Kubernetes resource kind, as AppProjects list them.
type groupKind struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
}

func (a groupKind) compare(b groupKind) int {
	if a.Group != b.Group {
		return strings.Compare(a.Group, b.Group)
	}
	return strings.Compare(a.Kind, b.Kind)
}

func (e *evaluator) component(inst cue.Value, name string, cv cue.Value) (*Component, error) {
	comp := &Component{Name: name}
	comp.Description, _ = lookup(inst, "description").String()
	comp.RepoURL, _ = lookup(inst, "chart", "repoURL").String()
	comp.Chart, _ = lookup(inst, "chart", "name").String()
	comp.Namespace, _ = lookup(inst, "#effective", "namespace").String()
	comp.Deprecated, _ = lookup(inst, "deprecated").String()
	if err := lookup(inst, "freeformValues").Decode(&comp.FreeformValues); err != nil {
		return nil, err
	}
	version, _ := lookup(inst, "version").Default()
	comp.Version, _ = version.String()

	var err error
	if comp.Application, err = document(lookup(inst, "application")); err != nil {
		return nil, err
	}
	layers := []cue.Value{
		lookup(inst, "values"),
		lookup(inst, "environmentValues"),
		lookup(inst, "providerValues"),
		lookup(cv, "components", name, "values"),
	}
	values := map[string]any{}
	for _, l := range layers {
		if !l.Exists() {
			continue
		}
		m, err := concrete(l)
		if err != nil {
			return nil, err
		}
		values = mergeValues(values, m)
	}
	if comp.Values, err = json.Marshal(values); err != nil {
		return nil, err
	}
	return comp, nil
}

// document validates that v is fully concrete and encodes it as compact
// JSON with sorted keys, the form the scaffold and the policies read.
func document(v cue.Value) (json.RawMessage, error) {
	m, err := concrete(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

// concrete validates that v is fully concrete and decodes it.
func concrete(v cue.Value) (map[string]any, error) {
	if err := v.Validate(cue.Concrete(true), cue.Final()); err != nil {
		return nil, err
	}
	var m map[string]any
	if err := v.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// relName prints a file name relative to the working directory.
func relName(name string) string {
	if wd, err := os.Getwd(); err == nil && filepath.IsAbs(name) {
		if r, err := filepath.Rel(wd, name); err == nil && !strings.HasPrefix(r, "..") {
			return r
		}
	}
	return name
}
