package pipeline

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/finding"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

type goldenCase struct {
	name string
	opts config.Options
}

func goldenCases(t *testing.T) []goldenCase {
	abs, err := filepath.Abs("testdata/configs/multi")
	if err != nil {
		t.Fatal(err)
	}
	hub, err := filepath.Abs("testdata/configs/hub")
	if err != nil {
		t.Fatal(err)
	}
	gateway, err := filepath.Abs("testdata/configs/gateway")
	if err != nil {
		t.Fatal(err)
	}
	return []goldenCase{
		// The embedded default, as `dorgu-gen render` writes it in an empty
		// directory.
		{"default", config.Options{Dir: t.TempDir()}},
		{"default-production", config.Options{Dir: t.TempDir(), Clusters: []string{"prod"}, Environment: "production", RepoURL: "https://github.com/acme/infra.git"}},
		{"multi", config.Options{Dir: abs}},
		// A production hub managing a development and a staging cluster,
		// with a promotion order.
		{"hub", config.Options{Dir: hub}},
		// A cluster off ingress-nginx, publishing through the Gateway API,
		// with a chart from an OCI registry (envoy-gateway).
		{"gateway", config.Options{Dir: gateway}},
	}
}

// TestGolden compares every rendered file with its golden copy. Run
// `make golden` (go test -run TestGolden -update) after an intended change
// and review the diff of testdata/golden.
func TestGolden(t *testing.T) {
	for _, tc := range goldenCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Render(context.Background(), tc.opts, nil)
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			if finding.HasErrors(res.Findings) {
				t.Fatalf("render has policy errors: %+v", res.Findings)
			}
			dir := filepath.Join("testdata", "golden", tc.name)
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				for _, f := range res.Tree.Files {
					p := filepath.Join(dir, filepath.FromSlash(f.Path))
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, f.Content, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			var want []string
			err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(dir, p)
				want = append(want, filepath.ToSlash(rel))
				return nil
			})
			if err != nil {
				t.Fatalf("reading golden files (run with -update to create them): %v", err)
			}
			var got []string
			for _, f := range res.Tree.Files {
				got = append(got, f.Path)
				golden, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
				if err != nil {
					t.Errorf("%s: no golden file (run with -update and review)", f.Path)
					continue
				}
				if !bytes.Equal(golden, f.Content) {
					t.Errorf("%s differs from its golden file (run with -update and review the diff):\n%s", f.Path, f.Content)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("rendered files %v, golden files %v", got, want)
			}
		})
	}
}

// TestDeterministic renders each case twice in one process and demands the
// same bytes: no map order, timestamp or pointer may leak into the output.
func TestDeterministic(t *testing.T) {
	for _, tc := range goldenCases(t) {
		a, err := Render(context.Background(), tc.opts, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Render(context.Background(), tc.opts, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Tree.Files) != len(b.Tree.Files) {
			t.Fatalf("%s: %d files, then %d", tc.name, len(a.Tree.Files), len(b.Tree.Files))
		}
		for i := range a.Tree.Files {
			if !bytes.Equal(a.Tree.Files[i].Content, b.Tree.Files[i].Content) {
				t.Errorf("%s: %s differs between two renders", tc.name, a.Tree.Files[i].Path)
			}
		}
	}
}
