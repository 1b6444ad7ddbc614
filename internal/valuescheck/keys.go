package valuescheck

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	chart "helm.sh/helm/v4/pkg/chart/v2"
)

// Unknown is a key of the values that the chart does not read, as far as
// its values.yaml and schema tell.
type Unknown struct {
	Path []string
	// Suggestion is a known key at the same level that looks like what was
	// meant; "" when none does.
	Suggestion string
}

// Keys finds the keys of vals that neither the chart's values.yaml nor
// its schema names. Helm renders them without a word, so a typo does
// nothing. A subtree the chart leaves open is not checked: an empty map
// or a list in values.yaml, an open object in the schema
// (additionalProperties or patternProperties), a subchart's "global", or
// a path of freeform (dotted, relative to the top).
func Keys(ch *chart.Chart, vals map[string]any, freeform []string) []Unknown {
	var out []Unknown
	free := map[string]bool{}
	for _, f := range freeform {
		free[f] = true
	}
	walkKeys(ch, vals, nil, free, nil, &out)
	return out
}

// walkKeys checks the values of one chart: path is where the chart's
// values sit (a subchart's name below its parent's), and parentConds the
// keys its parent's conditions name in them (redis-ha.enabled).
func walkKeys(ch *chart.Chart, vals map[string]any, path []string, free map[string]bool, parentConds map[string]*level, out *[]Unknown) {
	subs := map[string]*chart.Chart{}
	for _, d := range ch.Dependencies() {
		subs[d.Name()] = d
	}
	// The key a dependency is known by in its parent's values: its alias
	// when it has one.
	for _, dep := range ch.Metadata.Dependencies {
		if dep.Alias != "" {
			if d, ok := subs[dep.Name]; ok {
				subs[dep.Alias] = d
			}
		}
	}
	var schema *schemaNode
	if ch.Schema != nil {
		var root any
		if json.Unmarshal(ch.Schema, &root) == nil {
			schema = &schemaNode{root: root, node: root}
		}
	}
	conds := conditionKeys(ch)
	own := map[string]*level{}
	maps.Copy(own, conds)
	maps.Copy(own, parentConds)
	known := &level{defaults: ch.Values, schema: schema, conditions: own}
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		p := append(append([]string(nil), path...), k)
		switch {
		case k == "global":
			continue
		case subs[k] != nil:
			if m, ok := vals[k].(map[string]any); ok {
				var sc map[string]*level
				if c := conds[k]; c != nil {
					sc = c.conditions
				}
				walkKeys(subs[k], m, p, free, sc, out)
			}
			continue
		}
		walkLevel(known, k, vals[k], p, free, out)
	}
}

// level is what a chart says about the keys of one map of its values.
type level struct {
	defaults   map[string]any
	schema     *schemaNode
	conditions map[string]*level // the dependency conditions and tags under this level
}

func (l *level) open() bool {
	if l.schema != nil && l.schema.open() {
		return true
	}
	// An empty map in values.yaml ({} for annotations, nodeSelector, ...)
	// and no schema properties: any key goes.
	if len(l.defaults) == 0 && (l.schema == nil || len(l.schema.properties()) == 0) && len(l.conditions) == 0 {
		return true
	}
	// A map whose default keys are label, annotation or ConfigMap keys
	// (kubernetes.io/ingress.class, admin.enabled): a chart's values
	// structure never names a key so, so it is data the chart copies.
	for k := range l.defaults {
		if strings.ContainsAny(k, "./") {
			return true
		}
	}
	return false
}

func (l *level) names() []string {
	set := map[string]bool{}
	for k := range l.defaults {
		set[k] = true
	}
	if l.schema != nil {
		for _, k := range l.schema.properties() {
			set[k] = true
		}
	}
	for k := range l.conditions {
		set[k] = true
	}
	return slices.Sorted(maps.Keys(set))
}

func (l *level) child(k string) (*level, bool) {
	_, inDefaults := l.defaults[k]
	var sub *schemaNode
	if l.schema != nil {
		sub = l.schema.property(k)
	}
	cond := l.conditions[k]
	if !inDefaults && sub == nil && cond == nil {
		return nil, false
	}
	c := &level{schema: sub}
	if m, ok := l.defaults[k].(map[string]any); ok {
		c.defaults = m
	} else if inDefaults && l.defaults[k] != nil {
		// A scalar or a list by default: whatever is under it is the
		// value's business (a list's items, a string's replacement).
		c.defaults = nil
		c.schema = &schemaNode{openAll: true}
	}
	if cond != nil {
		c.conditions = cond.conditions
		if c.defaults == nil && c.schema == nil {
			c.defaults = cond.defaults
		}
	}
	return c, true
}

