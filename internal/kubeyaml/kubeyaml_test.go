package kubeyaml

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	apiyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// js decodes JSON with json.Number, as Doc.Value holds it.
func js(t *testing.T, s string) any {
	t.Helper()
	v, err := decodeRaw(json.RawMessage(s))
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}

func TestRead(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format Format
		in     string
		docs   []string // each document's value as JSON; "null" for an empty one
		lines  []int    // each document's first line
		prob   string   // the first problem's message, "" for none
		line   int      // its line
		unread bool
	}{
		{"one document", Stream, "a: 1\nb: [x, 2]\n", []string{`{"a":1,"b":["x",2]}`}, []int{1}, "", 0, false},
		{"documents", Stream, "a: 1\n---\nb: 2\n--- # c\n\n# only a comment\n---\nc: 3\n", []string{`{"a":1}`, `{"b":2}`, `null`, `{"c":3}`}, []int{1, 3, 5, 8}, "", 0, false},
		{"leading separator", Stream, "---\na: 1\n", []string{`{"a":1}`}, []int{2}, "", 0, false},
		{"CRLF", Stream, "a: 1\r\n---\r\nb: 2\r\n", []string{`{"a":1}`, `{"b":2}`}, []int{1, 3}, "", 0, false},
		{"byte order mark", Stream, "\xef\xbb\xbfa: 1\n", []string{`{"a":1}`}, []int{1}, "", 0, false},
		{"JSON objects", Stream, "{\"a\": 1}\n{\"b\":\n 2}\n", []string{`{"a":1}`, `{"b":2}`}, []int{1, 2}, "", 0, false},
		{"timestamps as text", Stream, "t: 2001-12-14\n", []string{`{"t":"2001-12-14"}`}, []int{1}, "", 0, false},
		{"syntax error", Stream, "a: 1\n---\nb: 2\nc: x: y\n", []string{`{"a":1}`}, []int{1}, "the file is not valid YAML: mapping values are not allowed in this context", 4, true},
		{"duplicate key", Stream, "a: 1\nb: 2\na: 3\n", []string{`{"a":3,"b":2}`}, []int{1}, `the file is not valid YAML: mapping key "a" already defined at line 1`, 3, true},
		{"yes is a boolean", Stream, "a: 1\nenabled: yes\n", []string{`{"a":1,"enabled":true}`}, []int{1}, `YAML readers disagree on this file: at enabled, Kubernetes, ArgoCD and Helm (sigs.k8s.io/yaml, YAML 1.1) read true, a YAML 1.2 reader (and dorgu-gen's positions) "yes"`, 2, true},
		{"y is a boolean key", Stream, "point:\n  x: 1\n  y: 2\n", []string{`{"point":{"true":2,"x":1}}`}, []int{1}, `YAML readers disagree on this file: at point.y, Kubernetes, ArgoCD and Helm (sigs.k8s.io/yaml, YAML 1.1) read nothing, a YAML 1.2 reader (and dorgu-gen's positions) 2`, 3, true},
		{"merge key", Stream, "base: &b {x: 1, z: 2}\nm:\n  z: 3\n  <<: *b\n", []string{`{"base":{"x":1,"z":2},"m":{"x":1,"z":2}}`}, []int{1}, "YAML readers disagree on this file: at m.z, ", 3, true},
		{"merge key both read alike", Stream, "base: &b {x: 1}\nm:\n  <<: *b\n  z: 3\n", []string{`{"base":{"x":1},"m":{"x":1,"z":3}}`}, []int{1}, "", 0, false},
		{"quoted merge key", Stream, "\"<<\": {a: 1}\n", []string{`{"<<":{"a":1}}`}, []int{1}, "", 0, false},
		{"not a number for JSON", Stream, "a: 1\nn: .nan\n", nil, nil, "the file is not valid YAML as Kubernetes reads it: json: unsupported value: NaN", 1, true},
		{"separator with text", Stream, "a: 1\n--- b: 2\n", nil, nil, "the file is not valid YAML as Kubernetes reads it: invalid document separator: b: 2", 2, true},
		{"block scalar split", Stream, "a: |\n  x\n---\n  y\n", []string{`{"a":"x\n"}`, "true"}, []int{1, 4}, "YAML readers disagree on this file: at the document", 4, true},
		{"after a document end", Stream, "a: 1\n...\nb: 2\n", nil, nil, "the file is not valid YAML: did not find expected <document start>", 2, true},
		{"JSON file", JSON, "{\n\t\"a\": 1,\n\t\"b\": [true, null]\n}\n", []string{`{"a":1,"b":[true,null]}`}, []int{1}, "", 0, false},
		{"JSON file of two objects", JSON, "{\"a\": 1}\n{\"b\": 2}\n", nil, nil, "the file holds several JSON values", 2, true},
		{"JSON file with a key twice", JSON, "{\"a\": 1, \"a\": 2}\n", []string{`{"a":2}`}, []int{1}, `the file is not valid YAML: mapping key "a" already defined`, 1, true},
		{"broken JSON file", JSON, "{\n\"a\": }\n", nil, nil, "the file is not valid JSON: invalid character '}'", 2, true},
		{"values: first document", Values, "a: 1\n---\nb: 2\n", []string{`{"a":1}`}, []int{1}, "the file holds several YAML documents; Helm reads only the first", 2, false},
		{"values: empty", Values, "# nothing\n", nil, nil, "", 0, false},
		{"values: big integer", Values, "big: 123456789012345678901234567890\n", []string{`{"big":123456789012345678901234567890}`}, []int{1}, "", 0, false},
		{"UTF-16", Stream, "\xff\xfea\x00", nil, nil, "the file is UTF-16", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs, problems := Read([]byte(tc.in), tc.format)
			if len(docs) != len(tc.docs) {
				t.Fatalf("%d documents, want %d: %+v", len(docs), len(tc.docs), docs)
			}
			for i, d := range docs {
				if p, ok := Equal(d.Value, js(t, tc.docs[i])); !ok {
					got, _ := json.Marshal(d.Value)
					t.Errorf("document %d: %s, want %s (differs at %v)", i, got, tc.docs[i], p)
				}
				if d.Line != tc.lines[i] {
					t.Errorf("document %d at line %d, want %d", i, d.Line, tc.lines[i])
				}
			}
			if tc.prob == "" {
				if len(problems) > 0 {
					t.Errorf("problems: %+v", problems)
				}
				return
			}
			if len(problems) == 0 {
				t.Fatalf("no problem, want %q", tc.prob)
			}
			p := problems[0]
			if !strings.HasPrefix(p.Msg, tc.prob) || p.Line != tc.line || p.Unreadable != tc.unread {
				t.Errorf("problem %+v, want %q at line %d (unreadable %v)", p, tc.prob, tc.line, tc.unread)
			}
		})
	}
}

