package stack

import (
	"reflect"
	"testing"
)

func TestMergeValues(t *testing.T) {
	for _, tc := range []struct {
		name          string
		dst, src, out map[string]any
	}{
		{"nil dst", nil, map[string]any{"a": 1}, map[string]any{"a": 1}},
		{"maps merge key by key",
			map[string]any{"c": map[string]any{"a": 1, "b": 2}},
			map[string]any{"c": map[string]any{"b": 3, "d": 4}},
			map[string]any{"c": map[string]any{"a": 1, "b": 3, "d": 4}}},
		{"deep maps merge",
			map[string]any{"a": map[string]any{"b": map[string]any{"c": 1, "d": 2}}},
			map[string]any{"a": map[string]any{"b": map[string]any{"d": 3}}},
			map[string]any{"a": map[string]any{"b": map[string]any{"c": 1, "d": 3}}}},
		{"lists are replaced, not appended",
			map[string]any{"args": []any{"a", "b"}},
			map[string]any{"args": []any{"c"}},
			map[string]any{"args": []any{"c"}}},
		{"null replaces a map, so Helm drops the chart default",
			map[string]any{"resources": map[string]any{"limits": map[string]any{"cpu": "1"}}},
			map[string]any{"resources": map[string]any{"limits": nil}},
			map[string]any{"resources": map[string]any{"limits": nil}}},
		{"null replaces a scalar",
			map[string]any{"a": 1}, map[string]any{"a": nil}, map[string]any{"a": nil}},
		{"a scalar replaces a map",
			map[string]any{"a": map[string]any{"b": 1}}, map[string]any{"a": "x"}, map[string]any{"a": "x"}},
		{"a map replaces a scalar",
			map[string]any{"a": "x"}, map[string]any{"a": map[string]any{"b": 1}}, map[string]any{"a": map[string]any{"b": 1}}},
		{"empty src changes nothing",
			map[string]any{"a": 1}, map[string]any{}, map[string]any{"a": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mergeValues(tc.dst, tc.src)
			if !reflect.DeepEqual(got, tc.out) {
				t.Errorf("mergeValues = %#v, want %#v", got, tc.out)
			}
		})
	}
}

// The layers are decoded once and merged in turn: a later merge into the
// result must not reach back into an earlier layer's maps.
func TestMergeValuesDoesNotRetainSrc(t *testing.T) {
	src := map[string]any{"c": map[string]any{"a": 1}}
	got := mergeValues(nil, src)
	mergeValues(got, map[string]any{"c": map[string]any{"a": 2}})
	if v := src["c"].(map[string]any)["a"]; v != 1 {
		t.Errorf("src changed to %v", v)
	}
}

func TestFindCycle(t *testing.T) {
	for _, tc := range []struct {
		name string
		deps map[string][]string
		want []string
	}{
		{"none", map[string][]string{"a": {"b"}, "b": {"c"}, "c": nil}, nil},
		{"diamond", map[string][]string{"a": {"b", "c"}, "b": {"d"}, "c": {"d"}, "d": nil}, nil},
		{"empty", map[string][]string{}, nil},
		{"self", map[string][]string{"a": {"a"}}, []string{"a", "a"}},
		{"2-cycle", map[string][]string{"a": {"b"}, "b": {"a"}}, []string{"a", "b", "a"}},
		{"3-cycle", map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}}, []string{"a", "b", "c", "a"}},
		{"cycle behind a tail", map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"d"}, "d": {"b"}}, []string{"b", "c", "d", "b"}},
		{"deterministic: starts from the first name", map[string][]string{"z": {"y"}, "y": {"z"}, "m": {"n"}, "n": {"m"}}, []string{"m", "n", "m"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := findCycle(tc.deps); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("findCycle = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestWaves(t *testing.T) {
	deps := map[string][]string{
		"argocd":           nil,
		"cert-manager":     nil,
		"cloudnative-pg":   nil,
		"ingress-nginx":    {"cert-manager"},
		"openobserve":      {"cloudnative-pg", "cert-manager", "ingress-nginx"},
		"external-secrets": nil,
	}
	got := waves(deps, []string{"argocd", "cert-manager", "cloudnative-pg", "external-secrets", "ingress-nginx", "openobserve"})
	want := map[string]int{"argocd": 0, "cert-manager": 0, "cloudnative-pg": 0, "external-secrets": 0, "ingress-nginx": 1, "openobserve": 2}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("waves = %v, want %v", got, want)
	}
	// A diamond: the wave is one more than the latest dependency.
	got = waves(map[string][]string{"a": {"b", "c"}, "b": {"d"}, "c": nil, "d": nil}, []string{"a", "b", "c", "d"})
	want = map[string]int{"a": 2, "b": 1, "c": 0, "d": 0}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("waves = %v, want %v", got, want)
	}
	if got := waves(nil, nil); len(got) != 0 {
		t.Errorf("waves of nothing = %v", got)
	}
}

func TestSuggest(t *testing.T) {
	envs := []string{"development", "production", "sandbox", "staging"}
	comps := []string{"argocd", "cert-manager", "cloudnative-pg", "external-secrets", "ingress-nginx", "openobserve"}
	for _, tc := range []struct {
		got     string
		choices []string
		want    string
	}{
		{"prod", envs, "production"}, // an abbreviation
		{"dev", envs, "development"}, // an abbreviation
		{"stagign", envs, "staging"}, // a transposition
		{"cert-manger", comps, "cert-manager"},
		{"ingress-ngnix", comps, "ingress-nginx"},
		{"kafka", comps, ""}, // nothing close
		{"qa", envs, ""},     // too short to be a prefix, too far to be a typo
		{"x", nil, ""},       // no choices
		{"cluster", []string{"clusters", "components"}, "clusters"},
	} {
		if s := suggest(tc.got, tc.choices); s != tc.want {
			t.Errorf("suggest(%q) = %q, want %q", tc.got, s, tc.want)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"a", "", 1}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"same", "same", 0}} {
		if d := distance(tc.a, tc.b); d != tc.d {
			t.Errorf("distance(%q, %q) = %d, want %d", tc.a, tc.b, d, tc.d)
		}
	}
}
