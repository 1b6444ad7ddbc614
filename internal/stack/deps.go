package stack

import (
	"fmt"
	"maps"
	"slices"

	"cuelang.org/go/cue"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
)

// A component's dependencies decide the sync waves of a cluster. Most are
// a fixed list; some depend on how the cluster publishes its UIs (ingress)
// or where it runs (provider), and a cluster may replace any component's
// list. Evaluating a component once per cluster only for its dependsOn
// would cost a fleet a unification per component and cluster, so a list
// that depends on the cluster is evaluated once per choice of ingress and
// provider, with nothing else of the cluster known: a list that needs more
// is an error at the component.

// choice is what of a cluster a component's dependsOn may depend on.
type choice struct {
	Ingress  string `json:"ingress"`
	Provider string `json:"provider"`
}

// defaultChoice is the persona's defaults, which the catalog shows.
var defaultChoice = choice{Ingress: "nginx", Provider: "generic"}

func (c choice) String() string {
	return fmt.Sprintf("ingress %q, provider %q", c.Ingress, c.Provider)
}

// choiceOf reads a cluster's choice.
func choiceOf(cv cue.Value) choice {
	c := defaultChoice
	if s, err := cv.LookupPath(clusterIngress).String(); err == nil {
		c.Ingress = s
	}
	if s, err := cv.LookupPath(clusterProvider).String(); err == nil {
		c.Provider = s
	}
	return c
}

// choiceDeps returns the dependencies of a component whose dependsOn
// depends on the cluster, for one choice, and the list's value (for
// positions). Each is evaluated once per evaluator.
func (e *evaluator) choiceDeps(name string, ch choice) ([]string, cue.Value, cueerrors.Error) {
	k := choiceKey{name, ch}
	if r, ok := e.choiceCache[k]; ok {
		return r.deps, r.v, r.err
	}
	// Closed, so that a list that reads any other field of the cluster is
	// an error rather than a list computed without it.
	cluster := e.root.Context().CompileString(fmt.Sprintf("close({ingress: %q, provider: %q})", ch.Ingress, ch.Provider))
	v := e.components[name].v.Unify(e.args.FillPath(argCluster, cluster)).LookupPath(compDependsOn)
	var ds []string
	var err cueerrors.Error
	if concreteList(v, &ds) != nil {
		err = errorf(userPos(e.components[name].v.LookupPath(compDependsOn)), "components.%s.dependsOn: not a list of component names for a cluster with %s; it may depend on #cluster.ingress and #cluster.provider only", name, ch)
	}
	if e.choiceCache == nil {
		e.choiceCache = map[choiceKey]choiceResult{}
	}
	e.choiceCache[k] = choiceResult{ds, v, err}
	return ds, v, err
}

type choiceKey struct {
	name string
	ch   choice
}

type choiceResult struct {
	deps []string
	v    cue.Value
	err  cueerrors.Error
}

// clusterDeps returns the dependency graph of a cluster: each component's
// dependsOn for the cluster's choice, or the cluster's own list for it.
// It shares e.deps when nothing differs.
func (e *evaluator) clusterDeps(cv cue.Value) (map[string][]string, cueerrors.Error) {
	over := overriddenDeps(cv)
	if len(e.perChoice) == 0 && len(over) == 0 {
		return e.deps, nil
	}
	ch := choiceOf(cv)
	deps := maps.Clone(e.deps)
	for _, n := range e.perChoice {
		ds, _, err := e.choiceDeps(n, ch)
		if err != nil {
			return nil, err
		}
		deps[n] = ds
	}
	for n, ds := range over {
		if _, ok := e.components[n]; ok {
			deps[n] = ds
		}
	}
	return deps, nil
}

// overriddenDeps returns the components whose dependsOn a cluster replaces.
func overriddenDeps(cv cue.Value) map[string][]string {
	var out map[string][]string
	for _, o := range fields(cv.LookupPath(clusterComponents)) {
		v := o.LookupPath(overrideDependsOn)
		if !v.Exists() {
			continue
		}
		var ds []string
		if v.Decode(&ds) != nil {
			continue // the schema reports it
		}
		if out == nil {
			out = map[string][]string{}
		}
		out[label(o)] = ds
	}
	return out
}

// depPos returns where a dependency of a component in a cluster is
// written: the cluster's own list, else the component's.
func (e *evaluator) depPos(cv cue.Value, component string, i int) token.Pos {
	if v := cv.LookupPath(overridePath(component, overrideDependsOn)); v.Exists() {
		return userPos(v.LookupPath(index(i)))
	}
	if slices.Contains(e.perChoice, component) {
		if _, v, err := e.choiceDeps(component, choiceOf(cv)); err == nil {
			if p := v.LookupPath(index(i)).Pos(); p.IsValid() {
				return userPos(v.LookupPath(index(i)))
			}
		}
	}
	return userPos(e.components[component].v.LookupPath(compDependsOn.Append(cue.Index(i))))
}

// checkGraphs checks the dependency graph of every cluster: that each
// dependency names a component, and that there is no cycle. Clusters with
// the same choice and no list of their own share one graph, checked once.
func (e *evaluator) checkGraphs(p *problems) {
	checked := map[choice]bool{}
	for _, name := range slices.Sorted(maps.Keys(e.clusters)) {
		cv := e.clusters[name]
		over := overriddenDeps(cv)
		ch := choiceOf(cv)
		if len(over) == 0 && (len(e.perChoice) == 0 || checked[ch]) {
			continue
		}
		if len(over) == 0 {
			checked[ch] = true
		}
		deps, err := e.clusterDeps(cv)
		if err != nil {
			p.add(err)
			continue
		}
		bad := false
		for _, n := range slices.Sorted(maps.Keys(deps)) {
			_, own := over[n]
			if !own && !slices.Contains(e.perChoice, n) {
				continue // checked once, in indexComponents
			}
			for i, d := range deps[n] {
				if _, ok := e.components[d]; ok {
					continue
				}
				bad = true
				where := fmt.Sprintf("components.%s.dependsOn (for a cluster with %s)", n, ch)
				if own {
					where = fmt.Sprintf("clusters.%s.components.%s.dependsOn", name, n)
				}
				p.addf(e.depPos(cv, n, i), "%s: unknown component %q%s", where, d, known(d, slices.Sorted(maps.Keys(e.components))))
			}
		}
		if bad {
			continue
		}
		if cyc := findCycle(deps); cyc != nil {
			where := fmt.Sprintf("for a cluster with %s", ch)
			if len(over) > 0 {
				where = "in cluster " + name
			}
			p.addf(e.cyclePos(cv, cyc), "dependsOn cycle %s: %s; sync waves need an order, so one of these dependencies must go", where, cycleString(cyc))
		}
	}
}

// cyclePos points at the first dependency of a cycle that the cluster
// wrote, else at the first component's.
func (e *evaluator) cyclePos(cv cue.Value, cyc []string) token.Pos {
	for k := 0; k+1 < len(cyc); k++ {
		if v := cv.LookupPath(overridePath(cyc[k], overrideDependsOn)); v.Exists() {
			return userPos(v)
		}
	}
	return userPos(e.components[cyc[0]].v.LookupPath(compDependsOn))
}

// concreteList decodes a list of strings that holds no error: Decode alone
// drops the elements of a comprehension whose condition is an error (a
// field the cluster does not have).
func concreteList(v cue.Value, out *[]string) error {
	if err := v.Validate(cue.Concrete(true)); err != nil {
		return err
	}
	return v.Decode(out)
}
