//go:build unix

package repofs

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/dorgu/dorgu-gen/internal/safefile"
)

// A FIFO in the repository is refused without blocking, and a link to a
// device is a link out of it.
func TestSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "x.cue"), 0o644); err != nil {
		t.Fatal(err)
	}
	link(t, "/dev/zero", filepath.Join(dir, "zero.cue"))
	r := open(t, dir, Default)
	d, _ := r.Path("x.cue")
	if _, err := d.ReadFile(); !errors.Is(err, safefile.ErrNotRegular) {
		t.Errorf("a FIFO: %v; want ErrNotRegular", err)
	}
	d, _ = r.Path("zero.cue")
	var ee *EscapeError
	if _, err := d.ReadFile(); !errors.As(err, &ee) {
		t.Errorf("a link to /dev/zero: %v; want an EscapeError", err)
	}
}

// Replace swaps the whole file, keeping its mode; a link, inside the
// repository or out of it, is refused and left as it is, and so is a
// file that changed since it was read.
func TestReplace(t *testing.T) {
	repo, outside := layout(t)
	p := filepath.Join(repo, "sub", "deep", "in.cue")
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	r := open(t, repo, Default)
	d, _ := r.Path(p)
	if err := d.Replace([]byte("in"), []byte("new")); err != nil {
		t.Fatal(err)
	}
	info, err := os.Lstat(p)
	if data, _ := os.ReadFile(p); err != nil || string(data) != "new" || info.Mode() != 0o640 {
		t.Fatalf("after Replace: %q, mode %v, %v", data, info.Mode(), err)
	}
	if err := d.Replace([]byte("in"), []byte("newer")); !errors.Is(err, ErrChanged) {
		t.Fatalf("a changed file: %v", err)
	}
	for _, name := range []string{"sub/alias", "leak", "abs-leak"} {
		d, _ := r.Path(name)
		err := d.Replace([]byte("in"), []byte("x"))
		if !errors.Is(err, safefile.ErrSymlink) {
			t.Errorf("%s: %v; want ErrSymlink", name, err)
		}
		if info, _ := os.Lstat(filepath.Join(repo, name)); info.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s is no longer a link", name)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(outside, "secret")); string(data) != secret {
		t.Fatal("the file outside changed")
	}
	entries, _ := os.ReadDir(filepath.Join(repo, "sub", "deep"))
	if len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}
