package clusterdiff

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rogpeppe/go-internal/diff"
	"sigs.k8s.io/yaml"

	"github.com/dorgu/dorgu-gen/internal/helmrender"
	"github.com/dorgu/dorgu-gen/internal/kubeyaml"
)

// Compute reads and renders both sides and compares their objects.
//
// A release whose chart and render inputs are the same on both sides
// deploys the same objects, and is not compared. Every other release is
// rendered twice on each side: the fields that differ between two renders
// of the same inputs are regenerated at every render, and are compared
// as RegeneratedValue on both sides.
func Compute(ctx context.Context, base, head Side, opts Options) (*Result, error) {
	b, err := load(ctx, base, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", base.Label, err)
	}
	h, err := load(ctx, head, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", head.Label, err)
	}
	res := &Result{Base: base.Label, Head: head.Label}
	res.Notes = append(append(res.Notes, b.notes...), h.notes...)

	// Which releases change, and their second renders.
	unchanged := map[string]bool{}
	for k, br := range b.apps {
		if hr, ok := h.apps[k]; ok && sameRelease(b.rendered[br.index], h.rendered[hr.index]) {
			unchanged[k] = true
		}
	}
	again := func(l *loaded) ([]helmrender.Rendered, error) {
		return helmrender.Again(ctx, l.rendered, func(i int) bool {
			r := l.rendered[i]
			return !unchanged[r.Cluster+"/"+r.Component]
		}, opts.Parallel)
	}
	b2, err := again(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", base.Label, err)
	}
	h2, err := again(h)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", head.Label, err)
	}

	bg, hg := groups{}, groups{}
	regen := map[groupKey]map[ID][][]any{}
	addReleases := func(l *loaded, second []helmrender.Rendered, into groups) error {
		for i, r := range l.rendered {
			k := r.Cluster + "/" + r.Component
			if unchanged[k] {
				continue
			}
			g := groupKey{r.Cluster, l.apps[k].app}
			first, err := into.addRendered(g, r.Objects)
			if err != nil {
				return err
			}
			other, err := groups{}.addRendered(g, second[i].Objects)
			if err != nil {
				return err
			}
			if regen[g] == nil {
				regen[g] = map[ID][][]any{}
			}
			for id, doc := range first {
				if d2, ok := other[id]; ok {
					regen[g][id] = append(regen[g][id], differing(doc, d2, nil)...)
				}
			}
		}
		return nil
	}
	if err := addReleases(b, b2, bg); err != nil {
		return nil, err
	}
	if err := addReleases(h, h2, hg); err != nil {
		return nil, err
	}
	for g, docs := range b.manifests {
		bg.addDocs(g, docs)
	}
	for g, docs := range h.manifests {
		hg.addDocs(g, docs)
	}

	charts := map[groupKey]string{}
	for k, br := range b.apps {
		if !unchanged[k] {
			charts[groupKey{br.cluster, br.app}] = br.chart
		}
	}
	for k, hr := range h.apps {
		if unchanged[k] {
			continue
		}
		g := groupKey{hr.cluster, hr.app}
		charts[g] = chartChange(charts[g], hr.chart)
	}

	keys := slices.Collect(maps.Keys(bg))
	for g := range hg {
		if _, ok := bg[g]; !ok {
			keys = append(keys, g)
		}
	}
	slices.SortFunc(keys, func(x, y groupKey) int {
		return cmp.Or(cmp.Compare(x.cluster, y.cluster), cmp.Compare(x.app, y.app))
	})
	for _, g := range keys {
		app := App{Cluster: g.cluster, Name: g.app, Chart: charts[g]}
		if err := compareGroup(&app, bg[g], hg[g], regen[g]); err != nil {
			return nil, err
		}
		if len(app.Objects) > 0 || len(app.Regenerated) > 0 {
			res.Apps = append(res.Apps, app)
		}
	}
	slices.Sort(res.Notes)
	res.Notes = slices.Compact(res.Notes)
	return res, nil
}

// chartChange says what an Application renders on each side.
func chartChange(base, head string) string {
	switch base {
	case "", head:
		return head
	}
	bn, bv, _ := strings.Cut(base, " ")
	hn, hv, _ := strings.Cut(head, " ")
	if bn == hn {
		return bn + " " + bv + " → " + hv
	}
	return base + " → " + head
}

