package kubeyaml

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Value returns what a YAML 1.2 reader reads from a yaml.v3 node, in the
// types Doc.Value has. It stands in for yaml.v3's Node.Decode, whose check
// for keys given twice compares every key with every other: a file of a
// few ten thousand keys took minutes. Scalars are resolved by the tags
// yaml.v3's parser gives them; a key given twice is an error, as for
// yaml.v3; a merge key brings in the keys the mapping does not have (the
// first of several merged mappings wins), as the YAML merge key type says;
// an alias is read once, however often it is used.
func Value(n *yaml.Node) (any, error) {
	r := reader{aliases: map[*yaml.Node]any{}, busy: map[*yaml.Node]bool{}}
	return r.value(n)
}

type reader struct {
	aliases map[*yaml.Node]any
	busy    map[*yaml.Node]bool
}

// valueError is an error at a line of the file.
type valueError struct {
	line int
	msg  string
}

func (e *valueError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func (r *reader) value(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return r.value(n.Content[0])
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, &valueError{n.Line, "unknown anchor " + n.Value}
		}
		if v, ok := r.aliases[n.Alias]; ok {
			return v, nil
		}
		if r.busy[n.Alias] {
			return nil, &valueError{n.Line, "anchor " + n.Value + " contains itself"}
		}
		r.busy[n.Alias] = true
		v, err := r.value(n.Alias)
		delete(r.busy, n.Alias)
		if err != nil {
			return nil, err
		}
		r.aliases[n.Alias] = v
		return v, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := r.value(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		return r.mapping(n)
	case yaml.ScalarNode:
		v, err := scalar(n)
		if err != nil {
			return nil, err
		}
		return jsonScalar(v), nil
	}
	return nil, &valueError{n.Line, "unknown YAML node"}
}

func (r *reader) mapping(n *yaml.Node) (map[string]any, error) {
	out := make(map[string]any, len(n.Content)/2)
	lines := make(map[string]int, len(n.Content)/2)
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		key, err := r.key(k)
		if err != nil {
			return nil, err
		}
		if first, ok := lines[key]; ok {
			return nil, &valueError{k.Line, fmt.Sprintf("mapping key %q already defined at line %d", key, first)}
		}
		lines[key] = k.Line
		val, err := r.value(v)
		if err != nil {
			return nil, err
		}
		out[key] = val
	}
	for _, m := range merges {
		if err := r.merge(out, m); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// merge adds the keys of the mapping (or of each mapping of the sequence)
// m that out does not have.
func (r *reader) merge(out map[string]any, m *yaml.Node) error {
	target := m
	for target.Kind == yaml.AliasNode && target.Alias != nil {
		target = target.Alias
	}
	var maps []*yaml.Node
	switch target.Kind {
	case yaml.MappingNode:
		maps = []*yaml.Node{m}
	case yaml.SequenceNode:
		maps = target.Content
	default:
		return &valueError{m.Line, "map merge requires map or sequence of maps as the value"}
	}
	for _, mm := range maps {
		v, err := r.value(mm)
		if err != nil {
			return err
		}
		src, ok := v.(map[string]any)
		if !ok {
			return &valueError{mm.Line, "map merge requires map or sequence of maps as the value"}
		}
		for k, e := range src {
			if _, ok := out[k]; !ok {
				out[k] = e
			}
		}
	}
	return nil
}

// key returns a mapping key as a string, as normalize writes keys.
func (r *reader) key(k *yaml.Node) (string, error) {
	if k.Kind != yaml.ScalarNode {
		if k.Kind == yaml.AliasNode && k.Alias != nil && k.Alias.Kind == yaml.ScalarNode {
			return r.key(k.Alias)
		}
		return "", &valueError{k.Line, "a mapping key that is not a scalar"}
	}
	v, err := scalar(k)
	if err != nil {
		return "", err
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	return fmt.Sprint(v), nil
}

// scalar resolves a scalar node to a Go value by its tag, as yaml.v3
// decodes it into an interface.
func scalar(n *yaml.Node) (any, error) {
	s := n.Value
	bad := func() error {
		return &valueError{n.Line, fmt.Sprintf("cannot decode %q as %s", s, n.ShortTag())}
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		switch s {
		case "true", "True", "TRUE":
			return true, nil
		case "false", "False", "FALSE":
			return false, nil
		}
		return nil, bad()
	case "!!int":
		plain := strings.ReplaceAll(s, "_", "")
		if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return i, nil
		}
		if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return u, nil
		}
		if f, err := strconv.ParseFloat(plain, 64); err == nil {
			return f, nil
		}
		return nil, bad()
	case "!!float":
		switch strings.ToLower(strings.TrimPrefix(s, "+")) {
		case ".inf":
			return math.Inf(1), nil
		case "-.inf":
			return math.Inf(-1), nil
		case ".nan":
			return math.NaN(), nil
		}
		if f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64); err == nil {
			return f, nil
		}
		return nil, bad()
	case "!!binary":
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
		if err != nil {
			return nil, bad()
		}
		return string(b), nil
	}
	// !!str, !!timestamp (kept as its text, as Kubernetes reads it),
	// !!merge as a value, and tags of the user's own.
	return s, nil
}

// jsonScalar gives a scalar JSON's type: numbers as json.Number,
// non-finite floats as their text.
func jsonScalar(v any) any {
	switch x := v.(type) {
	case int64:
		return json.Number(strconv.FormatInt(x, 10))
	case uint64:
		return json.Number(strconv.FormatUint(x, 10))
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		return json.Number(strconv.FormatFloat(x, 'g', -1, 64))
	}
	return v
}
