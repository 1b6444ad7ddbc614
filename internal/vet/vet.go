// Package vet is the pull-request check of a GitOps repository: it
// renders the sources in memory and checks them, compares the result with
// the scaffold on disk, and runs the policies on the files on disk, so that
// a hand edit fails the check even when nobody rendered again.
package vet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	cueerrors "cuelang.org/go/cue/errors"

	"github.com/dorgu/dorgu-gen/internal/cache"
	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/drift"
	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/helmrender"
	"github.com/dorgu/dorgu-gen/internal/manifests"
	"github.com/dorgu/dorgu-gen/internal/ondisk"
	"github.com/dorgu/dorgu-gen/internal/pipeline"
	"github.com/dorgu/dorgu-gen/internal/policy"
	"github.com/dorgu/dorgu-gen/internal/repofs"
	"github.com/dorgu/dorgu-gen/internal/report"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

// Options says what to check.
type Options struct {
	// Sources are render's options (--config, --cluster, ...). With
	// Sources.Embedded (--config embedded), vet checks against the
	// embedded default stack; without it, and without any of render's
	// --cluster, --environment, --repo-url or --revision, a directory with
	// no config is checked in scaffold-only mode.
	Sources config.Options
	// Out is the scaffold directory (--out).
	Out string
	// Cache keeps the plan and the policies' findings of earlier runs; nil
	// is no cache.
	Cache *cache.Store
	// Today is the date (YYYY-MM-DD) the config's waivers expire against.
	Today string
	// Charts decides the charts step, as for render: the values checked
	// against the charts and the objects they render checked with the
	// policies, both for the rendered tree and for the Applications and
	// values files on disk. Nil, or a nil source, skips it.
	Charts pipeline.ChartsFunc

	// everyFile turns off the shortcut for an up-to-date scaffold, so that
	// tests can compare the two ways.
	everyFile bool
}

// RuleCUE is the rule id of a CUE error in the sources.
const RuleCUE = "cue"

// BuiltinRules describes the findings that do not come from a policy.
func BuiltinRules() []report.Rule {
	return []report.Rule{
		{ID: RuleCUE, Kind: finding.KindCUE, Title: "The sources evaluate", Description: "The CUE config, joined with the embedded schema and components, evaluates without errors: no syntax error, no conflicting values, no field the schema does not allow, no unknown component. Reported at the CUE position of the offending field."},
		{ID: drift.Modified, Kind: finding.KindDrift, Title: "Generated files match the sources", Description: "A file dorgu-gen generates differs from what the sources render: it was edited by hand, or the config changed and nobody rendered again. The next render overwrites the file. The finding carries the unified diff, rendered (-) against on disk (+)."},
		{ID: drift.Missing, Kind: finding.KindDrift, Title: "Generated files exist", Description: "A file the sources render is not in the scaffold: it was deleted, or the config gained a component or a cluster and nobody rendered again."},
		{ID: drift.Unexpected, Kind: finding.KindDrift, Title: "The scaffold holds only what the sources produce", Description: "An Application in clusters/<cluster>/apps (or a values file in clusters/<cluster>/values) that no source produces. The root Application syncs every file of the apps folder, so ArgoCD would deploy it although no config declares it."},
		{ID: finding.RuleWaiverExpired, Kind: finding.KindWaiver, Title: "Waivers are current", Description: "A waiver of the config is past its expires date: it no longer applies, and the findings it waived fail again. Renew it with a later date if its reason still holds, or fix what it waives and remove it."},
		{ID: finding.RuleWaiverUnused, Kind: finding.KindWaiver, Title: "Waivers are used", Description: "A waiver of the config matches no finding: what it waived was fixed, or its rule, cluster or component is misspelt. Remove or correct it."},
		{ID: finding.RuleValuesSchema, Kind: finding.KindValues, Title: "Values satisfy the chart's schema", Description: "With the chart checks (a dorgu.lock, or --charts), the values file of every component, merged over its chart's defaults, satisfies the chart's values.schema.json and its enabled subcharts', as Helm 4 validates them before rendering. Helm refuses values that do not, so ArgoCD renders and syncs nothing: the finding cannot be waived. Reported at the line of the key in the values file; the hint names where the config sets it."},
		{ID: finding.RuleValuesUnknownKey, Kind: finding.KindValues, Title: "Values are keys the chart has", Description: "With the chart checks, every key of a values file is one the chart's values.yaml or schema names. Helm ignores any other key, so a typo silently does nothing. A subtree the chart copies as it is (toYaml) goes in the component's freeformValues."},
		{ID: ondisk.RuleYAML, Kind: finding.KindYAML, Title: "Scaffold files read one way, as ArgoCD and Helm read them", Description: "A file of the scaffold (argocd/*.yaml, clusters/*/apps/*.yaml|yml|json, clusters/*/values/*.yaml) does not parse as ArgoCD or Helm read it; or YAML 1.1 readers (sigs.k8s.io/yaml: Kubernetes, ArgoCD, Helm) and YAML 1.2 readers read it differently (yes, y, on, a << merge key, a key given twice); or an apps file holds several objects, or a values file several documents; or a file makes ArgoCD read an apps folder otherwise (kustomization.yaml, Chart.yaml, .argocd-source.yaml, Jsonnet); or it, or a folder above it, is a symbolic link that leads out of the repository, or not a regular file, and was not read."},
	}
}