// groups are the objects of a side, by Application, then object.
type groups map[groupKey]map[ID]any

// addRendered adds a release's objects to Application g and returns them
// by ID.
func (gs groups) addRendered(g groupKey, objs []helmrender.Object) (map[ID]any, error) {
	out := map[ID]any{}
	for _, o := range objs {
		doc, err := decode(o.Object)
		if err != nil {
			return nil, fmt.Errorf("%s in cluster %s: %s: %w", o.Component, o.Cluster, o.Source, err)
		}
		id := gs.add(g, ID{APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name}, doc)
		out[id] = doc
	}
	return out, nil
}

// addDocs adds the objects of the scaffold's files to Application g.
func (gs groups) addDocs(g groupKey, docs []any) {
	for _, d := range docs {
		m := asMap(d)
		meta := asMap(m["metadata"])
		s := func(m map[string]any, k string) string { v, _ := m[k].(string); return v }
		gs.add(g, ID{APIVersion: s(m, "apiVersion"), Kind: s(m, "kind"), Namespace: s(meta, "namespace"), Name: s(meta, "name")}, d)
	}
}

// add adds an object, under a name of its own when the Application
// already has an object of that ID (ArgoCD would refuse both, and the
// diff shows each).
func (gs groups) add(g groupKey, id ID, doc any) ID {
	m := gs[g]
	if m == nil {
		m = map[ID]any{}
		gs[g] = m
	}
	base := id.Name
	for n := 2; ; n++ {
		if _, dup := m[id]; !dup {
			break
		}
		id.Name = fmt.Sprintf("%s (#%d)", base, n)
	}
	m[id] = doc
	return id
}

func decode(raw json.RawMessage) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

// match finds the object of the other side that an object is: the same
// kind and name, in the same API group (a new version of the same API is
// a change of the object, as the API server sees it).
func match(id ID, others map[ID]any) (ID, bool) {
	if _, ok := others[id]; ok {
		return id, true
	}
	for o := range others {
		if o.Kind == id.Kind && o.Namespace == id.Namespace && o.Name == id.Name && apiGroup(o.APIVersion) == apiGroup(id.APIVersion) {
			return o, true
		}
	}
	return ID{}, false
}

func apiGroup(apiVersion string) string {
	g, _, ok := strings.Cut(apiVersion, "/")
	if !ok {
		return ""
	}
	return g
}

// compareGroup compares an Application's objects on both sides.
func compareGroup(app *App, base, head map[ID]any, regen map[ID][][]any) error {
	seen := map[ID]bool{}
	for id, bdoc := range base {
		hid, ok := match(id, head)
		if !ok {
			o, err := single(id, Removed, bdoc)
			if err != nil {
				return err
			}
			app.Objects = append(app.Objects, o)
			continue
		}
		seen[hid] = true
		paths := append(slices.Clone(regen[id]), regen[hid]...)
		o, fields, err := changed(hid, bdoc, head[hid], paths)
		if err != nil {
			return err
		}
		if o != nil {
			app.Objects = append(app.Objects, *o)
		}
		if len(fields) > 0 {
			app.Regenerated = append(app.Regenerated, Regenerated{ID: hid, Fields: fields})
		}
	}
	for id, hdoc := range head {
		if seen[id] {
			continue
		}
		o, err := single(id, Added, hdoc)
		if err != nil {
			return err
		}
		app.Objects = append(app.Objects, o)
	}
	slices.SortFunc(app.Objects, func(a, b Object) int { return compareID(a.ID, b.ID) })
	slices.SortFunc(app.Regenerated, func(a, b Regenerated) int { return compareID(a.ID, b.ID) })
	return nil
}

// single is an object that only one side has.
func single(id ID, ch Change, doc any) (Object, error) {
	o := Object{ID: id, Change: ch}
	if isSecret(doc) {
		keys := maskSecret(doc, nil)
		o.SecretKeys = &KeyChanges{}
		if ch == Added {
			o.SecretKeys.Added = keys
		} else {
			o.SecretKeys.Removed = keys
		}
	}
	y, err := toYAML(doc)
	if err != nil {
		return Object{}, err
	}
	if ch == Added {
		o.Diff = hunks(nil, y)
	} else {
		o.Diff = hunks(y, nil)
	}
	return o, nil
}

