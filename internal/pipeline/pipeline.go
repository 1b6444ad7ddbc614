// Package pipeline runs the one-way flow that render and vet share: load
// the config, evaluate the CUE, plan the scaffold, run the charts step
// (check the values against the charts, render them, plan each AppProject
// from what they render) and check it all with the policies. Writing is
// left to the caller.
package pipeline

import (
	"context"
	"slices"
	"sync"

	"github.com/dorgu/dorgu-gen/internal/cache"
	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/limits"
	"github.com/dorgu/dorgu-gen/internal/manifests"
	"github.com/dorgu/dorgu-gen/internal/policy"
	"github.com/dorgu/dorgu-gen/internal/progress"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

// Result is a planned scaffold and, once checked, its findings.
type Result struct {
	Config *config.Config
	Stack  *stack.Stack
	// Tree holds the files to write: with --cluster, the selected
	// clusters' files only.
	Tree *scaffold.Tree
	// Findings are the policies' findings once checked, and the values
	// checks' of the charts step, before waivers: with --cluster, the
	// selected clusters' (and those about no cluster in particular).
	// Waived applies the waivers.
	Findings []finding.Finding
	// Manifests is what the charts of the written clusters deploy, once
	// the charts step ran; nil without it.
	Manifests *manifests.Result

	// all is every planned file: the policies check the selected clusters
	// in the context of the whole repository.
	all   *scaffold.Tree
	cache *cache.Store
	// planKey is the cache key of the plan, which the projects planned
	// from rendered objects extend.
	planKey cache.Key
	// engine compiles the policies once, on first use: a plan served from
	// the cache may never need them.
	engine func() (*policy.Engine, error)
	// checked is the cache key of the findings, once checked.
	checked cache.Key
	// unwaived are the findings of every cluster, before waivers.
	unwaived []finding.Finding
}

// Render loads, evaluates, plans, runs the charts step when WithCharts
// says so, and checks. An error means the sources could not be turned
// into a scaffold (exit code 2); policy and values findings are in the
// result. store may be nil: no cache.
func Render(ctx context.Context, opts config.Options, store *cache.Store, with ...Option) (*Result, error) {
	var o options
	for _, w := range with {
		w(&o)
	}
	cfg, err := config.Load(opts)
	if err != nil {
		return nil, err
	}
	res, err := Plan(ctx, cfg, store)
	if err != nil {
		return nil, err
	}
	if o.charts != nil {
		src, err := o.charts(ctx, cfg, res.Stack)
		if err != nil {
			return nil, err
		}
		if src != nil {
			if err := res.Charts(ctx, src); err != nil {
				return nil, err
			}
		}
	}
	return res, res.Check(ctx)
}

// Plan evaluates and plans a loaded config without running the policies:
// vet decides whether the rendered tree needs its own policy pass. A plan
// of the same sources by the same binary comes from store when it holds
// one.
func Plan(ctx context.Context, cfg *config.Config, store *cache.Store) (*Result, error) {
	res := &Result{
		Config: cfg,
		cache:  store,
		engine: sync.OnceValues(func() (*policy.Engine, error) { return policy.Compile(ctx, policy.SetOf(cfg)) }),
	}
	plan, err := cache.Memo(store, func() cache.Key { res.planKey = planKey(store, cfg); return res.planKey }, func() (planEntry, error) {
		// The policies compile while CUE evaluates: neither needs the
		// other. An evaluation error discards the compilation; it is not
		// waited for.
		go func() { _, _ = res.engine() }()
		plan, err := evaluate(ctx, cfg)
		if err != nil {
			return planEntry{}, err
		}
		// A broken policy is a configuration error, found before anything
		// is cached or written.
		if _, err := res.engine(); err != nil {
			return planEntry{}, err
		}
		return plan, nil
	})
	if err != nil {
		return nil, err
	}
	all := &scaffold.Tree{Files: plan.Files}
	res.Stack, res.Tree, res.all = plan.Stack, all, all
	if plan.Stack.Subset {
		res.Tree = selected(plan.Stack, all)
	}
	return res, nil
}

// evaluate evaluates the sources and plans their files within the
// evaluation time of ctx's limits (see limits.Eval): CUE evaluation cannot
// be interrupted, so a config that takes too long, or a signal, ends the
// wait with an error while the evaluation is left to the process's end.
func evaluate(ctx context.Context, cfg *config.Config) (planEntry, error) {
	return limits.Eval(ctx, func() (planEntry, error) {
		defer progress.Done(ctx)
		s, err := stack.Evaluate(ctx, cfg)
		if err != nil {
			return planEntry{}, err
		}
		progress.Report(ctx, "planning and checking the scaffold's files")
		tree, err := scaffold.Plan(s)
		if err != nil {
			return planEntry{}, err
		}
		return planEntry{Stack: s, Files: tree.Files}, nil
	})
}

// CheckKey is the cache key of the findings Check found: it stands for the
// policies and every planned document. Zero without a cache or a check.
func (r *Result) CheckKey() cache.Key { return r.checked }

// Engine returns the compiled policies, compiling them on first use.
func (r *Result) Engine() (*policy.Engine, error) { return r.engine() }

// Check runs the policies on the planned scaffold. With --cluster, only
// the selected clusters' findings (and those about no cluster in
// particular) are kept in Findings. Waivers are applied by Waived, after
// the cache: whether one has expired depends on the day, not the sources.
func (r *Result) Check(ctx context.Context) error {
	docs := Documents(r.all)
	var values []finding.Finding
	if r.Manifests != nil {
		docs = append(docs, ManifestDocuments(r.Stack, r.Manifests.Releases)...)
		values = r.Manifests.Findings
	}
	findings, err := cache.Memo(r.cache, func() cache.Key {
		r.checked = CheckKey(r.cache, r.Config.Policies, docs)
		return r.checked
	}, func() ([]finding.Finding, error) {
		progress.Report(ctx, "checking %d files with the policies", len(docs))
		defer progress.Done(ctx)
		e, err := r.engine()
		if err != nil {
			return nil, err
		}
		return e.Check(ctx, docs)
	})
	if err != nil {
		return err
	}
	if len(values) > 0 {
		findings = append(slices.Clone(findings), values...)
		finding.Sort(findings)
	}
	r.unwaived = findings
	r.Findings = r.selectedOnly(findings)
	return nil
}

// Waived returns the checked findings with the config's waivers applied as
// of today (YYYY-MM-DD), and the findings about the waivers themselves:
// with --cluster, the selected clusters' only.
func (r *Result) Waived(today string) []finding.Finding {
	// Every cluster was checked, so a waiver that matches nothing among
	// all their findings is unused, whichever clusters are written.
	o := WaiveOptions(r.Stack, today)
	o.Complete = nil
	return r.selectedOnly(finding.Waive(r.unwaived, r.Stack.Waivers, o))
}

// WaiveOptions says how waivers apply to the findings of a stack: the
// built-in rules, the clusters' environments as the config declares them,
// and, with --cluster, that only a waiver of a selected cluster can tell
// it matches nothing.
func WaiveOptions(s *stack.Stack, today string) finding.WaiveOptions {
	return finding.WaiveOptions{
		Today:       today,
		Builtin:     policy.IsBuiltin,
		Environment: s.Environment,
		Complete:    func(w finding.Waiver) bool { return !s.Subset || (w.Cluster != "" && s.Written(w.Cluster)) },
	}
}

// selectedOnly keeps the findings of the clusters written.
func (r *Result) selectedOnly(fs []finding.Finding) []finding.Finding {
	if !r.Stack.Subset {
		return fs
	}
	var kept []finding.Finding
	for _, f := range fs {
		if r.Stack.Written(f.Cluster) {
			kept = append(kept, f)
		}
	}
	return kept
}

// Documents turns the planned files the policies look at into their input.
func Documents(t *scaffold.Tree) []policy.Document {
	docs := make([]policy.Document, 0, len(t.Files))
	for _, f := range t.Files {
		if f.JSON == nil {
			continue
		}
		docs = append(docs, policy.Document{
			Path: f.Path, Kind: string(f.Kind), Cluster: f.Cluster,
			Component: f.Component, Environment: f.Environment, Content: f.JSON,
		})
	}
	return docs
}

// selected keeps the files of the selected clusters and the files of no
// cluster in particular: with --cluster, the other clusters are evaluated
// and checked only as context.
func selected(s *stack.Stack, t *scaffold.Tree) *scaffold.Tree {
	out := &scaffold.Tree{}
	for _, f := range t.Files {
		if s.Written(f.Cluster) {
			out.Files = append(out.Files, f)
		}
	}
	return out
}
