package write

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/dorgu/dorgu-gen/internal/safefile"
)

// Bounds on what the writer reads back from the output directory, whose
// files a pull request controls.
const (
	// MaxFileSize bounds one scaffold file read back for comparison.
	MaxFileSize = 32 << 20
	// MaxReadTotal bounds everything one Prepare or Apply reads back.
	MaxReadTotal = 512 << 20
	// MaxLedgerSize bounds .dorgu/ledger.json: a ledger entry takes about
	// 120 bytes, so this holds some 70,000 files (a 1,000-cluster scaffold
	// has 14,000).
	MaxLedgerSize = 8 << 20
	// MaxJournalSize bounds .dorgu/journal.json: a copy of the ledger plus
	// one rename or removal per file.
	MaxJournalSize = 3 * MaxLedgerSize
	// maxLockSize bounds what is read of a lock file to name its holder.
	maxLockSize = 4 << 10
)

// outDir is the output directory as the writer reaches into it. Every
// name is a slash path inside it. Each operation first checks, with an
// Lstat, that no element on the way is a symbolic link, and then goes
// through an os.Root: the Lstat refuses links that stay inside (os.Root
// would follow those), and the root keeps the operation inside even if the
// tree changes between the two.
//
// A directory found to be a real one is remembered for the rest of the
// Prepare or Apply (one render), so that a path's parents are checked
// once, not at every operation on a file below them. Nothing in a pull
// request changes a directory during a render; a process racing with it
// can at most send an operation elsewhere inside the output directory,
// which os.Root still bounds.
type outDir struct {
	out    string          // as the user named it
	root   *os.Root        // nil while the directory does not exist
	budget int64           // bytes left to read
	dirs   map[string]bool // directories seen to be real ones
}

func openOutDir(out string) (*outDir, error) {
	d := &outDir{out: out, budget: MaxReadTotal, dirs: map[string]bool{}}
	r, err := os.OpenRoot(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return d, nil
	case err != nil:
		return nil, fmt.Errorf("output directory %s: %w", d.show(""), unwrap(err))
	}
	d.root = r
	return d, nil
}

func (d *outDir) close() {
	if d.root != nil {
		d.root.Close()
		d.root = nil
	}
}

// show is how messages name rel: slash-separated on every system.
func (d *outDir) show(rel string) string {
	o := filepath.ToSlash(d.out)
	if rel == "" || rel == "." {
		return o
	}
	return strings.TrimSuffix(o, "/") + "/" + rel
}

func native(rel string) string { return filepath.FromSlash(rel) }

// LinkError is a symbolic link where the writer needs a file or a
// directory of its own.
type LinkError struct {
	Path string // slash path, as shown
}

func (e *LinkError) Error() string {
	return fmt.Sprintf("%s: is a symbolic link; dorgu-gen never reads, writes or removes anything through a link in the output directory", e.Path)
}

// parents checks every directory above rel: each must be a directory and
// not a symbolic link. It returns false when one does not exist, and so
// neither does rel.
func (d *outDir) parents(rel string) (bool, error) {
	if d.root == nil {
		return false, nil
	}
	for i := 0; i < len(rel); i++ {
		if rel[i] != '/' {
			continue
		}
		ok, err := d.isDir(rel[:i])
		if !ok || err != nil {
			return false, err
		}
	}
	return true, nil
}

// isDir reports whether the directory rel exists, refusing a link or a
// file in its place.
func (d *outDir) isDir(rel string) (bool, error) {
	if d.dirs[rel] {
		return true, nil
	}
	info, err := d.root.Lstat(native(rel))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("%s: %w", d.show(rel), unwrap(err))
	case info.Mode()&fs.ModeSymlink != 0:
		return false, &LinkError{Path: d.show(rel)}
	case !info.IsDir():
		return false, fmt.Errorf("%s: is a file, but the scaffold needs a directory there", d.show(rel))
	}
	d.dirs[rel] = true
	return true, nil
}

// lstat returns what rel is, without following it; nil when it does not
// exist.
func (d *outDir) lstat(rel string) (fs.FileInfo, error) {
	ok, err := d.parents(rel)
	if !ok || err != nil {
		return nil, err
	}
	info, err := d.root.Lstat(native(rel))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("%s: %w", d.show(rel), unwrap(err))
	}
	return info, nil
}

// file returns what the regular file rel is; nil when it does not exist. A
// link or anything but a regular file in its place is an error.
func (d *outDir) file(rel string) (fs.FileInfo, error) {
	info, err := d.lstat(rel)
	switch {
	case info == nil || err != nil:
		return nil, err
	case info.Mode()&fs.ModeSymlink != 0:
		return nil, &LinkError{Path: d.show(rel)}
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("%s: %w (%v)", d.show(rel), safefile.ErrNotRegular, info.Mode().Type())
	}
	return info, nil
}

