// Package write puts a planned scaffold on disk. It writes only after the
// whole tree has been planned and checked, never leaves a partial file, and
// leaves a file whose bytes are already right alone, so that an unchanged
// render keeps every modification time.
package write

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/dorgu/dorgu-gen/internal/scaffold"
)

// Action says what happens to one file.
type Action string

const (
	Create    Action = "create"
	Update    Action = "update"
	Unchanged Action = "unchanged"
)

// Change is the action planned for one file.
type Change struct {
	Path   string
	Action Action
	// Old is the current content of an updated file.
	Old []byte
	New []byte
}

// Plan compares the tree with the output directory without writing.
func Plan(out string, t *scaffold.Tree) ([]Change, error) {
	if err := checkOut(out); err != nil {
		return nil, err
	}
	changes := make([]Change, 0, len(t.Files))
	for _, f := range t.Files {
		p, err := safeJoin(out, f.Path)
		if err != nil {
			return nil, err
		}
		old, err := os.ReadFile(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			changes = append(changes, Change{Path: f.Path, Action: Create, New: f.Content})
		case err != nil:
			return nil, fmt.Errorf("%s: %w", p, unwrap(err))
		case bytes.Equal(old, f.Content):
			changes = append(changes, Change{Path: f.Path, Action: Unchanged, Old: old, New: f.Content})
		default:
			changes = append(changes, Change{Path: f.Path, Action: Update, Old: old, New: f.Content})
		}
	}
	return changes, nil
}

// Apply writes the created and updated files. Every file is first written
// in full to a temporary file next to its target; only when all of them are
// staged are they renamed into place, so a failure while staging (a full
// disk, a permission) leaves the directory as it was.
func Apply(out string, changes []Change) error {
	type staged struct{ tmp, dst string }
	var done []staged
	cleanup := func() {
		for _, s := range done {
			os.Remove(s.tmp)
		}
	}
	for _, c := range changes {
		if c.Action == Unchanged {
			continue
		}
		dst, err := safeJoin(out, c.Path)
		if err != nil {
			cleanup()
			return err
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			cleanup()
			return fmt.Errorf("%s: %w", filepath.Dir(dst), unwrap(err))
		}
		tmp, err := stage(dst, c.New)
		if err != nil {
			cleanup()
			return err
		}
		done = append(done, staged{tmp, dst})
	}
	for i, s := range done {
		if err := os.Rename(s.tmp, s.dst); err != nil {
			for _, r := range done[i:] {
				os.Remove(r.tmp)
			}
			return fmt.Errorf("%s: %w", s.dst, unwrap(err))
		}
	}
	return nil
}

func stage(dst string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".dorgu-tmp-*")
	if err != nil {
		return "", fmt.Errorf("%s: %w", filepath.Dir(dst), unwrap(err))
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("%s: %w", dst, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("%s: %w", dst, unwrap(err))
	}
	return f.Name(), nil
}

// checkOut fails early on an output path that cannot be a directory.
func checkOut(out string) error {
	info, err := os.Stat(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("output directory %s: %w", out, unwrap(err))
	case !info.IsDir():
		return fmt.Errorf("output directory %s: is a file, not a directory", out)
	}
	return nil
}

// safeJoin joins a planned slash path to out, refusing anything that would
// leave out: planned paths come from names that CUE has validated, but the
// writer does not rely on that.
func safeJoin(out, p string) (string, error) {
	clean := path.Clean(p)
	if clean != p || path.IsAbs(p) || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("refusing to write %q: not a clean path inside the output directory", p)
	}
	return filepath.Join(out, filepath.FromSlash(clean)), nil
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