// Run checks and returns the report; an error means the config or the
// scaffold could not be loaded (exit code 2).
func Run(ctx context.Context, opts Options) (*report.Report, error) {
	out := opts.Out
	r := &report.Report{Tool: "dorgu-gen", Scaffold: filepath.ToSlash(out)}

	src := opts.Sources
	if src.Dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, &config.Error{Msg: fmt.Sprintf("cannot determine the working directory: %v", err)}
		}
		src.Dir = wd
	}
	// One repository for the run: the config, the policies and the
	// scaffold are read inside it, within one set of bounds.
	repo, err := repofs.Open(src.Dir, repofs.Default)
	if err != nil {
		return nil, &config.Error{Msg: err.Error()}
	}
	defer repo.Close()
	src.Repo = repo
	cfg, err := config.Load(src)
	if err != nil {
		return nil, err
	}
	renderFlags := len(src.Clusters) > 0 || src.Environment != "" || src.RepoURL != "" || src.Revision != ""
	// The policies compile on first use: a check served from the cache
	// does not need them.
	engine := sync.OnceValues(func() (*policy.Engine, error) { return policy.Compile(ctx, policy.SetOf(cfg)) })
	if cfg.Embedded && !src.Embedded && !renderFlags {
		return scaffoldOnly(r, repo, out, checker{ctx, engine, opts.Cache, cfg.Policies})
	}
	r.Mode, r.Config = report.ModeFull, cfg.Origin
	r.Notes = append(r.Notes, policy.EjectedNotes(policy.SetOf(cfg))...)

	// 1. Sources: render in memory and check.
	var (
		tree    *scaffold.Tree
		sources []finding.Finding
		// waive applies the config's waivers, once, to everything found.
		waive func([]finding.Finding) []finding.Finding
		// charts are the charts of the charts step; nil without it.
		charts helmrender.ChartSource
	)
	res, err := pipeline.Plan(ctx, cfg, opts.Cache)
	var cueErr cueerrors.Error
	switch {
	case errors.As(err, &cueErr):
		sources = cueFindings(err)
		// A broken policy is a configuration error even when the
		// sources are broken too.
		if _, err := engine(); err != nil {
			return nil, err
		}
		r.Checks = []string{report.CheckSources, report.CheckScaffold}
		r.Notes = append(r.Notes, fmt.Sprintf("the sources (%s) do not evaluate, so drift was not checked; the scaffold in %s was checked with the policies", cfg.Origin, r.Scaffold))
		waive = brokenSourcesWaivers(cfg, opts.Today, &r.Notes)
	case err != nil:
		return nil, err
	default:
		if opts.Charts != nil {
			if charts, err = opts.Charts(ctx, cfg, res.Stack); err != nil {
				return nil, err
			}
		}
		if charts != nil {
			if err := res.Charts(ctx, charts); err != nil {
				return nil, err
			}
		}
		engine, tree = res.Engine, res.Tree
		r.Checks = []string{report.CheckSources, report.CheckDrift, report.CheckScaffold}
		if charts != nil {
			r.Checks = append(r.Checks, report.CheckCharts)
		}
		o := pipeline.WaiveOptions(res.Stack, opts.Today)
		if partial := !cfg.Embedded && len(src.Clusters) > 0; partial {
			// Only the selected clusters' files were compared and
			// checked on disk.
			o.Complete = func(w finding.Waiver) bool { return w.Cluster != "" && slices.Contains(cfg.Clusters, w.Cluster) }
		}
		waive = func(fs []finding.Finding) []finding.Finding { return finding.Waive(fs, res.Stack.Waivers, o) }
	}
	check := checker{ctx, engine, opts.Cache, cfg.Policies}

	disk, err := ondisk.ScanRepo(repo, out)
	if err != nil {
		return nil, err
	}
	partial := !cfg.Embedded && len(src.Clusters) > 0

	// An up-to-date scaffold, the usual case in a pull request that
	// rendered, holds exactly the documents the rendered tree has: their
	// findings are the rendered tree's (which a render of the same sources
	// may have cached), placed at their lines on disk. Only the files
	// with findings need parsing.
	if tree != nil && !partial && !opts.everyFile && drift.UpToDate(tree, disk) {
		if err := res.Check(ctx); err != nil {
			return nil, err
		}
		if r.Rules, err = check.rules(true); err != nil {
			return nil, err
		}
		// The files are the rendered ones, so where a finding sits
		// follows from the findings' key too.
		checked := res.CheckKey()
		findings, _ := cache.Memo(opts.Cache, func() cache.Key { return opts.Cache.NewKey("vet-located").Bytes(checked[:]).Sum() }, func() ([]finding.Finding, error) {
			fs := slices.Clone(res.Findings)
			disk.Locate(fs)
			return fs, nil
		})
		r.Files = files(disk, tree, r.Scaffold)
		r.Findings = display(waive(findings), r.Scaffold)
		return r, nil
	}

	// 2. Drift.
	var drifted []finding.Finding
	if tree != nil {
		dopts := drift.Options{Label: r.Scaffold, SkipReadme: partial}
		if partial {
			dopts.Clusters = cfg.Clusters
		}
		if drifted, err = drift.Check(tree, disk, dopts); err != nil {
			return nil, err
		}
	}

	// The rendered tree needs a policy pass of its own only where it
	// differs from the disk: files equal to the rendered ones get the
	// same findings from the pass on disk, with their lines.
	if res != nil && len(drifted) > 0 {
		if err := res.Check(ctx); err != nil {
			return nil, err
		}
		sources = res.Findings
	}

	// 3. The scaffold on disk, with what its Applications and values
	// files make the charts render.
	var deployed *manifests.Result
	if charts != nil {
		var notes []string
		if deployed, notes, err = onDiskManifests(ctx, res.Stack, tree, disk, charts, opts.Cache); err != nil {
			return nil, err
		}
		r.Notes = append(r.Notes, notes...)
	}
	onDisk, err := check.disk(disk, res, deployed)
	if err != nil {
		return nil, err
	}
	if r.Rules, err = check.rules(true); err != nil {
		return nil, err
	}

	// A policy finding of the rendered tree that the file on disk has too
	// is reported once, from disk, where it has a line.
	seen := map[string]bool{}
	for _, f := range onDisk {
		seen[key(f)] = true
	}
	var findings []finding.Finding
	for _, f := range sources {
		if f.Rule == RuleCUE || !seen[key(f)] {
			findings = append(findings, f)
		}
	}
	findings = append(findings, drifted...)
	findings = append(findings, onDisk...)
	findings = waive(findings)

	r.Files = files(disk, tree, r.Scaffold)
	r.Findings = display(findings, r.Scaffold)
	return r, nil
}