// open opens the regular file rel with flag, checking that what was opened
// is what file saw.
func (d *outDir) open(rel string, flag int) (*os.File, fs.FileInfo, error) {
	info, err := d.file(rel)
	if info == nil || err != nil {
		return nil, nil, err
	}
	f, err := d.root.OpenFile(native(rel), flag|openFlags, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", d.show(rel), unwrap(err))
	}
	if got, err := f.Stat(); err != nil || !os.SameFile(info, got) {
		f.Close()
		return nil, nil, fmt.Errorf("%s: changed while dorgu-gen opened it; run render again", d.show(rel))
	}
	return f, info, nil
}

// read returns the content of the regular file rel, at most max bytes of
// it and of what is left of the budget; false when it does not exist.
func (d *outDir) read(rel string, max int64) ([]byte, bool, error) {
	f, _, err := d.open(rel, os.O_RDONLY)
	if f == nil || err != nil {
		return nil, false, err
	}
	defer f.Close()
	limit := min(max, d.budget)
	b, err := safefile.ReadAll(f, limit)
	var tb *safefile.TooBigError
	switch {
	case errors.As(err, &tb) && limit < max:
		return nil, false, fmt.Errorf("%s: dorgu-gen reads at most %d bytes of the output directory in one render, and this file goes past that", d.show(rel), int64(MaxReadTotal))
	case errors.As(err, &tb):
		return nil, false, fmt.Errorf("%s: %v", d.show(rel), tb)
	case err != nil:
		return nil, false, fmt.Errorf("%s: %w", d.show(rel), unwrap(err))
	}
	d.budget -= int64(len(b))
	return b, true, nil
}

// mkdirs creates the directory rel and those above it, refusing to pass
// through a link, and appends each one it creates to made.
func (d *outDir) mkdirs(rel string, made *[]string) error {
	if rel == "." || rel == "" {
		return nil
	}
	parts := strings.Split(rel, "/")
	for i := range parts {
		cur := strings.Join(parts[:i+1], "/")
		ok, err := d.isDir(cur)
		if err != nil {
			return err
		}
		if ok {
			continue
		}
		if err := d.root.Mkdir(native(cur), 0o755); err != nil {
			return fmt.Errorf("%s: %w", d.show(cur), unwrap(err))
		}
		d.dirs[cur] = true
		*made = append(*made, cur)
	}
	return nil
}

// create writes data in full to the new file rel, which must not exist,
// and syncs it when sync is set.
func (d *outDir) create(rel string, data []byte, sync bool) error {
	ok, err := d.parents(rel)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s: its directory does not exist", d.show(rel))
	}
	f, err := d.root.OpenFile(native(rel), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("%s: %w", d.show(rel), unwrap(err))
	}
	_, werr := f.Write(data)
	// The mode a generated file gets whatever the umask: it is committed.
	merr := f.Chmod(0o644)
	var serr error
	if sync {
		serr = f.Sync()
	}
	cerr := f.Close()
	if err := errors.Join(werr, merr, serr, cerr); err != nil {
		d.root.Remove(native(rel))
		return fmt.Errorf("%s: %w", d.show(rel), unwrap(err))
	}
	return nil
}

// rename moves the file from onto to, within the output directory.
func (d *outDir) rename(from, to string) error {
	for _, rel := range []string{from, to} {
		if _, err := d.parents(rel); err != nil {
			return err
		}
	}
	if err := d.root.Rename(native(from), native(to)); err != nil {
		return fmt.Errorf("%s: %w", d.show(to), unwrap(err))
	}
	return nil
}

// remove removes the regular file rel; a missing file is not an error.
func (d *outDir) remove(rel string) error {
	info, err := d.file(rel)
	if info == nil || err != nil {
		return err
	}
	if err := d.root.Remove(native(rel)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", d.show(rel), unwrap(err))
	}
	return nil
}

// removeEmptyParents removes the directories above rel that a removal left
// empty, up to but not including the output directory.
func (d *outDir) removeEmptyParents(rel string) {
	for dir := path.Dir(rel); dir != "." && dir != "/"; dir = path.Dir(dir) {
		if ok, err := d.isDir(dir); !ok || err != nil {
			return
		}
		// Remove fails on a directory that is not empty, which ends it.
		if d.root.Remove(native(dir)) != nil {
			return
		}
		delete(d.dirs, dir)
	}
}

// randomSuffix is the random part of a staged file's name.
func randomSuffix() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
