//go:build unix

package write

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/dorgu/dorgu-gen/internal/safefile"
)

// TestSpecialStateFiles puts a link to /dev/zero and a FIFO (with no
// writer) in place of each file the writer reads back. Each read must
// fail at once, naming the file: reading /dev/zero grows memory without
// end, and opening a FIFO blocks until a writer comes, which never does.
// If the writer opened either, this test would not finish.
func TestSpecialStateFiles(t *testing.T) {
	next := maps.Clone(v1)
	next["README.md"] = "readme v2\n"
	for _, rel := range []string{ledgerPath, journalPath, lockPath, gitignorePath, "clusters/a/apps/x.yaml"} {
		for _, kind := range []string{"/dev/zero", "fifo"} {
			t.Run(rel+" "+kind, func(t *testing.T) {
				base, out, _ := hostileBase(t)
				p := filepath.Join(out, filepath.FromSlash(rel))
				os.Remove(p)
				want := safefile.ErrNotRegular
				if kind == "fifo" {
					if err := syscall.Mkfifo(p, 0o644); err != nil {
						t.Fatal(err)
					}
				} else {
					symlink(t, "/dev/zero", p)
					want = nil
				}
				before := fsState(t, base)
				_, err := render(t, out, next, Options{})
				var le *LinkError
				switch {
				case err == nil:
					t.Fatal("render accepted it")
				case want != nil && !errors.Is(err, want):
					t.Errorf("want %v; got %v", want, err)
				case want == nil && !errors.As(err, &le):
					t.Errorf("want a refused link; got %v", err)
				case !strings.Contains(err.Error(), filepath.ToSlash(p)):
					t.Errorf("the error does not name %s: %v", p, err)
				}
				sameState(t, "after render", before, fsState(t, base))
			})
		}
	}
}

// TestOversizedStateFiles: a ledger or journal past its bound is refused
// before it is read, naming the bound.
func TestOversizedStateFiles(t *testing.T) {
	for rel, max := range map[string]int64{ledgerPath: MaxLedgerSize, journalPath: MaxJournalSize} {
		base, out, _ := hostileBase(t)
		p := filepath.Join(out, filepath.FromSlash(rel))
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		// Sparse: no disk is spent on it.
		if err := os.Truncate(p, max+1); err != nil {
			t.Fatal(err)
		}
		before := fsState(t, base)
		var tb *safefile.TooBigError
		_, err := render(t, out, v1, Options{})
		if err == nil || !strings.Contains(err.Error(), "the limit is") {
			t.Errorf("%s of %d bytes: %v", rel, max+1, err)
		}
		if errors.As(err, &tb) && tb.Max != max {
			t.Errorf("%s: limit %d, want %d", rel, tb.Max, max)
		}
		sameState(t, "after render", before, fsState(t, base))
	}
}
