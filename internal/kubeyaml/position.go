package kubeyaml

import (
	"encoding/json"
	"math"
	"slices"

	"go.yaml.in/yaml/v3"
)

// Position returns the line and column of field inside a YAML document:
// the key of the last step that exists (the line of `targetRevision:`
// itself), or 0, 0 when not even the first step does.
func Position(doc *yaml.Node, field []any) (line, col int) {
	n := doc
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return 0, 0
		}
		n = n.Content[0]
	}
	for _, seg := range field {
		for depth := 0; n.Kind == yaml.AliasNode && n.Alias != nil && depth < 100; depth++ {
			n = n.Alias
		}
		switch n.Kind {
		case yaml.MappingNode:
			key, ok := seg.(string)
			if !ok {
				return line, col
			}
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if k := n.Content[i]; k.Value == key {
					line, col, n, found = k.Line, k.Column, n.Content[i+1], true
					break
				}
			}
			if !found {
				return line, col
			}
		case yaml.SequenceNode:
			i, ok := index(seg)
			if !ok || i < 0 || i >= len(n.Content) {
				return line, col
			}
			n = n.Content[i]
			line, col = n.Line, n.Column
		default:
			return line, col
		}
	}
	return line, col
}

func index(seg any) (int, bool) {
	switch x := seg.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case float64:
		return int(x), x == math.Trunc(x)
	case json.Number:
		i, err := x.Int64()
		return int(i), err == nil
	}
	return 0, false
}

func sortStrings(s []string) { slices.Sort(s) }