// changed compares an object present on both sides, with the regenerated
// fields masked on both. It returns nil when only regenerated fields
// differ, and the regenerated fields whose values differ between the
// sides.
func changed(id ID, bdoc, hdoc any, regen [][]any) (*Object, []string, error) {
	var fields []string
	for _, p := range regen {
		bv, bok := at(bdoc, p)
		hv, hok := at(hdoc, p)
		if bok && hok {
			if _, same := kubeyaml.Equal(bv, hv); same {
				continue
			}
		}
		if bok || hok {
			fields = append(fields, kubeyaml.Dotted(p))
		}
		set(bdoc, p, RegeneratedValue)
		set(hdoc, p, RegeneratedValue)
	}
	slices.Sort(fields)
	fields = slices.Compact(fields)
	var keys *KeyChanges
	if isSecret(bdoc) || isSecret(hdoc) {
		keys = secretKeys(bdoc, hdoc)
	}
	by, err := toYAML(bdoc)
	if err != nil {
		return nil, nil, err
	}
	hy, err := toYAML(hdoc)
	if err != nil {
		return nil, nil, err
	}
	if bytes.Equal(by, hy) {
		return nil, fields, nil
	}
	if keys != nil && len(keys.Added)+len(keys.Removed)+len(keys.Changed) == 0 {
		keys = &KeyChanges{}
	}
	return &Object{ID: id, Change: Changed, Diff: hunks(by, hy), SecretKeys: keys}, fields, nil
}

// hunks is the unified diff of a and b without its file header.
func hunks(a, b []byte) string {
	d := diff.Diff("base", a, "head", b)
	// "diff base head", "--- base", "+++ head"
	for range 3 {
		_, rest, ok := bytes.Cut(d, []byte("\n"))
		if !ok {
			return ""
		}
		d = rest
	}
	return string(d)
}

func toYAML(doc any) ([]byte, error) {
	j, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return yaml.JSONToYAML(j)
}

// differing appends the paths at which a and b, two renders of the same
// object, differ: the leaves whose values differ, a map whose keys
// differ, a list whose length does.
func differing(a, b any, p []any) [][]any {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return [][]any{slices.Clone(p)}
		}
		var out [][]any
		for k, xv := range x {
			yv, ok := y[k]
			if !ok {
				return [][]any{slices.Clone(p)}
			}
			out = append(out, differing(xv, yv, append(p, k))...)
		}
		if len(y) != len(x) {
			return [][]any{slices.Clone(p)}
		}
		return out
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return [][]any{slices.Clone(p)}
		}
		var out [][]any
		for i := range x {
			out = append(out, differing(x[i], y[i], append(p, i))...)
		}
		return out
	}
	if _, same := kubeyaml.Equal(a, b); !same {
		return [][]any{slices.Clone(p)}
	}
	return nil
}

// at returns the value at path p of doc.
func at(doc any, p []any) (any, bool) {
	for _, seg := range p {
		switch s := seg.(type) {
		case string:
			m, ok := doc.(map[string]any)
			if !ok {
				return nil, false
			}
			if doc, ok = m[s]; !ok {
				return nil, false
			}
		case int:
			l, ok := doc.([]any)
			if !ok || s >= len(l) {
				return nil, false
			}
			doc = l[s]
		}
	}
	return doc, true
}

// set replaces the value at path p of doc, when there is one; the root
// cannot be replaced, so an object that is regenerated whole is compared
// as it is.
func set(doc any, p []any, v any) {
	if len(p) == 0 {
		return
	}
	parent, ok := at(doc, p[:len(p)-1])
	if !ok {
		return
	}
	switch s := p[len(p)-1].(type) {
	case string:
		if m, ok := parent.(map[string]any); ok {
			if _, has := m[s]; has {
				m[s] = v
			}
		}
	case int:
		if l, ok := parent.([]any); ok && s < len(l) {
			l[s] = v
		}
	}
}
