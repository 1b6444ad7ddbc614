package ondisk_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/ondisk"
	"github.com/dorgu/dorgu-gen/internal/policy"
)

var (
	engineOnce sync.Once
	engine     *policy.Engine
	engineErr  error
)

// embeddedEngine compiles the embedded policies once per process.
func embeddedEngine(t *testing.T) *policy.Engine {
	engineOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fuzz-policies")
		if err != nil {
			engineErr = err
			return
		}
		defer os.RemoveAll(dir)
		cfg, err := config.Load(config.Options{Dir: dir})
		if err != nil {
			engineErr = err
			return
		}
		engine, engineErr = policy.Compile(context.Background(), policy.SetOf(cfg))
	})
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engine
}

// FuzzReadScaffold writes arbitrary bytes as the three kinds of scaffold
// file (a component's Application, its values and the root Application)
// and reads them back as `dorgu-gen vet` does: ondisk.Read, the policies
// over its documents, then placing the findings at their lines. Nothing
// may panic; a file that does not parse is a problem of the file (rule
// yaml), never an error of the read or of the policy evaluation. The seeds
// in testdata/fuzz/FuzzReadScaffold are the golden scaffolds' files.
func FuzzReadScaffold(f *testing.F) {
	f.Add([]byte("apiVersion: argoproj.io/v1alpha1\nkind: Application\n"), []byte("a: 1\n"), []byte("kind: Application\n"))
	f.Fuzz(func(t *testing.T, app, values, root []byte) {
		dir := t.TempDir()
		for p, data := range map[string][]byte{
			"clusters/dev/apps/cert-manager.yaml":   app,
			"clusters/dev/values/cert-manager.yaml": values,
			"argocd/root-app.yaml":                  root,
		} {
			name := filepath.Join(dir, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(name, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		s, err := ondisk.Read(dir)
		if err != nil {
			t.Fatalf("ondisk.Read: %v", err)
		}
		if len(s.Files) != 3 {
			t.Fatalf("ondisk.Read: %d files, want 3", len(s.Files))
		}
		findings, err := embeddedEngine(t).Check(context.Background(), s.Documents())
		if err != nil {
			t.Fatalf("policy check: %v", err)
		}
		findings = s.Filter(findings)
		s.Locate(findings)
		for _, p := range s.Problems() {
			if p.File == "" || p.Message == "" {
				t.Fatalf("a YAML problem without file or message: %+v", p)
			}
		}
	})
}
