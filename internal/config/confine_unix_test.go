//go:build unix

package config

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// A FIFO is never opened for reading in a way that blocks: one among the
// components is not a .cue file to read, and a link to one is refused at
// once, instead of hanging the run until a writer comes.
func TestFIFO(t *testing.T) {
	dir := t.TempDir()
	files(t, dir, "dorgu.cue", good, "components/a.cue", "")
	if err := syscall.Mkfifo(filepath.Join(dir, "components", "x.cue"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got := userFiles(t, dir, cfg); !slices.Equal(got, []string{"dorgu.cue", "components/a.cue"}) {
		t.Errorf("files %v", got)
	}
	if err := os.Symlink("x.cue", filepath.Join(dir, "components", "y.cue")); err != nil {
		t.Fatal(err)
	}
	_, err = Load(Options{Dir: dir})
	if ce := wantConfigError(t, err, "not a regular file"); ce.Path != filepath.Join("components", "y.cue") {
		t.Errorf("path %q", ce.Path)
	}
}
