package stack

import (
	"maps"
	"slices"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/token"
)

// A component's dependencies decide the sync waves of a cluster. They are
// data, read once: the component's dependsOn, plus what its
// ingressDependsOn lists for the cluster's ingress (the component that
// serves the cluster's UIs), unless the cluster gives the component a list
// of its own. A dependsOn computed from the cluster in CUE would need every
// component evaluated once more per cluster, and a default disjunction
// would silently turn a list that reads a missing field into [].

// ingresses are the persona's choices of ingress (schema/persona.cue).
var ingresses = []string{"nginx", "gateway"}

// ingressOf reads a cluster's ingress.
func ingressOf(cv cue.Value) string {
	if s, err := cv.LookupPath(clusterIngress).String(); err == nil {
		return s
	}
	return ingresses[0]
}

// graphFor returns the dependency graph of the components for an ingress,
// without any cluster's own lists. It shares e.deps when no component
// depends on the ingress.
func (e *evaluator) graphFor(ingress string) map[string][]string {
	if len(e.ingressDeps) == 0 {
		return e.deps
	}
	if g, ok := e.graphs[ingress]; ok {
		return g
	}
	g := maps.Clone(e.deps)
	for n, byIngress := range e.ingressDeps {
		if extra := byIngress[ingress]; len(extra) > 0 {
			g[n] = append(slices.Clip(g[n]), extra...)
		}
	}
	if e.graphs == nil {
		e.graphs = map[string]map[string][]string{}
	}
	e.graphs[ingress] = g
	return g
}

// clusterDeps returns the dependency graph of a cluster: its ingress's,
// with each list the cluster gives a component in its place.
func (e *evaluator) clusterDeps(cv cue.Value) map[string][]string {
	g := e.graphFor(ingressOf(cv))
	over := overriddenDeps(cv)
	if len(over) == 0 {
		return g
	}
	g = maps.Clone(g)
	for n, ds := range over {
		if _, ok := e.components[n]; ok {
			g[n] = ds
		}
	}
	return g
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

// depPos returns where the i-th dependency of a component in a cluster's
// graph is written: the cluster's own list, else the component's dependsOn,
// else its ingressDependsOn for the cluster's ingress.
func (e *evaluator) depPos(cv cue.Value, component string, i int) token.Pos {
	if v := cv.LookupPath(overridePath(component, overrideDependsOn)); v.Exists() {
		return userPos(v.LookupPath(index(i)))
	}
	if n := len(e.deps[component]); i < n {
		return userPos(e.components[component].v.LookupPath(compDependsOn.Append(cue.Index(i))))
	} else {
		i -= n
	}
	return userPos(e.components[component].v.LookupPath(compIngressDependsOn.Append(cue.Str(ingressOf(cv)), cue.Index(i))))
}

// checkGraphs checks the graph of each ingress and of every cluster that
// gives a component a list of its own: that each dependency names a
// component, and that there is no cycle. indexComponents has checked the
// names of the components' own lists.
func (e *evaluator) checkGraphs(p *problems) {
	if len(e.ingressDeps) > 0 {
		for _, ing := range ingresses {
			if cyc := findCycle(e.graphFor(ing)); cyc != nil {
				p.addf(userPos(e.components[cyc[0]].v.LookupPath(compDependsOn)), "dependsOn cycle for a cluster with ingress %q: %s; sync waves need an order, so one of these dependencies must go", ing, cycleString(cyc))
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(e.clusters)) {
		cv := e.clusters[name]
		over := overriddenDeps(cv)
		if len(over) == 0 {
			continue
		}
		bad := false
		for _, n := range slices.Sorted(maps.Keys(over)) {
			if _, ok := e.components[n]; !ok {
				continue // checkOverrides reports it
			}
			for i, d := range over[n] {
				if _, ok := e.components[d]; ok {
					continue
				}
				bad = true
				p.addf(e.depPos(cv, n, i), "clusters.%s.components.%s.dependsOn: unknown component %q%s", name, n, d, known(d, slices.Sorted(maps.Keys(e.components))))
			}
		}
		if bad {
			continue
		}
		if cyc := findCycle(e.clusterDeps(cv)); cyc != nil {
			p.addf(e.cyclePos(cv, cyc), "dependsOn cycle in cluster %s: %s; sync waves need an order, so one of these dependencies must go", name, cycleString(cyc))
		}
	}
}

// cyclePos points at the first dependency of a cycle that the cluster
// wrote, else at the first component's dependsOn.
func (e *evaluator) cyclePos(cv cue.Value, cyc []string) token.Pos {
	for k := 0; k+1 < len(cyc); k++ {
		if v := cv.LookupPath(overridePath(cyc[k], overrideDependsOn)); v.Exists() {
			return userPos(v)
		}
	}
	return userPos(e.components[cyc[0]].v.LookupPath(compDependsOn))
}

// readIngressDeps reads a component's ingressDependsOn, checking that each
// names a component.
func (e *evaluator) readIngressDeps(name string, c cue.Value, names []string, p *problems) {
	v := c.LookupPath(compIngressDependsOn)
	if !v.Exists() {
		return
	}
	var byIngress map[string][]string
	if err := v.Decode(&byIngress); err != nil {
		p.addf(userPos(v), "components.%s.ingressDependsOn: a list of component names per ingress (%v)", name, ingresses)
		return
	}
	for _, ing := range slices.Sorted(maps.Keys(byIngress)) {
		for i, d := range byIngress[ing] {
			if !slices.Contains(names, d) {
				p.addf(userPos(v.LookupPath(cue.MakePath(cue.Str(ing), cue.Index(i)))), "components.%s.ingressDependsOn.%s: unknown component %q%s", name, ing, d, known(d, names))
			}
		}
	}
	if len(byIngress) > 0 {
		if e.ingressDeps == nil {
			e.ingressDeps = map[string]map[string][]string{}
		}
		e.ingressDeps[name] = byIngress
	}
}
