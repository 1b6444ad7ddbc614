// Package manifests is the charts step of the pipeline: from an evaluated
// stack and its planned scaffold, the values each component gives its
// chart are checked against the chart, and the charts are rendered as
// ArgoCD renders them, giving the Kubernetes objects every cluster gets.
// It knows nothing of where charts come from: a helmrender.ChartSource
// provides them.
package manifests

import (
	"context"
	"fmt"
	"maps"
	"path"
	"runtime"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/dorgu/dorgu-gen/internal/cache"
	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/helmrender"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
	"github.com/dorgu/dorgu-gen/internal/stack"
	"github.com/dorgu/dorgu-gen/internal/valuescheck"
)

// Options tune Build.
type Options struct {
	// Cache keeps renders and values checks; nil keeps nothing.
	Cache *cache.Store
	// Parallel bounds the charts rendered at once; 0 means GOMAXPROCS.
	Parallel int
	// Keep selects the clusters and components to build; nil keeps every
	// component of the written clusters.
	Keep func(cluster, component string) bool
	// Dir is prefixed to the values files' paths in findings (the scaffold
	// directory, as the user names it).
	Dir string
}

// Result is what the charts of a stack deploy.
type Result struct {
	// Releases are the rendered releases, by cluster (in the stack's
	// order), then component (sync wave, then name).
	Releases []helmrender.Rendered
	// Objects are every release's objects, in the same order, and within
	// a release in the order helm template prints them.
	Objects []helmrender.Object
	// Findings are the values checks' findings, sorted.
	Findings []finding.Finding
}

// Build checks the values and renders the charts of the written clusters
// of s. An error is a chart that could not be had, loaded or rendered.
func Build(ctx context.Context, s *stack.Stack, tree *scaffold.Tree, charts helmrender.ChartSource, opts Options) (*Result, error) {
	rels, err := helmrender.Releases(ctx, s, tree, charts, opts.Keep)
	if err != nil {
		return nil, err
	}
	findings, err := checkValues(ctx, rels, opts)
	if err != nil {
		return nil, err
	}
	rendered, err := helmrender.RenderAll(ctx, rels, helmrender.Options{Cache: opts.Cache, Parallel: opts.Parallel})
	if err != nil {
		return nil, err
	}
	res := &Result{Releases: rendered, Findings: findings}
	for _, r := range rendered {
		res.Objects = append(res.Objects, r.Objects...)
	}
	return res, nil
}

// checkValues checks every release's values file, in parallel, each from
// the cache when the same chart and bytes were checked before.
func checkValues(ctx context.Context, rels []*helmrender.Release, opts Options) ([]finding.Finding, error) {
	per := make([][]finding.Finding, len(rels))
	g, ctx := errgroup.WithContext(ctx)
	n := opts.Parallel
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	g.SetLimit(n)
	for i, r := range rels {
		if r.ValuesPath == "" {
			continue
		}
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			t := valuescheck.Target{
				File: path.Join(opts.Dir, r.ValuesPath), Content: r.Input.ValuesFiles[0],
				Cluster: r.Cluster, Component: r.Component, Freeform: r.Freeform, Origins: r.Origins,
			}
			fs, err := cache.Memo(opts.Cache, func() cache.Key { return checkKey(opts.Cache, r.Chart, t) }, func() ([]finding.Finding, error) {
				ch, err := r.Chart.Load()
				if err != nil {
					return nil, err
				}
				return valuescheck.Check(ch, t)
			})
			if err != nil {
				return fmt.Errorf("%s in cluster %s: %w", r.Component, r.Cluster, err)
			}
			per[i] = fs
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var out []finding.Finding
	for _, fs := range per {
		out = append(out, fs...)
	}
	finding.Sort(out)
	return out, nil
}

func checkKey(store *cache.Store, ch *helmrender.Chart, t valuescheck.Target) cache.Key {
	return store.NewKey("values-check").String(ch.Digest).
		Strings([]string{t.File, t.Cluster, t.Component}).Strings(t.Freeform).Strings(origins(t.Origins)).Bytes(t.Content).Sum()
}

// origins lists a map's entries in key order, for a key.
func origins(m map[string]string) []string {
	keys := slices.Sorted(maps.Keys(m))
	out := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		out = append(out, k, m[k])
	}
	return out
}