// brokenSourcesWaivers returns how to apply the config's waivers when the
// config does not evaluate: read alone, they still apply to the scaffold's
// findings. None is said to be unused, since the sources were not checked.
func brokenSourcesWaivers(cfg *config.Config, today string, notes *[]string) func([]finding.Finding) []finding.Finding {
	ws, envs, err := stack.Waivers(cfg)
	if err != nil {
		*notes = append(*notes, "the config's waivers could not be read either, so none was applied")
		return func(fs []finding.Finding) []finding.Finding { return fs }
	}
	o := finding.WaiveOptions{
		Today:       today,
		Builtin:     policy.IsBuiltin,
		Environment: func(c string) string { return envs[c] },
		Complete:    func(finding.Waiver) bool { return false },
	}
	return func(fs []finding.Finding) []finding.Finding { return finding.Waive(fs, ws, o) }
}

// scaffoldOnly checks the scaffold on disk alone.
func scaffoldOnly(r *report.Report, repo *repofs.Repo, out string, check checker) (*report.Report, error) {
	r.Mode = report.ModeScaffoldOnly
	r.Checks = []string{report.CheckScaffold}
	disk, err := ondisk.ReadRepo(repo, out)
	if oe := (*ondisk.Error)(nil); errors.As(err, &oe) && oe.NoDir {
		return nil, &ondisk.Error{Msg: "no dorgu-gen sources here (no dorgu.cue, dorgu/ or --config), and " + err.Error()}
	}
	if err != nil {
		return nil, err
	}
	if len(disk.Files) == 0 {
		return nil, &ondisk.Error{Msg: fmt.Sprintf("nothing to vet: no dorgu-gen sources here (no dorgu.cue, dorgu/ or --config), and %s holds no scaffold files (argocd/*.yaml, clusters/*/apps/*.yaml, clusters/*/values/*.yaml)", out)}
	}
	r.Notes = append(r.Notes, fmt.Sprintf("scaffold-only mode: no dorgu-gen sources here (no dorgu.cue, dorgu/ or --config), so the scaffold in %s was checked with the policies alone, without drift; pass --config embedded if it is rendered from the embedded default stack", r.Scaffold))
	findings, err := check.disk(disk, nil, nil)
	if err != nil {
		return nil, err
	}
	if r.Rules, err = check.rules(false); err != nil {
		return nil, err
	}
	r.Files = files(disk, nil, r.Scaffold)
	r.Findings = display(findings, r.Scaffold)
	return r, nil
}

