package stack_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	cueerrors "cuelang.org/go/cue/errors"

	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

// FuzzLoadConfig feeds arbitrary bytes to the render path as ./dorgu.cue:
// config.Load, stack.Evaluate and scaffold.Plan must never panic, and every
// error must be one the CLI maps to exit code 2 with a message: a
// *config.Error or a CUE error (which carries positions). The seeds in
// testdata/fuzz/FuzzLoadConfig are the configs of the CLI scripts.
func FuzzLoadConfig(f *testing.F) {
	f.Add([]byte("clusters: dev: environment: \"development\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "dorgu.cue"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(config.Options{Dir: dir})
		if err != nil {
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("config.Load: %T %v, want *config.Error", err, err)
			}
			return
		}
		s, err := stack.Evaluate(context.Background(), cfg)
		if err != nil {
			checkEvalError(t, err)
			return
		}
		if _, err := scaffold.Plan(s); err != nil {
			t.Logf("scaffold.Plan: %v", err)
		}
	})
}

func checkEvalError(t *testing.T, err error) {
	t.Helper()
	var ce *config.Error
	if errors.As(err, &ce) {
		return
	}
	var cue cueerrors.Error
	if !errors.As(err, &cue) {
		t.Fatalf("stack.Evaluate: %T %v, want a CUE error or *config.Error", err, err)
	}
	if cue.Error() == "" {
		t.Fatalf("stack.Evaluate: a CUE error without a message")
	}
}
