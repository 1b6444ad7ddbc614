package kubeyaml

import (
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestValue(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"a: 1\nb: [x, 1.5, true, ~, 0o17, 0x1F, 1_000]\n", `{"a":1,"b":["x",1.5,true,null,15,31,1000]}`, ""},
		{"t: 2001-12-14\nn: .nan\ni: -.inf\nbin: !!binary aGk=\ns: !!str 1\n", `{"bin":"hi","i":"-Inf","n":"NaN","s":"1","t":"2001-12-14"}`, ""},
		{"base: &b {x: 1, z: 2}\nm:\n  z: 3\n  <<: *b\nl:\n  <<: [{p: 1}, {p: 2, q: 3}]\n", `{"base":{"x":1,"z":2},"l":{"p":1,"q":3},"m":{"x":1,"z":3}}`, ""},
		{"a: &x [1, 2]\nb: *x\n1: one\ntrue: t\n", `{"1":"one","a":[1,2],"b":[1,2],"true":"t"}`, ""},
		{"a: 1\nb: 2\na: 3\n", "", `line 3: mapping key "a" already defined at line 1`},
		{"a: !!int x\n", "", `line 1: cannot decode "x" as !!int`},
	} {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(tc.in), &n); err != nil {
			t.Fatal(err)
		}
		v, err := Value(&n)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: %v; want %s", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if p, ok := Equal(v, js(t, tc.want)); !ok {
			t.Errorf("%q: %v; want %s (at %v)", tc.in, v, tc.want, p)
		}
	}
}

// BenchmarkManyKeys reads a values file of 100,000 keys: yaml.v3's
// Node.Decode, which Value replaces, compares every key with every other
// and took minutes.
func BenchmarkManyKeys(b *testing.B) {
	var s strings.Builder
	for i := range 100_000 {
		fmt.Fprintf(&s, "k%07d: 1\n", i)
	}
	data := []byte(s.String())
	for b.Loop() {
		if _, problems := Read(data, Values); len(problems) > 0 {
			b.Fatal(problems)
		}
	}
}
