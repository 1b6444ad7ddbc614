package helmrender

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/dorgu/dorgu-gen/internal/cache"
)

// Rendered is one release, rendered.
type Rendered struct {
	*Release
	Result  *Result
	Objects []Object
}

// Options tune RenderAll.
type Options struct {
	// Cache keeps renders by chart digest, values and every other input;
	// nil keeps nothing.
	Cache *cache.Store
	// Parallel bounds the renders under way at once; 0 means GOMAXPROCS.
	Parallel int
}

// RenderAll renders releases in parallel and returns them in the same
// order, with their objects.
//
// ArgoCD renders against the live cluster, whose API versions include
// those of every CRD the stack installed there. So a cluster's releases
// are rendered once with Kubernetes' own and the declared API versions,
// the CRDs they render are added to the cluster's API versions, and the
// releases whose charts ask .Capabilities.APIVersions are rendered again
// with them: the steady state after the first sync.
func RenderAll(ctx context.Context, releases []*Release, opts Options) ([]Rendered, error) {
	out := make([]Rendered, len(releases))
	for i, r := range releases {
		out[i].Release = r
	}
	if err := renderPass(ctx, out, opts, func(int) bool { return true }); err != nil {
		return nil, err
	}

	// What each cluster's CRDs add.
	type learned struct {
		scopes Scopes
		apis   map[string]bool
	}
	clusters := map[string]*learned{}
	for _, r := range out {
		l := clusters[r.Cluster]
		if l == nil {
			l = &learned{scopes: NewScopes(), apis: map[string]bool{}}
			clusters[r.Cluster] = l
		}
		crdScopes(r.Result.Docs, l.scopes, l.apis)
	}
	again := make([]bool, len(out))
	for i, r := range out {
		if r.apisFixed {
			continue
		}
		apis := clusterAPIs(r.Input.KubeVersion, r.declared, clusters[r.Cluster].apis)
		if asksAbout(r.Chart, r.Input.APIVersions, apis) {
			// A copy: the release may be shared with the caller.
			rel := *r.Release
			rel.Input.APIVersions = apis
			out[i].Release, again[i] = &rel, true
		}
	}
	if err := renderPass(ctx, out, opts, func(i int) bool { return again[i] }); err != nil {
		return nil, err
	}
	for i, r := range out {
		objs, err := objects(r.Cluster, r.Component, r.DestNamespace, clusters[r.Cluster].scopes, r.Result)
		if err != nil {
			return nil, fmt.Errorf("%s in cluster %s: %w", r.Component, r.Cluster, err)
		}
		out[i].Objects = objs
	}
	return out, nil
}

// asksAbout reports whether the chart's render can differ between the
// API versions before and after: it reads them in a way that cannot be
// told from its text, or it asks about one that was added.
func asksAbout(ch *Chart, before, after []string) bool {
	if slices.Equal(before, after) {
		return false
	}
	if ch.APIVersionsDynamic {
		return true
	}
	for _, v := range ch.APIVersionChecks {
		if slices.Contains(after, v) && !slices.Contains(before, v) {
			return true
		}
	}
	return false
}

// renderPass renders the selected releases, at most opts.Parallel at a
// time, each from the cache when it holds it.
func renderPass(ctx context.Context, out []Rendered, opts Options, selected func(int) bool) error {
	g, ctx := errgroup.WithContext(ctx)
	n := opts.Parallel
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	g.SetLimit(n)
	for i := range out {
		if !selected(i) {
			continue
		}
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			r := out[i].Release
			res, err := Cached(opts.Cache, r.Chart, r.Input)
			if err != nil {
				return fmt.Errorf("%s in cluster %s: chart %s %s: %w", r.Component, r.Cluster, r.Chart.Name, r.Chart.Version, err)
			}
			out[i].Result = res
			return nil
		})
	}
	return g.Wait()
}

// Cached renders a chart, or takes the render from store: a render
// depends on nothing but the chart's content, the inputs, and the binary
// (which the key covers), because the engine runs without a cluster.
func Cached(store *cache.Store, ch *Chart, in Input) (*Result, error) {
	return cache.Memo(store, func() cache.Key { return renderKey(store, ch, in) }, func() (*Result, error) {
		c, err := ch.Load()
		if err != nil {
			return nil, err
		}
		return Render(c, in)
	})
}

func renderKey(store *cache.Store, ch *Chart, in Input) cache.Key {
	data, err := json.Marshal(in)
	if err != nil {
		data = []byte(err.Error())
	}
	return store.NewKey("helm-template").String(ch.Digest).Bytes(data).Sum()
}

// Again renders the selected releases of a RenderAll once more, from
// scratch (never from a cache), and returns every release with its
// objects: the inputs are the final ones RenderAll settled on, and the
// objects' namespaces follow the CRDs of every release. Two renders of the
// same inputs differ only where a chart draws random or time-based values
// (randAlphaNum, genCA, now), which is how those are told from changes.
func Again(ctx context.Context, prev []Rendered, selected func(int) bool, parallel int) ([]Rendered, error) {
	out := make([]Rendered, len(prev))
	for i, r := range prev {
		out[i] = Rendered{Release: r.Release, Result: r.Result, Objects: r.Objects}
	}
	if err := renderPass(ctx, out, Options{Parallel: parallel}, selected); err != nil {
		return nil, err
	}
	scopes := map[string]Scopes{}
	for _, r := range out {
		s := scopes[r.Cluster]
		if s == nil {
			s = NewScopes()
			scopes[r.Cluster] = s
		}
		crdScopes(r.Result.Docs, s, map[string]bool{})
	}
	for i, r := range out {
		if !selected(i) {
			continue
		}
		objs, err := objects(r.Cluster, r.Component, r.DestNamespace, scopes[r.Cluster], r.Result)
		if err != nil {
			return nil, fmt.Errorf("%s in cluster %s: %w", r.Component, r.Cluster, err)
		}
		out[i].Objects = objs
	}
	return out, nil
}
