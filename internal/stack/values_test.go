package stack

import (
	"reflect"
	"testing"

	"cuelang.org/go/cue/cuecontext"
)

// The values decoder walks structs itself, to list each struct's fields
// once; what it decodes must be what cue.Value.Decode decodes.
func TestValuesDecoderMatchesDecode(t *testing.T) {
	v := cuecontext.New().CompileString(`
		a: 1
		b: 9223372036854775808
		c: 1.5
		d: 1e400
		e: null
		f: "text"
		g: true
		h: '\x00bytes'
		i: [1, {x: [2, {y: null}]}, [], "s"]
		j: {}
		k: *"default" | string
		l: {m: {n: *3 | int, o: [{p: 1.0}]}}
		"quoted key": {"x.y": 1}
	`)
	var want map[string]any
	if err := v.Decode(&want); err != nil {
		t.Fatal(err)
	}
	got, err := (&valuesDecoder{}).layer(v)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %#v\nwant %#v", got, want)
	}
}

// Where the config's files set each leaf: the cluster's override layer
// always, a component's own layers when the config touches it; later
// layers win.
func TestValueOrigins(t *testing.T) {
	s, err := evaluate(t, `clusters: dev: environment: "development"
clusters: dev: components: "cert-manager": values: {replicaCount: 2, extra: {a: "b"}}
components: mine: {description: "m", chart: {repoURL: "https://charts.example.com", name: "m", version: "1.0.0"}
	values: {x: 1, y: [1, 2]}
}
clusters: dev: components: mine: values: x: 3
`)
	if err != nil {
		t.Fatal(err)
	}
	origins := map[string]map[string]string{}
	for _, c := range s.Clusters[0].Components {
		origins[c.Name] = c.ValueOrigins
	}
	want := map[string]map[string]string{
		"cert-manager": {"replicaCount": "dorgu.cue:2:53", "extra" + OriginSep + "a": "dorgu.cue:2:78"},
		"mine":         {"x": "dorgu.cue:6:42", "y": "dorgu.cue:4:17"},
	}
	for name, w := range want {
		if !reflect.DeepEqual(origins[name], w) {
			t.Errorf("%s: origins %q, want %q", name, origins[name], w)
		}
	}
}
