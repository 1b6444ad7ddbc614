package clusterdiff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dorgu/dorgu-gen/internal/kubeyaml"
)

func doc(t *testing.T, s string) any {
	t.Helper()
	v, err := decode(json.RawMessage(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func dotted(paths [][]any) []string {
	var out []string
	for _, p := range paths {
		out = append(out, kubeyaml.Dotted(p))
	}
	return out
}

// TestDiffering: two renders of the same object differ at the leaves a
// chart regenerates; a map whose keys differ, or a list whose length
// does, differs whole.
func TestDiffering(t *testing.T) {
	a := doc(t, `{"data": {"password": "abc", "user": "u"}, "spec": {"template": {"metadata": {"annotations": {"checksum/secret": "111"}}}, "ports": [1, 2], "list": [{"x": 1}, {"x": 2}]}, "keys": {"k1": 1}}`)
	b := doc(t, `{"data": {"password": "xyz", "user": "u"}, "spec": {"template": {"metadata": {"annotations": {"checksum/secret": "222"}}}, "ports": [1, 2, 3], "list": [{"x": 1}, {"x": 3}]}, "keys": {"k2": 1}}`)
	got := dotted(differing(a, b, nil))
	slicesSort(got)
	want := []string{"data.password", "keys", "spec.list[1].x", "spec.ports", "spec.template.metadata.annotations.checksum/secret"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("differing = %q, want %q", got, want)
	}
	if got := differing(a, a, nil); len(got) != 0 {
		t.Errorf("an object differs from itself at %q", dotted(got))
	}
}

func slicesSort(s []string) {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
}

// TestChangedMasksRegenerated: fields regenerated at every render are
// compared as RegeneratedValue on both sides: an object that differs only
// there is not changed, and the fields are reported.
func TestChangedMasksRegenerated(t *testing.T) {
	id := ID{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "ns", Name: "web"}
	regen := [][]any{{"spec", "template", "metadata", "annotations", "checksum/secret"}}
	base := doc(t, `{"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"replicas": 2, "template": {"metadata": {"annotations": {"checksum/secret": "111"}}}}}`)
	head := doc(t, `{"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"replicas": 2, "template": {"metadata": {"annotations": {"checksum/secret": "222"}}}}}`)
	o, fields, err := changed(id, base, head, regen)
	if err != nil {
		t.Fatal(err)
	}
	if o != nil {
		t.Errorf("a change of a regenerated field only is a change:\n%s", o.Diff)
	}
	if want := []string{"spec.template.metadata.annotations.checksum/secret"}; !reflect.DeepEqual(fields, want) {
		t.Errorf("regenerated fields = %q, want %q", fields, want)
	}

	base = doc(t, `{"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"replicas": 2, "template": {"metadata": {"annotations": {"checksum/secret": "111"}}}}}`)
	head = doc(t, `{"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"replicas": 3, "template": {"metadata": {"annotations": {"checksum/secret": "222"}}}}}`)
	o, _, err = changed(id, base, head, regen)
	if err != nil {
		t.Fatal(err)
	}
	if o == nil {
		t.Fatal("replicas 2 → 3 is no change")
	}
	want := "@@ -1,7 +1,7 @@\n apiVersion: apps/v1\n kind: Deployment\n spec:\n-  replicas: 2\n+  replicas: 3\n   template:\n     metadata:\n       annotations:\n"
	if o.Diff != want {
		t.Errorf("diff:\n%s\nwant:\n%s", o.Diff, want)
	}
}

// TestSecretMasking: no value of a Secret reaches the diff; the keys that
// are added, removed and changed are listed, in data and stringData.
func TestSecretMasking(t *testing.T) {
	id := ID{APIVersion: "v1", Kind: "Secret", Namespace: "ns", Name: "s"}
	base := doc(t, `{"apiVersion": "v1", "kind": "Secret", "data": {"same": "c2FtZQ==", "old": "b2xk", "pw": "b25l"}, "stringData": {"token": "tok-1"}}`)
	head := doc(t, `{"apiVersion": "v1", "kind": "Secret", "data": {"same": "c2FtZQ==", "new": "bmV3", "pw": "dHdv"}, "stringData": {"token": "tok-2"}}`)
	o, _, err := changed(id, base, head, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o == nil {
		t.Fatal("no change")
	}
	want := &KeyChanges{Added: []string{"data.new"}, Removed: []string{"data.old"}, Changed: []string{"data.pw", "stringData.token"}}
	if !reflect.DeepEqual(o.SecretKeys, want) {
		t.Errorf("keys = %+v, want %+v", o.SecretKeys, want)
	}
	for _, v := range []string{"c2FtZQ==", "b2xk", "b25l", "bmV3", "dHdv", "tok-1", "tok-2"} {
		if strings.Contains(o.Diff, v) {
			t.Errorf("the diff shows the value %q:\n%s", v, o.Diff)
		}
	}
	if !strings.Contains(o.Diff, "+  pw: (hidden, changed)") || !strings.Contains(o.Diff, "-  pw: (hidden)") || !strings.Contains(o.Diff, "   same: (hidden)") {
		t.Errorf("the diff does not say which values change:\n%s", o.Diff)
	}

	added, err := single(id, Added, doc(t, `{"apiVersion": "v1", "kind": "Secret", "data": {"a": "YQ=="}, "stringData": {"b": "plain"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(added.Diff, "YQ==") || strings.Contains(added.Diff, "plain") {
		t.Errorf("an added Secret shows its values:\n%s", added.Diff)
	}
	if want := []string{"data.a", "stringData.b"}; !reflect.DeepEqual(added.SecretKeys.Added, want) {
		t.Errorf("added keys = %q, want %q", added.SecretKeys.Added, want)
	}
}

// TestCompareGroup: objects are matched by API group, kind, namespace and
// name, so a new version of an API is a change; the rest are added or
// removed.
func TestCompareGroup(t *testing.T) {
	base := map[ID]any{
		{APIVersion: "policy/v1beta1", Kind: "PodDisruptionBudget", Namespace: "ns", Name: "p"}: doc(t, `{"apiVersion": "policy/v1beta1", "kind": "PodDisruptionBudget"}`),
		{APIVersion: "v1", Kind: "ConfigMap", Namespace: "ns", Name: "gone"}:                    doc(t, `{"apiVersion": "v1", "kind": "ConfigMap"}`),
		{APIVersion: "v1", Kind: "ConfigMap", Namespace: "ns", Name: "same"}:                    doc(t, `{"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"}}`),
	}
	head := map[ID]any{
		{APIVersion: "policy/v1", Kind: "PodDisruptionBudget", Namespace: "ns", Name: "p"}: doc(t, `{"apiVersion": "policy/v1", "kind": "PodDisruptionBudget"}`),
		{APIVersion: "v1", Kind: "ConfigMap", Namespace: "ns", Name: "new"}:                doc(t, `{"apiVersion": "v1", "kind": "ConfigMap"}`),
		{APIVersion: "v1", Kind: "ConfigMap", Namespace: "ns", Name: "same"}:               doc(t, `{"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"}}`),
	}
	var app App
	if err := compareGroup(&app, base, head, nil); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range app.Objects {
		got = append(got, string(o.Change)+" "+o.ID.String())
	}
	want := []string{"removed v1 ConfigMap ns/gone", "added v1 ConfigMap ns/new", "changed policy/v1 PodDisruptionBudget ns/p"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("objects:\n%q\nwant\n%q", got, want)
	}
}

// bigResult is a difference of many Applications with long diffs.
func bigResult(apps, objects, lines int) *Result {
	r := &Result{Base: "main", Head: "infra-gitops"}
	for a := range apps {
		app := App{Cluster: fmt.Sprintf("c%02d", a%7), Name: fmt.Sprintf("app-%03d", a), Chart: "web 0.2.0 → 0.3.0"}
		for o := range objects {
			var d strings.Builder
			d.WriteString("@@ -1,1 +1,1 @@\n")
			for l := range lines {
				fmt.Fprintf(&d, "-  line%d: old ```\n+  line%d: new\n", l, l)
			}
			app.Objects = append(app.Objects, Object{ID: ID{APIVersion: "v1", Kind: "ConfigMap", Namespace: "ns", Name: fmt.Sprintf("cm-%d", o)}, Change: Changed, Diff: d.String()})
		}
		r.Apps = append(r.Apps, app)
	}
	return r
}

// TestMarkdownTruncation: the comment stays under the limit, its HTML and
// code fences stay balanced, and it says what was cut.
func TestMarkdownTruncation(t *testing.T) {
	for _, c := range []struct {
		name                  string
		apps, objects, lines  int
		wantCut, wantComplete bool
	}{
		{"small", 3, 2, 3, false, true},
		{"many apps", 200, 3, 20, true, false},
		{"one huge object", 1, 1, 20000, true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Markdown(&b, bigResult(c.apps, c.objects, c.lines), CommentLimit); err != nil {
				t.Fatal(err)
			}
			s := b.String()
			if n := utf8.RuneCountInString(s); n >= CommentLimit {
				t.Errorf("%d characters, want fewer than %d", n, CommentLimit)
			}
			if !strings.HasPrefix(s, Marker+"\n") {
				t.Errorf("no marker first")
			}
			if got := strings.Contains(s, "**Cut to fit a pull-request comment"); got != c.wantCut {
				t.Errorf("says it was cut: %v, want %v\n%s", got, c.wantCut, s[max(0, len(s)-500):])
			}
			if o, cl := strings.Count(s, "<details>"), strings.Count(s, "</details>"); o != cl {
				t.Errorf("%d <details> and %d </details>", o, cl)
			}
			if n := strings.Count(s, "\n````diff\n"); n != strings.Count(s, "\n````\n") {
				t.Errorf("unbalanced fences: %d opened, %d closed", n, strings.Count(s, "\n````\n"))
			}
			if c.wantComplete && !strings.Contains(s, "app-002") {
				t.Errorf("an Application is missing")
			}
		})
	}
}

// TestMarkdownEscapes: names a scaffold controls cannot break the table,
// the HTML or the code fences.
func TestMarkdownEscapes(t *testing.T) {
	r := &Result{Base: "main", Head: "out", Apps: []App{{
		Cluster: "dev", Name: "a|b</summary><script>",
		Objects: []Object{{ID: ID{APIVersion: "v1", Kind: "ConfigMap", Name: "x`y"}, Change: Added, Diff: "+a: ```\n"}},
	}}}
	var b bytes.Buffer
	if err := Markdown(&b, r, CommentLimit); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	for _, bad := range []string{"a|b", "<script>", "</summary><", "x`y"} {
		if strings.Contains(s, bad) {
			t.Errorf("%q is not escaped:\n%s", bad, s)
		}
	}
	if !strings.Contains(s, "````diff\n+a: ```\n````") {
		t.Errorf("the fence is not longer than the backticks of the diff:\n%s", s)
	}
}
