package valuescheck

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	chart "helm.sh/helm/v4/pkg/chart/v2"

	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/ondisk"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

// Rule ids of the findings.
const (
	RuleSchema     = finding.RuleValuesSchema
	RuleUnknownKey = finding.RuleValuesUnknownKey
)

// Target is one values file and what it is for.
type Target struct {
	// File is the values file's path as findings name it; Content its
	// bytes, as written.
	File               string
	Content            []byte
	Cluster, Component string
	// Freeform are the component's free-form subtrees (dotted paths).
	Freeform []string
	// Origins are where the config sets each value: the keys of a path
	// joined by stack.OriginSep, to file:line:column.
	Origins map[string]string
}

// Check checks a values file against a freshly loaded chart: each schema
// violation is an error, each key the chart does not know a warning, at
// the line of the key in the file. The chart's name and version are in
// ch. An error means the values or the schema could not be read at all.
func Check(ch *chart.Chart, t Target) ([]finding.Finding, error) {
	vals, err := readValues(t.Content)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.File, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(t.Content, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", t.File, err)
	}
	name, version := ch.Name(), ch.Metadata.Version
	// Keys first: the schema check changes the chart (disabled subcharts
	// go), and an unknown key under a disabled subchart is still a typo.
	unknown := Keys(ch, vals, t.Freeform)
	violations, err := Schema(ch, vals)
	if err != nil {
		return nil, fmt.Errorf("%s: chart %s %s: %w", t.File, name, version, err)
	}
	var out []finding.Finding
	at := func(path []string) (int, int) {
		field := make([]any, len(path))
		for i, p := range path {
			field[i] = p
		}
		return ondisk.Position(&doc, field)
	}
	suggestions := map[string]string{}
	for _, u := range unknown {
		suggestions[strings.Join(u.Path, "\x00")] = u.Suggestion
	}
	for _, v := range violations {
		line, col := at(v.Path)
		msg := fmt.Sprintf("%s in cluster %q: %s: %s", t.Component, t.Cluster, PathString(v.Path), v.Message)
		if s := suggestions[strings.Join(v.Path, "\x00")]; s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		schemaOf := "values.schema.json of chart " + name + " " + version
		if v.Chart != name {
			schemaOf = "values.schema.json of its subchart " + v.Chart
		}
		out = append(out, finding.Finding{
			Severity: finding.Error, Rule: RuleSchema, Kind: finding.KindValues,
			File: t.File, Line: line, Column: col, Cluster: t.Cluster, Component: t.Component,
			Field:   fieldOf(v.Path),
			Message: msg + " (" + schemaOf + ")",
			Hint:    hint(t, v.Path, false),
		})
	}
	violated := map[string]bool{}
	for _, v := range violations {
		violated[strings.Join(v.Path, "\x00")] = true
	}
	for _, u := range unknown {
		if violated[strings.Join(u.Path, "\x00")] {
			continue // the schema's error says it already
		}
		line, col := at(u.Path)
		msg := fmt.Sprintf("%s in cluster %q: %s: chart %s %s has no such value; Helm ignores it", t.Component, t.Cluster, PathString(u.Path), name, version)
		if u.Suggestion != "" {
			msg += fmt.Sprintf("; did you mean %q?", u.Suggestion)
		}
		out = append(out, finding.Finding{
			Severity: finding.Warning, Rule: RuleUnknownKey, Kind: finding.KindValues,
			File: t.File, Line: line, Column: col, Cluster: t.Cluster, Component: t.Component,
			Field:   fieldOf(u.Path),
			Message: msg,
			Hint:    hint(t, u.Path, true),
		})
	}
	finding.Sort(out)
	return out, nil
}

func fieldOf(path []string) []any {
	out := make([]any, len(path))
	for i, p := range path {
		out[i] = p
	}
	return out
}

// hint says where to fix a value: where the config sets it when that is
// known (the value itself, else the first value below it, else the
// nearest above it), else where it may be set.
func hint(t Target, path []string, unknown bool) string {
	h := fmt.Sprintf("fix it where the config sets it: components.%s.values (or environmentValues, providerValues), or clusters.%s.components.%s.values.%s", t.Component, t.Cluster, t.Component, strings.Join(path, "."))
	if at := origin(t.Origins, path); at != "" {
		h = "the config sets it at " + at
	}
	if unknown {
		h += "; a subtree the chart copies as it is (toYaml) goes in the component's freeformValues"
	}
	return h
}

func origin(origins map[string]string, path []string) string {
	if len(origins) == 0 || len(path) == 0 {
		return ""
	}
	key := strings.Join(path, stack.OriginSep)
	if at, ok := origins[key]; ok {
		return at
	}
	var below []string
	for k := range origins {
		if strings.HasPrefix(k, key+stack.OriginSep) {
			below = append(below, k)
		}
	}
	if len(below) > 0 {
		slices.Sort(below)
		return origins[below[0]]
	}
	for i := len(path) - 1; i > 0; i-- {
		if at, ok := origins[strings.Join(path[:i], stack.OriginSep)]; ok {
			return at
		}
	}
	return ""
}

// Suggest is the did-you-mean shared with the rest of dorgu-gen's
// messages.
func suggest(got string, choices []string) string { return stack.Suggest(got, choices) }
