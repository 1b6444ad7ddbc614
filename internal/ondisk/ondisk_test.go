package ondisk

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/repofs"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
)

const app = `# a comment
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  labels:
    dorgu.io/environment: staging
  name: dev-x
spec:
  sources:
  - chart: x
    targetRevision: latest
  - ref: values
    repoURL: https://example.com/r.git
`

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPosition(t *testing.T) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(app), &n); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		field     []any
		line, col int
	}{
		{[]any{"spec", "sources", json.Number("0"), "targetRevision"}, 11, 5},
		{[]any{"spec", "sources", 1, "repoURL"}, 13, 5},
		{[]any{"spec", "sources", 1}, 12, 5},
		{[]any{"metadata", "labels", "dorgu.io/environment"}, 6, 5},
		// A missing field: the deepest key that exists.
		{[]any{"spec", "destination", "namespace"}, 8, 1},
		{[]any{"spec", "sources", 5, "chart"}, 9, 3},
		{[]any{"nope"}, 0, 0},
		{[]any{}, 0, 0},
	} {
		if l, c2 := Position(&n, c.field); l != c.line || c2 != c.col {
			t.Errorf("Position(%v) = %d:%d, want %d:%d", c.field, l, c2, c.line, c.col)
		}
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"argocd/root-app.yaml":              "kind: Application\nmetadata:\n  labels:\n    dorgu.io/cluster: dev\n    dorgu.io/environment: staging\n",
		"argocd/prod-root-app.yaml":         "kind: Application\nspec:\n  source:\n    path: clusters/prod/apps\n",
		"argocd/project.yaml":               "kind: AppProject\n",
		"clusters/dev/apps/x.yaml":          app,
		"clusters/dev/values/x.yaml":        "a: 1\n",
		"clusters/dev/values/broken.yaml":   "a: 1\nb: 2\nc: x: y\n",
		"clusters/dev/values/dup.yaml":      "a: 1\nb: 2\na: 3\n",
		"clusters/dev/values/multi.yaml":    "a: 1\n---\nb: 2\n",
		"clusters/dev/values/empty.yaml":    "",
		"clusters/dev/apps/README.md":       "not YAML, not ours",
		"clusters/dev/apps/nested/y.yaml":   "kind: Application\n",
		"docs/guide.yaml":                   "x: [",
		".github/workflows/ci.yaml":         "on: [",
		"clusters/dev/values/timestamp.yml": "t: 2001-12-14\nk:\n  1: one\n",
		// Helm (sigs.k8s.io/yaml) cannot turn a NaN into JSON: it fails on
		// the file, so vet does.
		"clusters/dev/values/nan.yaml": "a: 1\nn: .nan\n",
	})
	s, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range s.Files {
		paths = append(paths, f.Path)
	}
	want := "argocd/prod-root-app.yaml argocd/project.yaml argocd/root-app.yaml clusters/dev/apps/x.yaml clusters/dev/values/broken.yaml clusters/dev/values/dup.yaml clusters/dev/values/empty.yaml clusters/dev/values/multi.yaml clusters/dev/values/nan.yaml clusters/dev/values/timestamp.yml clusters/dev/values/x.yaml"
	if got := strings.Join(paths, " "); got != want {
		t.Fatalf("files:\n%s\nwant\n%s", got, want)
	}
	check := func(p string, kind scaffold.Kind, cluster, component, env string) {
		t.Helper()
		f, ok := s.Lookup(p)
		if !ok {
			t.Fatalf("%s not read", p)
		}
		if f.Kind != kind || f.Cluster != cluster || f.Component != component || f.Environment != env {
			t.Errorf("%s: kind %s cluster %q component %q environment %q, want %s %q %q %q", p, f.Kind, f.Cluster, f.Component, f.Environment, kind, cluster, component, env)
		}
	}
	check("argocd/root-app.yaml", scaffold.RootApplication, "dev", "", "staging")
	check("argocd/prod-root-app.yaml", scaffold.RootApplication, "prod", "", "")
	check("argocd/project.yaml", Other, "", "", "")
	check("clusters/dev/apps/x.yaml", scaffold.Application, "dev", "x", "staging")
	check("clusters/dev/values/x.yaml", scaffold.Values, "dev", "x", "staging")

	problems := map[string]finding.Finding{}
	for _, p := range s.Problems() {
		problems[p.File] = p
	}
	if p := problems["clusters/dev/values/broken.yaml"]; p.Line != 3 || p.Rule != RuleYAML || p.Severity != finding.Error || !strings.Contains(p.Message, "mapping values are not allowed") {
		t.Errorf("broken.yaml: %+v", p)
	}
	if p := problems["clusters/dev/values/dup.yaml"]; p.Line != 3 || !strings.Contains(p.Message, `mapping key "a" already defined at line 1`) {
		t.Errorf("dup.yaml: %+v", p)
	}
	if p := problems["clusters/dev/values/multi.yaml"]; p.Line != 2 || p.Severity != finding.Warning {
		t.Errorf("multi.yaml: %+v", p)
	}
	if p := problems["clusters/dev/values/nan.yaml"]; p.Severity != finding.Error || p.Message != "Helm cannot read the file: json: unsupported value: NaN" {
		t.Errorf("nan.yaml: %+v", p)
	}
	if len(problems) != 4 {
		t.Errorf("problems: %+v", problems)
	}

	docs := map[string]any{}
	for _, d := range s.Documents() {
		docs[d.Path] = d.Content
	}
	if _, ok := docs["argocd/project.yaml"]; ok {
		t.Error("an AppProject under argocd/ is checked as an Application")
	}
	if c, ok := docs["clusters/dev/values/broken.yaml"]; !ok || c != nil {
		t.Errorf("a file that does not parse is a document without content, got %v %v", c, ok)
	}
	ts, _ := json.Marshal(docs["clusters/dev/values/timestamp.yml"])
	if string(ts) != `{"k":{"1":"one"},"t":"2001-12-14"}` {
		t.Errorf("timestamp.yml as JSON: %s", ts)
	}

	fs := s.Filter([]finding.Finding{{File: "clusters/dev/values/broken.yaml"}, {File: "clusters/dev/values/x.yaml"}})
	if len(fs) != 1 || fs[0].File != "clusters/dev/values/x.yaml" {
		t.Errorf("Filter kept %+v", fs)
	}
	loc := []finding.Finding{{File: "clusters/dev/apps/x.yaml", Field: []any{"spec", "sources", json.Number("0"), "targetRevision"}}}
	s.Locate(loc)
	if loc[0].Line != 11 || loc[0].Column != 5 {
		t.Errorf("Locate: %d:%d, want 11:5 (the line of targetRevision)", loc[0].Line, loc[0].Column)
	}
}