// checker runs the policies on the files on disk, through the cache.
type checker struct {
	ctx      context.Context
	engine   func() (*policy.Engine, error)
	cache    *cache.Store
	policies []config.Source
}

// key covers the policies and, for a check of the files on disk, every
// file's path and bytes, and the objects the charts render from them: the
// findings, their positions and the YAML problems follow from those alone.
func (c checker) key(kind string, disk *ondisk.Scaffold, manifests []policy.Document, values []finding.Finding) cache.Key {
	h := pipeline.HashPolicies(c.cache.NewKey(kind), c.policies)
	if disk != nil {
		h.String("files")
		for _, f := range disk.Files {
			h.String(f.Path).Bytes(f.Content)
		}
		h.Strings(disk.Unreadable())
	}
	if manifests != nil {
		k := pipeline.CheckKey(c.cache, nil, manifests)
		h.String("manifests").Bytes(k[:])
		data, _ := json.Marshal(values)
		h.Bytes(data)
	}
	return h.Sum()
}

// rules lists the rules a report names: the policies (described from the
// cache when they are known) and the built-in checks, all of them for a
// full vet, only the YAML check without sources.
func (c checker) rules(full bool) ([]report.Rule, error) {
	list, err := cache.Memo(c.cache, func() cache.Key { return c.key("rules", nil, nil, nil) }, func() ([]policy.Rule, error) {
		engine, err := c.engine()
		if err != nil {
			return nil, err
		}
		return engine.Rules(), nil
	})
	if err != nil {
		return nil, err
	}
	var out []report.Rule
	for _, r := range list {
		out = append(out, report.Rule{ID: r.ID, Kind: finding.KindPolicy, Title: r.Title, Description: r.Description})
	}
	for _, r := range BuiltinRules() {
		if full || r.ID == ondisk.RuleYAML {
			out = append(out, r)
		}
	}
	return out, nil
}