func walkLevel(l *level, k string, v any, path []string, free map[string]bool, out *[]Unknown) {
	if free[strings.Join(path[:len(path)-1], ".")] || l.open() {
		return
	}
	c, ok := l.child(k)
	if !ok {
		*out = append(*out, Unknown{Path: path, Suggestion: suggest(k, l.names())})
		return
	}
	m, isMap := v.(map[string]any)
	if !isMap || free[strings.Join(path, ".")] {
		return
	}
	// A map where values.yaml has null (or nothing) and the schema says
	// nothing: the chart takes it as it is.
	if c.defaults == nil && c.schema == nil && c.conditions == nil {
		return
	}
	for _, ck := range slices.Sorted(maps.Keys(m)) {
		walkLevel(c, ck, m[ck], append(append([]string(nil), path...), ck), free, out)
	}
}

// conditionKeys are the values keys a chart's dependencies switch on
// (condition: cache.enabled, tags): known even when values.yaml leaves
// them out.
func conditionKeys(ch *chart.Chart) map[string]*level {
	root := map[string]*level{}
	add := func(path string) {
		lv := root
		parts := strings.Split(path, ".")
		for i, p := range parts {
			n := lv[p]
			if n == nil {
				n = &level{}
				lv[p] = n
			}
			if i < len(parts)-1 {
				if n.conditions == nil {
					n.conditions = map[string]*level{}
				}
				lv = n.conditions
			}
		}
	}
	for _, d := range ch.Metadata.Dependencies {
		for _, c := range strings.Split(d.Condition, ",") {
			if c = strings.TrimSpace(c); c != "" {
				add(c)
			}
		}
		for _, t := range d.Tags {
			add("tags." + t)
		}
	}
	return root
}

// schemaNode is a place in a chart's JSON schema, with local $refs
// followed.
type schemaNode struct {
	root    any
	node    any
	openAll bool
}

// resolved follows local $refs ("#/$defs/x") and gathers the schemas
// that must hold at this place (allOf) or may (anyOf, oneOf): a key any
// of them names is known.
func (s *schemaNode) all() []map[string]any {
	var out []map[string]any
	var visit func(n any, depth int)
	visit = func(n any, depth int) {
		m, ok := n.(map[string]any)
		if !ok || depth > 32 {
			return
		}
		out = append(out, m)
		if ref, ok := m["$ref"].(string); ok {
			if t := pointer(s.root, ref); t != nil {
				visit(t, depth+1)
			}
		}
		for _, kw := range []string{"allOf", "anyOf", "oneOf"} {
			if list, ok := m[kw].([]any); ok {
				for _, sub := range list {
					visit(sub, depth+1)
				}
			}
		}
	}
	visit(s.node, 0)
	return out
}

func (s *schemaNode) open() bool {
	if s.openAll {
		return true
	}
	for _, m := range s.all() {
		if ap, ok := m["additionalProperties"]; ok && ap != false {
			return true
		}
		if _, ok := m["patternProperties"]; ok {
			return true
		}
	}
	return false
}

func (s *schemaNode) properties() []string {
	if s.openAll {
		return nil
	}
	var out []string
	for _, m := range s.all() {
		if props, ok := m["properties"].(map[string]any); ok {
			for k := range props {
				out = append(out, k)
			}
		}
	}
	return out
}

func (s *schemaNode) property(k string) *schemaNode {
	if s.openAll {
		return nil
	}
	for _, m := range s.all() {
		if props, ok := m["properties"].(map[string]any); ok {
			if p, ok := props[k]; ok {
				return &schemaNode{root: s.root, node: p}
			}
		}
	}
	return nil
}

// pointer resolves a local JSON pointer reference ("#/$defs/a~1b").
func pointer(root any, ref string) any {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil
	}
	n := root
	for _, tok := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := n.(map[string]any)
		if !ok {
			return nil
		}
		n = m[tok]
	}
	return n
}