func TestReadErrors(t *testing.T) {
	if _, err := Read(filepath.Join(t.TempDir(), "nope")); err == nil || !strings.Contains(err.Error(), "no such directory") {
		t.Errorf("missing directory: %v", err)
	}
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(f); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("a file: %v", err)
	}
}

// TestLinksAndSpecialFiles: a file or folder of the layout that is a link
// out of the repository, or not a regular file, is a yaml problem naming
// it, and nothing of its target is read; links inside are followed.
func TestLinksAndSpecialFiles(t *testing.T) {
	base := t.TempDir()
	repo := filepath.Join(base, "repo")
	write(t, base, map[string]string{
		"secret":                            "TOKEN=planted",
		"outside/apps/x.yaml":               "kind: Application\n",
		"repo/s/clusters/dev/values/a.yaml": "a: 1\n",
		"repo/shared.yaml":                  "b: 2\n",
	})
	s := filepath.Join(repo, "s")
	for link, target := range map[string]string{
		"clusters/dev/values/leak.yaml":    "../../../../../secret",
		"clusters/dev/values/abs.yaml":     filepath.Join(base, "secret"),
		"clusters/dev/values/nothing.yaml": "missing",
		"clusters/dev/values/shared.yaml":  "../../../../shared.yaml",
		"clusters/prod":                    "../../../outside",
	} {
		if err := os.Symlink(target, filepath.Join(s, filepath.FromSlash(link))); err != nil {
			t.Skip(err)
		}
	}
	r, err := repofs.Open(repo, repofs.Default)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sc, err := ReadRepo(r, "s")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range sc.Problems() {
		if strings.Contains(p.Message, "TOKEN") {
			t.Errorf("%s: the message shows the target's content", p.File)
		}
		got[p.File] = p.Message
	}
	for p, msg := range map[string]string{
		"clusters/dev/values/leak.yaml":    "the file is a symbolic link that leads out of the repository",
		"clusters/dev/values/abs.yaml":     "the file is a symbolic link that leads out of the repository",
		"clusters/dev/values/nothing.yaml": "the file is a symbolic link to nothing",
		"clusters/prod":                    "the folder is a symbolic link that leads out of the repository",
	} {
		if !strings.HasPrefix(got[p], msg) {
			t.Errorf("%s: %q; want %q", p, got[p], msg)
		}
	}
	if len(got) != 4 {
		t.Errorf("problems: %v", got)
	}
	if f, ok := sc.Lookup("clusters/dev/values/shared.yaml"); !ok || string(f.Content) != "b: 2\n" {
		t.Errorf("a link inside the repository was not followed: %+v", f)
	}
	if f, _ := sc.Lookup("clusters/dev/values/leak.yaml"); f == nil || !f.Unread || f.Content != nil {
		t.Errorf("leak.yaml: %+v", f)
	}
	if !sc.Unread("clusters/prod/apps/x.yaml") || sc.Unread("clusters/dev/values/a.yaml") {
		t.Error("Unread does not cover the folder linked out")
	}
}
