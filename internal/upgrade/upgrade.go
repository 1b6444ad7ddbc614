// Package upgrade moves a component's chart to another version in the
// user's CUE config: for every cluster that runs it, one environment's
// clusters, or some clusters. It works out which fields to set, follows
// the config's promotion order, edits the config in memory (package
// configedit), evaluates the result to prove that exactly the intended
// clusters change, and then pulls and locks the charts and writes the
// files. It never writes the scaffold: render does, and people review it.
package upgrade

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	cueerrors "cuelang.org/go/cue/errors"

	"github.com/dorgu/dorgu-gen/internal/charts"
	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/configedit"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

// Request says what to upgrade.
type Request struct {
	Component string
	// Version is the version to pin; "" with Latest.
	Version string
	// Latest takes the newest release; pre-releases count with
	// Prereleases.
	Latest      bool
	Prereleases bool
	// Clusters or Environment select the clusters; neither selects every
	// cluster that runs the component.
	Clusters    []string
	Environment string
	// Force upgrades against the promotion order.
	Force bool
}

// Evaluator evaluates a config: stack.Evaluate, within the run's limits.
type Evaluator func(*config.Config) (*stack.Stack, error)

// Lister lists a chart's releases: the chart client.
type Lister interface {
	Releases(ctx context.Context, ch charts.Chart) (*charts.Releases, error)
}

// Plan is an upgrade worked out in memory.
type Plan struct {
	Component string
	Version   string
	// Changed are the selected clusters that move to Version, Unchanged
	// those that already run it, both in name order.
	Changed   []Move
	Unchanged []string
	// Edits are the fields set; Files the config files they change.
	Edits []configedit.Change
	Files []FileChange
	// Stack is the config's stack after the edit.
	Stack *stack.Stack
}

// Move is one cluster going from one version to another.
type Move struct {
	Cluster     string
	Environment string
	From        string
}

// FileChange is a config file before and after the edit.
type FileChange struct {
	// Name is the file's path, absolute.
	Name     string
	Old, New []byte
}

