package stack

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/parser"

	"github.com/dorgu/dorgu-gen/internal/config"
)

// evaluator holds the sources loaded into one CUE context, and what
// validation learnt of them: the components, their dependencies and the
// clusters. A CUE context is not safe for concurrent use, so each worker
// that evaluates clusters has an evaluator of its own.
type evaluator struct {
	root cue.Value
	cfg  *config.Config
	repo Repo

	components map[string]*componentInfo
	// deps are the components' own dependsOn; ingressDeps what each
	// component's ingressDependsOn adds for each ingress, and graphs the
	// graph of each ingress once built (see deps.go).
	deps        map[string][]string
	ingressDeps map[string]map[string][]string
	graphs      map[string]map[string][]string
	clusters    map[string]cue.Value
	// manages maps a hub to the clusters it manages, sorted.
	manages  map[string][]string
	selected []string
	// args is an empty struct of the evaluator's context, on which the
	// arguments of a unification are filled in: cheap, unlike filling them
	// into the value being evaluated.
	args cue.Value
}

// load parses and builds the sources, fills in the repository and runs the
// checks that need no cluster evaluated: everything Evaluate and Catalog
// share. validate is false for another worker's load of sources that the
// first load validated.
func load(cfg *config.Config, validate bool) (*evaluator, error) {
	// A fresh context per evaluation: contexts are not safe for concurrent
	// use and keep every value they ever built alive.
	cctx := cuecontext.New()
	root, err := buildInstance(cctx, cfg.CUE)
	if err != nil {
		return nil, err
	}
	e := &evaluator{root: root, cfg: cfg, args: cctx.CompileString("{}")}
	if err := e.check(); err != nil {
		return nil, err
	}
	e.args = e.args.FillPath(argRepo, map[string]string{"url": e.repo.URL, "revision": e.repo.Revision, "path": e.repo.Path})
	if !validate {
		return e, nil
	}
	if err := e.root.Validate(); err != nil {
		return nil, err
	}
	if err := e.root.LookupPath(pathClusters).Validate(cue.Concrete(true)); err != nil {
		return nil, err
	}
	return e, nil
}

// buildInstance parses the sources and builds them as one instance, in a
// context of its own.
func buildInstance(cctx *cue.Context, srcs []config.Source) (cue.Value, error) {
	files, err := parse(srcs)
	if err != nil {
		return cue.Value{}, err
	}
	if err := checkSizes(files); err != nil {
		return cue.Value{}, err
	}
	inst := build.NewContext().NewInstance("", nil)
	for _, f := range files {
		if err := inst.AddSyntax(f); err != nil {
			return cue.Value{}, err
		}
	}
	return cctx.BuildInstance(inst), nil
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

// resolveRepo resolves the repository: the command line wins over the
// config, which wins over the placeholder.
func (e *evaluator) resolveRepo() (Repo, error) {
	r := Repo{URL: e.cfg.RepoURL, Revision: e.cfg.Revision}
	v := e.root.LookupPath(pathRepo)
	if r.URL == "" {
		r.URL, _ = v.LookupPath(repoURL).String()
	}
	if r.Revision == "" {
		r.Revision, _ = v.LookupPath(repoRevision).String()
	}
	if r.Revision == "" {
		r.Revision = "main"
	}
	r.Path, _ = v.LookupPath(repoPath).String()
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

// relName prints a file name relative to the working directory dir, as
// CUE's positions are printed.
func relName(dir, name string) string {
	if dir != "" && filepath.IsAbs(name) {
		if r, err := filepath.Rel(dir, name); err == nil && !strings.HasPrefix(r, "..") {
			return r
		}
	}
	return name
}
