package drift

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dorgu/dorgu-gen/internal/ondisk"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	put := func(p, data string) {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tree := &scaffold.Tree{Files: []scaffold.File{
		{Path: "README.md", Kind: scaffold.Readme, Content: []byte("readme\n")},
		{Path: "clusters/dev/apps/a.yaml", Kind: scaffold.Application, Cluster: "dev", Component: "a", Content: []byte("kind: Application\nname: a\n")},
		{Path: "clusters/dev/apps/b.yaml", Kind: scaffold.Application, Cluster: "dev", Component: "b", Content: []byte("kind: Application\n")},
		{Path: "clusters/dev/values/a.yaml", Kind: scaffold.Values, Cluster: "dev", Component: "a", Content: []byte("x: 1\ny: 2\nz: 3\n")},
	}}
	put("README.md", "readme\n")
	put("clusters/dev/apps/a.yaml", "kind: Application\nname: a\n")
	put("clusters/dev/values/a.yaml", "x: 1\ny: 5\nz: 3\n")
	put("clusters/dev/apps/stray.yaml", "kind: Application\n")
	put("clusters/prod/apps/c.yaml", "kind: Application\n")
	put("clusters/dev/apps/notes.md", "ours\n")
	put("CODEOWNERS", "* @team\n")
	disk, err := ondisk.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := Check(tree, disk, Options{Label: "out"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.Rule+" "+f.File)
	}
	want := "drift-missing clusters/dev/apps/b.yaml|drift-modified clusters/dev/values/a.yaml|drift-unexpected clusters/dev/apps/stray.yaml|drift-unexpected clusters/prod/apps/c.yaml"
	if strings.Join(got, "|") != want {
		t.Fatalf("findings:\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
	m := fs[1]
	if m.Line != 2 {
		t.Errorf("modified at line %d, want 2 (the first line that differs)", m.Line)
	}
	wantDiff := "--- out/clusters/dev/values/a.yaml (rendered)\n+++ out/clusters/dev/values/a.yaml (on disk)\n@@ -1,3 +1,3 @@\n x: 1\n-y: 2\n+y: 5\n z: 3\n"
	if m.Diff != wantDiff {
		t.Errorf("diff:\n%s\nwant\n%s", m.Diff, wantDiff)
	}

	// A partial render (--cluster dev) looks for unexpected files in its
	// clusters only, and leaves the README alone.
	put("README.md", "another readme\n")
	fs, err = Check(tree, disk, Options{Label: "out", Clusters: []string{"dev"}, SkipReadme: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Cluster == "prod" || f.File == "README.md" {
			t.Errorf("partial render reported %s %s", f.Rule, f.File)
		}
	}
}

func TestFirstChange(t *testing.T) {
	for _, c := range []struct {
		want, got string
		line      int
	}{
		{"a\nb\nc\n", "a\nB\nc\n", 2},
		{"a\nb\nc\n", "a\nb\n", 2},
		{"a\nb\n", "a\nb\nc\n", 3},
		{"a\n", "", 1},
		{"a\nb", "a\nb\n", 2},
	} {
		if got := firstChange([]byte(c.want), []byte(c.got)); got != c.line {
			t.Errorf("firstChange(%q, %q) = %d, want %d", c.want, c.got, got, c.line)
		}
	}
}