// disk runs the policies on the files on disk, and on the objects the
// charts render from them when deployed is not nil, and places each
// finding at its field's line. The values checks' findings of deployed
// join them.
func (c checker) disk(disk *ondisk.Scaffold, res *pipeline.Result, deployed *manifests.Result) ([]finding.Finding, error) {
	var objects []policy.Document
	var values []finding.Finding
	if deployed != nil {
		objects = pipeline.ManifestDocuments(res.Stack, deployed.Releases)
		if objects == nil {
			objects = []policy.Document{}
		}
		values = deployed.Findings
	}
	return cache.Memo(c.cache, func() cache.Key { return c.key("vet-disk", disk, objects, values) }, func() ([]finding.Finding, error) {
		engine, err := c.engine()
		if err != nil {
			return nil, err
		}
		fs, err := engine.Check(c.ctx, append(disk.Documents(), objects...))
		if err != nil {
			return nil, err
		}
		fs = disk.Filter(fs)
		disk.Locate(fs)
		fs = append(fs, values...)
		return append(fs, disk.Problems()...), nil
	})
}

// key identifies a policy finding across the rendered tree and the disk.
func key(f finding.Finding) string {
	k := f.Rule + "\x00" + f.File + "\x00" + report.Dotted(f.Field)
	if f.File == "" || f.Field == nil {
		k += "\x00" + f.Message
	}
	return k
}

// files lists the scaffold files checked: on disk and rendered.
func files(disk *ondisk.Scaffold, tree *scaffold.Tree, dir string) []string {
	var out []string
	for _, f := range disk.Files {
		if f.Kind != ondisk.Other {
			out = append(out, path.Join(dir, f.Path))
		}
	}
	if tree != nil {
		for _, f := range tree.Files {
			out = append(out, path.Join(dir, f.Path))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// display makes every scaffold path relative to the working directory,
// as CUE positions are, and sorts.
func display(fs []finding.Finding, dir string) []finding.Finding {
	for i := range fs {
		if fs[i].Kind != finding.KindCUE && fs[i].Kind != finding.KindWaiver && fs[i].File != "" {
			fs[i].File = path.Join(dir, fs[i].File)
		}
	}
	finding.Sort(fs)
	return fs
}

// cueFindings turns CUE errors into findings at the first position in a
// file of the user's; other positions are named in the message.
func cueFindings(err error) []finding.Finding {
	wd, _ := os.Getwd()
	var out []finding.Finding
	for _, e := range cueerrors.Errors(err) {
		f := finding.Finding{
			Severity: finding.Error, Rule: RuleCUE, Kind: finding.KindCUE, Message: e.Error(),
			Hint: "fix the config at this position; `dorgu-gen render` prints the same error with every position",
		}
		var others []string
		for _, p := range cueerrors.Positions(e) {
			pos := p.Position()
			if pos.Filename == "" {
				continue
			}
			user := filepath.IsAbs(pos.Filename) && !config.IsEmbedded(pos.Filename)
			name := pos.Filename
			if user {
				if rel, err := filepath.Rel(wd, name); err == nil && !strings.HasPrefix(rel, "..") {
					name = rel
				}
				name = filepath.ToSlash(name)
			}
			if user && f.File == "" {
				f.File, f.Line, f.Column = name, pos.Line, pos.Column
				continue
			}
			loc := fmt.Sprintf("%s:%d:%d", name, pos.Line, pos.Column)
			if !slices.Contains(others, loc) && loc != f.Location() {
				others = append(others, loc)
			}
		}
		if len(others) > 0 {
			f.Message += " (also " + strings.Join(others, ", ") + ")"
		}
		out = append(out, f)
	}
	return out
}
