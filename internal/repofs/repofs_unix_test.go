//go:build unix

package repofs

import (
	"errors"
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