// versionRE is what a chart version may look like: SemVer, a leading
// "v", or a tag of letters, digits, dots, dashes, pluses and
// underscores; nothing that YAML, a URL or a terminal would read
// otherwise.
var versionRE = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._+-]{0,127}$`)

// Prepare works out the upgrade req asks for in the config cfg, whose
// stack is s, without writing anything.
func Prepare(ctx context.Context, cfg *config.Config, s *stack.Stack, req Request, l Lister, eval Evaluator) (*Plan, error) {
	if cfg.Embedded {
		return nil, &config.Error{Msg: "upgrade edits a config, and there is none here (no ./dorgu.cue, ./dorgu/ or --config): the embedded default stack pins the blessed versions; run dorgu-gen init to get a config whose versions you choose"}
	}
	running := runningIn(s, req.Component)
	if len(running) == 0 {
		return nil, &config.Error{Msg: fmt.Sprintf("component %q runs in no cluster of %s (see dorgu-gen components)", req.Component, cfg.Origin)}
	}
	selected, err := selectClusters(s, running, req)
	if err != nil {
		return nil, err
	}
	comp := running[selected[0]]
	version, err := resolveVersion(ctx, req, comp, l)
	if err != nil {
		return nil, err
	}
	p := &Plan{Component: req.Component, Version: version}
	for _, name := range selected {
		c := clusterOf(s, name)
		if from := running[name].Version; from == version {
			p.Unchanged = append(p.Unchanged, name)
		} else {
			p.Changed = append(p.Changed, Move{Cluster: name, Environment: c.Environment, From: from})
		}
	}
	if len(p.Changed) == 0 {
		p.Stack = s
		return p, nil
	}
	if !req.Force {
		if err := checkPromotion(s, running, p); err != nil {
			return nil, err
		}
	}
	files := userFiles(cfg)
	sets := fieldsToSet(files, running, p, req)
	res, err := configedit.Edit(files, sets)
	if err != nil {
		return nil, editError(cfg, err)
	}
	p.Edits = res.Changes
	for _, f := range files {
		if data, ok := res.Files[f.Name]; ok {
			p.Files = append(p.Files, FileChange{Name: f.Name, Old: f.Data, New: data})
		}
	}
	if p.Stack, err = verify(cfg, s, p, eval); err != nil {
		return nil, err
	}
	return p, nil
}

// runningIn maps each cluster that runs component to how it runs it.
func runningIn(s *stack.Stack, component string) map[string]*stack.Component {
	out := map[string]*stack.Component{}
	for _, c := range s.Clusters {
		for _, comp := range c.Components {
			if comp.Name == component {
				out[c.Name] = comp
			}
		}
	}
	return out
}

func clusterOf(s *stack.Stack, name string) *stack.Cluster {
	for _, c := range s.Clusters {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// selectClusters returns the clusters to upgrade, sorted.
func selectClusters(s *stack.Stack, running map[string]*stack.Component, req Request) ([]string, error) {
	all := slices.Sorted(maps.Keys(running))
	switch {
	case len(req.Clusters) > 0:
		var out []string
		for _, name := range req.Clusters {
			if clusterOf(s, name) == nil {
				return nil, &config.Error{Msg: fmt.Sprintf("--cluster %q: the config has no such cluster", name)}
			}
			if running[name] == nil {
				return nil, &config.Error{Msg: fmt.Sprintf("--cluster %q: %s does not run in it (it runs in %s)", name, req.Component, strings.Join(all, ", "))}
			}
			out = append(out, name)
		}
		slices.Sort(out)
		return slices.Compact(out), nil
	case req.Environment != "":
		var out, envs []string
		for _, name := range all {
			env := clusterOf(s, name).Environment
			envs = append(envs, env)
			if env == req.Environment {
				out = append(out, name)
			}
		}
		if len(out) == 0 {
			slices.Sort(envs)
			return nil, &config.Error{Msg: fmt.Sprintf("--environment %q: no cluster of it runs %s (the clusters that do are of %s)", req.Environment, req.Component, strings.Join(slices.Compact(envs), ", "))}
		}
		return out, nil
	}
	return all, nil
}

// resolveVersion returns the version asked for, or the newest release.
func resolveVersion(ctx context.Context, req Request, comp *stack.Component, l Lister) (string, error) {
	if !req.Latest {
		if !versionRE.MatchString(req.Version) {
			return "", &config.Error{Msg: fmt.Sprintf("--version %q: not a chart version (letters, digits, '.', '-', '+' and '_', as in 1.2.3 or v1.21.1)", req.Version)}
		}
		return req.Version, nil
	}
	rels, err := l.Releases(ctx, charts.Chart{RepoURL: comp.RepoURL, Name: comp.Chart})
	if err != nil {
		return "", err
	}
	rel, ok := rels.Newest(req.Prereleases)
	if !ok {
		what := "release"
		if !req.Prereleases {
			what = "release that is not a pre-release (--pre counts them)"
		}
		return "", &config.Error{Msg: fmt.Sprintf("--latest: %s lists no %s of %s", rels.Source, what, comp.Chart)}
	}
	if !versionRE.MatchString(rel.Version.Raw) {
		return "", &config.Error{Msg: fmt.Sprintf("--latest: the newest release of %s, %q, is not a version dorgu-gen writes into a config", comp.Chart, rel.Version.Raw)}
	}
	return rel.Version.Raw, nil
}

// userFiles are the config's own CUE files, which upgrade may edit: not
// the embedded ones, nor what the flags generate.
func userFiles(cfg *config.Config) []configedit.File {
	var out []configedit.File
	for _, src := range cfg.CUE {
		if config.IsEmbedded(src.Name) || src.Name == config.FlagsSource {
			continue
		}
		out = append(out, configedit.File{Name: src.Name, Data: src.Data})
	}
	return out
}

// fieldsToSet chooses what to edit. Without a selection every cluster
// moves: the component's own chart version, and each cluster's override
// that the config sets (it would win otherwise). With one, each selected
// cluster that moves gets its override.
func fieldsToSet(files []configedit.File, running map[string]*stack.Component, p *Plan, req Request) []configedit.Set {
	var sets []configedit.Set
	if len(req.Clusters) == 0 && req.Environment == "" {
		sets = append(sets, configedit.Set{Path: configedit.ComponentVersion(p.Component), Value: p.Version})
		for _, name := range slices.Sorted(maps.Keys(running)) {
			path := configedit.ClusterVersion(name, p.Component)
			if configedit.Sets(files, path) {
				sets = append(sets, configedit.Set{Path: path, Value: p.Version})
			}
		}
		return sets
	}
	for _, m := range p.Changed {
		sets = append(sets, configedit.Set{Path: configedit.ClusterVersion(m.Cluster, p.Component), Value: p.Version})
	}
	return sets
}

// editError names the file relative to the working directory.
func editError(cfg *config.Config, err error) error {
	msg := err.Error()
	for _, src := range cfg.CUE {
		if !config.IsEmbedded(src.Name) {
			msg = strings.ReplaceAll(msg, src.Name+":", relName(cfg.WorkDir, src.Name)+":")
		}
	}
	return &config.Error{Msg: msg}
}

// verify evaluates the edited config and checks that it runs what the
// plan says, and nothing else differently: the selected clusters run the
// new version, every other cluster and component what it ran. A version
// that the config also sets where configedit does not look (a pattern, a
// comprehension, a reference) shows up here, and the edit is refused.
func verify(cfg *config.Config, before *stack.Stack, p *Plan, eval Evaluator) (*stack.Stack, error) {
	edited := *cfg
	edited.CUE = slices.Clone(cfg.CUE)
	for i, src := range edited.CUE {
		for _, f := range p.Files {
			if f.Name == src.Name {
				edited.CUE[i].Data = f.New
			}
		}
	}
	after, err := eval(&edited)
	if err != nil {
		var ce cueerrors.Error
		if !errors.As(err, &ce) {
			return nil, fmt.Errorf("the config, edited, does not evaluate, so nothing was written: %w", err)
		}
		details := strings.TrimRight(cueerrors.Details(err, &cueerrors.Config{Cwd: cfg.WorkDir}), "\n")
		return nil, &config.Error{Msg: "the config, edited, does not evaluate, so nothing was written (positions are in the edited file):\n" + details}
	}
	want := versions(before)
	for _, m := range p.Changed {
		want[m.Cluster+"/"+p.Component] = p.Version
	}
	got := versions(after)
	var wrong []string
	for _, k := range slices.Sorted(maps.Keys(mergeKeys(want, got))) {
		if want[k] != got[k] {
			cluster, component, _ := strings.Cut(k, "/")
			wrong = append(wrong, fmt.Sprintf("%s in cluster %s would run %s, not %s", component, cluster, orNone(got[k]), orNone(want[k])))
		}
	}
	if len(wrong) > 0 {
		var where []string
		for _, e := range p.Edits {
			where = append(where, fmt.Sprintf("%s:%d", relName(cfg.WorkDir, e.File), e.Line))
		}
		return nil, &config.Error{Msg: fmt.Sprintf("the edit (at %s) does not do what it should: %s; the config also decides the version somewhere dorgu-gen does not edit (a reference, a comprehension or a pattern): change it by hand", strings.Join(where, ", "), strings.Join(wrong, "; "))}
	}
	return after, nil
}

// versions maps "cluster/component" to the version it runs.
func versions(s *stack.Stack) map[string]string {
	out := map[string]string{}
	for _, c := range s.Clusters {
		for _, comp := range c.Components {
			out[c.Name+"/"+comp.Name] = comp.Version
		}
	}
	return out
}

func mergeKeys(a, b map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// relName names a file relative to the working directory where it can,
// as messages name files.
func relName(dir, name string) string {
	if r, err := filepath.Rel(dir, name); err == nil && filepath.IsLocal(r) {
		return r
	}
	return name
}

func orNone(v string) string {
	if v == "" {
		return "nothing"
	}
	return v
}
