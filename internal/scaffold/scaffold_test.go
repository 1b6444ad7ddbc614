package scaffold

import (
	"bytes"
	"encoding/json"
	"testing"

	"sigs.k8s.io/yaml"
)

// document must write what sigs.k8s.io/yaml's JSONToYAML writes, which
// the scaffold's files were written with before: the same quoting, number
// forms and key order.
func TestDocumentMatchesJSONToYAML(t *testing.T) {
	docs := []string{
		`{}`,
		`{"b":1,"a":[1,2.5,-3,1e3,1.0,0.1,9223372036854775807,18446744073709551615,1e400]}`,
		`{"s":["true","no","on","1","1.5","null","~","","0x1F","2026-01-01","a: b","#x","- y","multi\nline\n"," lead","trail "]}`,
		`{"nested":{"z":{"y":{"x":[{"k":null},{"k":true},{"k":false}]}}},"a10":1,"a2":2,"A":3,"_":4}`,
		`{"unicode":"héllo ✓","quote":"it's \"quoted\"","tab":"a\tb","long":"` + string(bytes.Repeat([]byte("word "), 40)) + `"}`,
		`{"apiVersion":"argoproj.io/v1alpha1","kind":"Application","metadata":{"annotations":{"argocd.argoproj.io/sync-wave":"-1"}},"spec":{"syncPolicy":{"syncOptions":["ServerSideApply=true"]}}}`,
	}
	for _, d := range docs {
		want, err := yaml.JSONToYAML([]byte(d))
		if err != nil {
			t.Fatalf("JSONToYAML(%s): %v", d, err)
		}
		got, err := document("# header\n", json.RawMessage(d))
		if err != nil {
			t.Fatalf("document(%s): %v", d, err)
		}
		if want := append([]byte("# header\n"), want...); !bytes.Equal(got, want) {
			t.Errorf("document(%s):\n%s\nJSONToYAML:\n%s", d, got, want)
		}
	}
}
