package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"

	"cuelang.org/go/cue"
	"golang.org/x/sync/errgroup"

	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/progress"
)

// Evaluate evaluates cfg's sources. Errors are CUE errors carrying the
// positions of the offending fields. What it is doing is reported to ctx's
// progress listener.
func Evaluate(ctx context.Context, cfg *config.Config) (*Stack, error) {
	progress.Report(ctx, "loading the CUE sources")
	e, err := load(cfg, true)
	if err != nil {
		return nil, err
	}
	s := &Stack{Repo: e.repo, MultiCluster: len(e.clusters) > 1, Subset: len(e.selected) < len(e.clusters)}
	if s.Waivers, err = e.waivers(); err != nil {
		return nil, err
	}
	if m := e.root.LookupPath(pathChartMirrors); m.Exists() {
		if err := m.Decode(&s.ChartMirrors); err != nil {
			return nil, err
		}
	}
	if p := e.root.LookupPath(pathPromotion); p.Exists() {
		if err := p.Decode(&s.Promotion); err != nil {
			return nil, err
		}
	}
	s.Selected = e.selected
	// Every cluster is evaluated, even with --cluster: policies that
	// compare clusters (promotion, unique names) need them all; only the
	// selected ones are written.
	if s.Clusters, err = e.evaluateClusters(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// evaluateClusters evaluates every cluster. Clusters are independent, so
// they are evaluated in parallel; a CUE context is not safe for concurrent
// use, so each worker after the first loads the sources into its own. The
// result is in name order whatever the scheduling, and so is the error
// reported: the first cluster's, in name order.
func (e *evaluator) evaluateClusters(ctx context.Context) ([]*Cluster, error) {
	names := slices.Sorted(maps.Keys(e.clusters))
	out := make([]*Cluster, len(names))
	errs := make([]error, len(names))
	// Another worker costs a load of the sources (tens of milliseconds);
	// below a few clusters per worker it does not pay.
	workers := max(1, min(runtime.GOMAXPROCS(0), len(names)/clustersPerWorker))
	// The evaluators not in use. At most workers tasks run at once, so
	// one is always free; nil stands for one not loaded yet.
	free := make(chan *evaluator, workers)
	free <- e
	for range workers - 1 {
		free <- nil
	}
	var g errgroup.Group
	g.SetLimit(workers)
	var started atomic.Int64
	for i, name := range names {
		g.Go(func() error {
			progress.Report(ctx, "evaluating cluster %s (%d/%d)", name, started.Add(1), len(names))
			ev := <-free
			defer func() { free <- ev }()
			if ev == nil {
				var err error
				if ev, err = load(e.cfg, false); err != nil {
					return err // the same sources loaded once already
				}
			}
			out[i], errs[i] = ev.cluster(name)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// clustersPerWorker is how many clusters justify a worker of their own.
const clustersPerWorker = 4

// cluster evaluates one cluster: its root Application and every enabled
// component unified with its persona.
func (e *evaluator) cluster(name string) (*Cluster, error) {
	cv := e.clusters[name]
	c := &Cluster{Name: name}
	c.Environment, _ = cv.LookupPath(clusterEnvironment).String()
	c.Provider, _ = cv.LookupPath(clusterProvider).String()
	c.Ingress, _ = cv.LookupPath(clusterIngress).String()
	c.ManagedBy, _ = cv.LookupPath(clusterManagedBy).String()
	c.KubeVersion, _ = cv.LookupPath(clusterKubeVersion).String()
	if v := cv.LookupPath(clusterAPIVersions); v.Exists() {
		if err := v.Decode(&c.APIVersions); err != nil {
			return nil, err
		}
	}

	deps := e.clusterDeps(cv)
	enabled, err := e.enabled(name, cv, deps)
	if err != nil {
		return nil, err
	}
	w := waves(deps, enabled)

	// The persona is validated once, with the clusters; every component
	// gets it as plain data, which unifies without re-resolving the
	// persona's defaults for each of them.
	persona, err := concrete(cv)
	if err != nil {
		return nil, err
	}
	root := e.root.LookupPath(pathRootDef).Unify(e.args.FillPath(argCluster, persona))
	if c.Root, err = document(root.LookupPath(pathApplication)); err != nil {
		return nil, err
	}
	if c.Manages = e.manages[name]; len(c.Manages) > 0 {
		roots := e.root.LookupPath(pathRootsDef).Unify(e.args.FillPath(argCluster, persona).FillPath(argRoots, append([]string{name}, c.Manages...)))
		if c.Roots, err = document(roots.LookupPath(pathApplication)); err != nil {
			return nil, err
		}
	}

	repos := map[string]bool{e.repo.URL: true}
	namespaces := map[string]bool{}
	kinds := map[GroupKind]bool{}
	clusterArgs := e.args.FillPath(argCluster, persona).FillPath(argPublished, e.published(enabled, persona))
	for _, n := range enabled {
		// One unification per component and cluster: filling #cluster and
		// #wave one after the other would evaluate the component twice.
		args := clusterArgs.FillPath(argWave, w[n])
		inst := e.components[n].v.Unify(args)
		comp, err := e.component(inst, n, cv)
		if err != nil {
			return nil, err
		}
		comp.Wave = w[n]
		c.Components = append(c.Components, comp)
		repos[comp.SourceRepoURL] = true
		namespaces[comp.Namespace] = true
		var gks []GroupKind
		if err := inst.LookupPath(compClusterResources).Decode(&gks); err != nil {
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

	if c.ProjectIn, err = e.projectInput(repos, namespaces, kinds); err != nil {
		return nil, err
	}
	if c.Project, err = e.project(persona, c.ProjectIn); err != nil {
		return nil, err
	}
	return c, nil
}

// enabled returns the components that run in a cluster, sorted, once it
// is sure that every one's dependencies run there too.
func (e *evaluator) enabled(name string, cv cue.Value, deps map[string][]string) ([]string, error) {
	var enabled []string
	for _, n := range slices.Sorted(maps.Keys(e.components)) {
		if e.components[n].enabledIn(cv, n) {
			enabled = append(enabled, n)
		}
	}
	var p problems
	for _, n := range enabled {
		_, own := overriddenDeps(cv)[n]
		for i, d := range deps[n] {
			if slices.Contains(enabled, d) {
				continue
			}
			// Point at what disabled d in this cluster, else at what
			// enabled n, else at the dependency, else at the cluster's
			// ingress when that is what brings the dependency, else at
			// the cluster.
			byIngress := !own && i >= len(e.deps[n])
			where := cv
			if byIngress {
				where = cv.LookupPath(clusterIngress)
			}
			pos := firstUserPos(
				cv.LookupPath(overridePath(d, overrideEnabled)),
				cv.LookupPath(overridePath(n, overrideEnabled)),
				cv.LookupPath(overridePath(n, overrideDependsOn).Append(cue.Index(i))),
				e.components[n].v.LookupPath(compDependsOn.Append(cue.Index(i))),
				where, cv)
			if !pos.IsValid() {
				pos = e.depPos(cv, n, i)
			}
			because := ""
			if byIngress {
				because = fmt.Sprintf(" (its ingressDependsOn for ingress %q)", ingressOf(cv))
			}
			disable := fmt.Sprintf(", disable %s,", n)
			if e.components[n].requiredIn(cv) {
				disable = "" // it cannot be disabled
			}
			p.addf(pos, "clusters.%s: %s depends on %s%s, which is disabled in this cluster; enable %s%s or give %s the dependencies it has here (clusters.%s.components.%s.dependsOn)", name, n, d, because, d, disable, n, name, n)
		}
	}
	return enabled, p.err()
}

// published lists the UIs a cluster's enabled components publish, for its
// Gateway: <publishes>.<domain>, in the component's namespace.
func (e *evaluator) published(enabled []string, persona map[string]any) []map[string]string {
	domain, _ := persona["domain"].(string)
	out := []map[string]string{}
	for _, n := range enabled {
		if c := e.components[n]; c.publishes != "" {
			out = append(out, map[string]string{"component": n, "host": c.publishes + "." + domain, "namespace": c.namespace})
		}
	}
	return out
}

// projectInput is what a cluster's AppProject allows as its components
// declare it: the repositories, namespaces and cluster-scoped kinds they
// use, and the baseline kinds.
func (e *evaluator) projectInput(repos, namespaces map[string]bool, kinds map[GroupKind]bool) (ProjectInput, error) {
	var baseline []GroupKind
	if err := e.root.LookupPath(pathBaselineKinds).Decode(&baseline); err != nil {
		return ProjectInput{}, err
	}
	for _, gk := range baseline {
		kinds[gk] = true
	}
	return ProjectInput{
		SourceRepos:      slices.Sorted(maps.Keys(repos)),
		Namespaces:       slices.Sorted(maps.Keys(namespaces)),
		ClusterResources: slices.SortedFunc(maps.Keys(kinds), GroupKind.Compare),
	}, nil
}

func (e *evaluator) component(inst cue.Value, name string, cv cue.Value) (*Component, error) {
	comp := &Component{Name: name}
	comp.Description, _ = inst.LookupPath(compDescription).String()
	comp.RepoURL, _ = inst.LookupPath(compChartRepoURL).String()
	comp.SourceRepoURL, _ = inst.LookupPath(compSourceRepoURL).String()
	comp.Chart, _ = inst.LookupPath(compChartName).String()
	comp.Namespace, _ = inst.LookupPath(compNamespace).String()
	comp.Deprecated, _ = inst.LookupPath(compDeprecated).String()
	if err := inst.LookupPath(compFreeformValues).Decode(&comp.FreeformValues); err != nil {
		return nil, err
	}
	var secrets []RequiredSecret
	if err := inst.LookupPath(compRequiresSecrets).Decode(&secrets); err != nil {
		return nil, err
	}
	if len(secrets) > 0 { // nil otherwise, as a cached stack reads it back
		comp.RequiresSecrets = secrets
	}
	version, _ := inst.LookupPath(compVersion).Default()
	comp.Version, _ = version.String()

	var err error
	if comp.Application, err = document(inst.LookupPath(pathApplication)); err != nil {
		return nil, err
	}
	layers := make([]cue.Value, 0, len(compValueLayers)+1)
	for _, p := range compValueLayers {
		layers = append(layers, inst.LookupPath(p))
	}
	layers = append(layers, cv.LookupPath(overridePath(name, overrideValues)))
	// Where the user's files set values, for findings about them. The
	// component's own layers are looked at only when the user's files
	// touch the component: the embedded ones' positions are dorgu-gen's
	// sources.
	touched := userPos(e.components[name].v)
	own := touched.IsValid() && !config.IsEmbedded(touched.Filename())
	d := valuesDecoder{dir: e.cfg.WorkDir}
	values := map[string]any{}
	for i, l := range layers {
		if !l.Exists() {
			continue
		}
		if err := l.Validate(cue.Concrete(true), cue.Final()); err != nil {
			return nil, err
		}
		d.record = own || i == len(layers)-1
		m, err := d.layer(l)
		if err != nil {
			return nil, err
		}
		values = mergeValues(values, m)
	}
	if comp.Values, err = json.Marshal(values); err != nil {
		return nil, err
	}
	comp.ValueOrigins = d.origins
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
