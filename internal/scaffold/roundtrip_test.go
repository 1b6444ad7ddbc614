package scaffold

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// roundTrip are documents whose YAML would change meaning if written
// plain: YAML 1.1 booleans and nulls (keys and values), a merge key, big
// integers, numbers in every JSON form.
var roundTrip = []string{
	`{"<<":{"a":1},"b":"<<","c":["<<",{"<<":2}],"d":{"<<":"<<"}}`,
	`{"y":"n","n":"y","yes":"no","on":"off","~":"~","null":"null","true":"True","Y":"N","NO":"Off"}`,
	`{"big":123456789012345678901234567890,"neg":[-123456789012345678901234567890],"u64":18446744073709551615,"i64":-9223372036854775808}`,
	`{"n":[0,-0,1.0,1e3,1E+3,1.5e-300,0.1,2.5e+300,100000000000000000000.5]}`,
	`{"s":["1e400","0o17","0b1","1_000","0x1F",".5","+1","2001-12-14","12:30:00","=","!x","&a","*a","|","> x","a: b","- c","#","@x","%x","` + "`" + `x"," lead","trail ","multi\nline\n","tab\there","\u00e9","\u2028"]}`,
	`{"":"","\"":"'","k\nl":"v"}`,
}

// TestRoundTrip: every planned file reads back, with sigs.k8s.io/yaml
// (what Helm and Kubernetes use), as exactly its JSON document.
func TestRoundTrip(t *testing.T) {
	for _, doc := range roundTrip {
		for _, kind := range []Kind{Values, Application} {
			content, err := document("# header\n", json.RawMessage(doc))
			if err != nil {
				t.Fatalf("document(%s): %v", doc, err)
			}
			f := File{Path: "clusters/dev/values/x.yaml", Kind: kind, JSON: json.RawMessage(doc), Content: content}
			if err := Verify(f); err != nil {
				t.Errorf("%s:\n%s\n%v", doc, content, err)
			}
			// Independently of Verify: sigs.k8s.io/yaml gives the
			// document's JSON, numbers compared as float64 as Helm
			// reads them.
			var got, want any
			if err := yaml.Unmarshal(content, &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(doc), &want); err != nil {
				t.Fatal(err)
			}
			if !same(got, want) {
				g, _ := json.Marshal(got)
				t.Errorf("sigs.k8s.io/yaml reads\n%s\nwant\n%s", g, doc)
			}
		}
	}
}

// same compares decoded JSON, numbers as float64 (-0 is 0).
func same(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k := range x {
			if !same(x[k], y[k]) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !same(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

// TestVerifyRefuses: a number no JSON reader holds cannot be written as
// the config says: render refuses, naming the file.
func TestVerifyRefuses(t *testing.T) {
	doc := json.RawMessage(`{"a":{"b":1e400}}`)
	content, err := document("", doc)
	if err != nil {
		t.Fatal(err)
	}
	err = Verify(File{Path: "clusters/dev/values/x.yaml", Kind: Values, JSON: doc, Content: content})
	var ee *EncodeError
	if !errors.As(err, &ee) || ee.Path != "clusters/dev/values/x.yaml" || !strings.Contains(err.Error(), "a: b: the number 1e400 is out of the range of a float64") {
		t.Fatalf("Verify: %v", err)
	}
	// And YAML that would read back differently is refused too.
	err = Verify(File{Path: "p.yaml", Kind: Values, JSON: json.RawMessage(`{"a":"yes"}`), Content: []byte("a: yes\n")})
	if !errors.As(err, &ee) || ee.Line != 1 {
		t.Fatalf("Verify of a: yes: %v", err)
	}
}

// FuzzDocument: whatever JSON document the config makes, render writes
// YAML that reads back as it (or refuses a number no reader holds).
func FuzzDocument(f *testing.F) {
	for _, d := range roundTrip {
		f.Add([]byte(d))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := decodeJSON(data); err != nil {
			return
		}
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		if _, ok := v.(map[string]any); !ok {
			return
		}
		content, err := document("# h\n", data)
		if err != nil {
			t.Fatalf("document: %v", err)
		}
		for _, kind := range []Kind{Values, Application} {
			if err := Verify(File{Path: "x.yaml", Kind: kind, JSON: data, Content: content}); err != nil {
				t.Fatalf("%s\n%s", content, err)
			}
		}
	})
}