// kube reads a manifest with apimachinery's decoder, as ArgoCD does.
func kube(data []byte) ([]any, error) {
	var out []any
	dec := apiyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		v, err := decodeRaw(raw)
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
}

// FuzzStream holds Read to what ArgoCD reads: a file it reads without a
// problem holds exactly the documents apimachinery's decoder reads, and a
// file that decoder refuses is never read without a problem that makes
// it unreadable.
func FuzzStream(f *testing.F) {
	for _, s := range []string{"a: 1\n---\nb: 2\n", "{\"a\":1}\n{\"b\":2}", "m: {<<: {a: 1}, y: n}\n", "a: |\n  x\n---\n y\n", "- 1\n- 2\n", "a: 1\n...\n---\nb: [\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, problems := Read(data, Stream)
		unreadable := false
		for _, p := range problems {
			if p.Msg == "" {
				t.Fatalf("a problem without a message: %+v", p)
			}
			unreadable = unreadable || p.Unreadable
		}
		if unreadable {
			return
		}
		want, err := kube(bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF}))
		if err != nil {
			t.Fatalf("read without a problem, but Kubernetes cannot read it: %v", err)
		}
		if len(docs) != len(want) {
			t.Fatalf("%d documents, Kubernetes reads %d", len(docs), len(want))
		}
		for i := range docs {
			if p, ok := Equal(docs[i].Value, want[i]); !ok {
				t.Fatalf("document %d differs from Kubernetes' at %v", i, p)
			}
		}
	})
}
