// Package repofs reads the files of the repository under check: the
// config, the policies and the scaffold, which a pull request controls
// (and replaces a config file, for dorgu-gen upgrade, by the same rules).
// Every read stays inside the repository (a symbolic link that leads out
// of it is an error naming the link, and its target is never opened),
// takes regular files only, never blocks on a FIFO or a device, and counts
// against bounds on the bytes of one file, the bytes of the whole run and
// the number of directory entries looked at.
package repofs

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dorgu/dorgu-gen/internal/safefile"
)

// Limits bound what one run reads. The README's Limits table states them.
type Limits struct {
	// FileBytes bounds one file.
	FileBytes int64
	// TotalBytes bounds every file read in one run, together.
	TotalBytes int64
	// Entries bounds the directory entries one run looks at: every file it
	// reads is one of them.
	Entries int64
}

// Default are the limits of every command. A fleet of 1000 clusters is
// about 14,000 files of 15 MB in all: these leave it room four times over,
// and keep what a hostile change can make dorgu-gen read, hold and parse
// to a size a CI runner survives.
var Default = Limits{FileBytes: DefaultFileBytes, TotalBytes: 64 << 20, Entries: 100_000}

// DefaultFileBytes is Default's bound on one file: a CUE config, a policy
// or a scaffold file of this size is already a mistake (a binary, a log).
const DefaultFileBytes = 8 << 20

// Names of the limits, as errors print them.
const (
	LimitFileBytes  = "bytes per file"
	LimitTotalBytes = "bytes read in total"
	LimitEntries    = "files and folders looked at"
)

// LimitError is a read that would exceed one of the Limits.
type LimitError struct {
	Path  string // the file or folder, as the user would name it
	Limit string // LimitFileBytes, LimitTotalBytes or LimitEntries
	Max   int64
	Size  int64 // the file's size, for LimitFileBytes
}

func (e *LimitError) Error() string {
	switch e.Limit {
	case LimitFileBytes:
		return fmt.Sprintf("%s: the file is %d bytes; dorgu-gen reads files of at most %d bytes (limit: %s)", e.Path, e.Size, e.Max, e.Limit)
	case LimitTotalBytes:
		return fmt.Sprintf("%s: reading it would take dorgu-gen past %d bytes read in this run (limit: %s)", e.Path, e.Max, e.Limit)
	}
	return fmt.Sprintf("%s: looking at it would take dorgu-gen past %d files and folders in this run (limit: %s)", e.Path, e.Max, e.Limit)
}

// EscapeError is a symbolic link that leads out of the repository, or an
// absolute one: dorgu-gen neither follows nor reads it.
type EscapeError struct {
	// Path is the link, as the user would name it: relative to the
	// working directory when it is below it.
	Path string
}

func (e *EscapeError) Error() string {
	return e.Path + ": " + EscapeMessage
}

// EscapeMessage says what is wrong with an EscapeError's link.
const EscapeMessage = "is a symbolic link that leads out of the repository (or an absolute one); dorgu-gen follows only relative links that stay inside the repository, and reads nothing outside it"

// Repo is the repository under check, and the reads of one run.
type Repo struct {
	wd     string
	dir    string
	root   *os.Root
	limits Limits

	bytes   atomic.Int64
	entries atomic.Int64

	mu     sync.Mutex
	others map[string]*os.Root
}

// Open opens the repository that wd, an absolute directory, belongs to:
// the top of the Git work tree that holds wd (the nearest folder above it,
// or wd itself, with a .git entry), else wd itself.
func Open(wd string, limits Limits) (*Repo, error) {
	if !filepath.IsAbs(wd) {
		abs, err := filepath.Abs(wd)
		if err != nil {
			return nil, err
		}
		wd = abs
	}
	wd = filepath.Clean(wd)
	dir := top(wd)
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot open the repository %s: %w", dir, unwrap(err))
	}
	return &Repo{wd: wd, dir: dir, root: root, limits: limits, others: map[string]*os.Root{}}, nil
}

// gitTop returns the top of the Git work tree holding p, or "" when there
// is none.
func gitTop(p string) string {
	for d := p; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

func top(wd string) string {
	if t := gitTop(wd); t != "" {
		return t
	}
	return wd
}

// Close releases the repository's directory handles.
func (r *Repo) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range r.others {
		o.Close()
	}
	r.others = map[string]*os.Root{}
	return r.root.Close()
}

// Root returns the repository's top directory.
func (r *Repo) Root() string { return r.dir }

// WorkDir returns the working directory the repository was opened from.
func (r *Repo) WorkDir() string { return r.wd }

// Dir is a folder or file of the repository, reached without leaving it.
type Dir struct {
	repo    *Repo
	root    *os.Root
	rootDir string
	rel     string // inside root, OS-separated; "." for the root itself
	display string // as the user named it
}

// Path resolves p, absolute or relative to the working directory. A path
// inside the repository is reached from the repository's top, so that no
// symbolic link on the way leads out of it. A path outside the repository
// can only be one the user typed (every default is inside): it is taken as
// a repository of its own, the Git work tree that holds it or else the
// folder it names (a file's folder), inside which the same rules hold.
func (r *Repo) Path(p string) (*Dir, error) {
	display := p
	if !filepath.IsAbs(p) {
		p = filepath.Join(r.wd, p)
	}
	p = filepath.Clean(p)
	if rel, ok := inside(r.dir, p); ok {
		return &Dir{repo: r, root: r.root, rootDir: r.dir, rel: rel, display: display}, nil
	}
	dir := gitTop(p)
	if dir == "" {
		dir = p
		if info, err := os.Stat(p); err == nil && !info.IsDir() {
			dir = filepath.Dir(p)
		} else if err != nil {
			// Nothing there: its folder holds it, and the caller reports
			// what is missing.
			dir = filepath.Dir(p)
		}
	}
	root, err := r.other(dir)
	if err != nil {
		return nil, err
	}
	rel, _ := inside(dir, p)
	return &Dir{repo: r, root: root, rootDir: dir, rel: rel, display: display}, nil
}

func (r *Repo) other(dir string) (*os.Root, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if root, ok := r.others[dir]; ok {
		return root, nil
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: dir, Err: unwrap(err)}
	}
	r.others[dir] = root
	return root, nil
}

// inside returns p relative to dir when p is dir or below it, lexically.
func inside(dir, p string) (string, bool) {
	rel, err := filepath.Rel(dir, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return rel, true
}

// Join returns the entry name (slash-separated) below d.
func (d *Dir) Join(name string) *Dir {
	n := filepath.FromSlash(name)
	return &Dir{repo: d.repo, root: d.root, rootDir: d.rootDir, rel: filepath.Join(d.rel, n), display: filepath.Join(d.display, n)}
}

// String returns the path as the user would name it.
func (d *Dir) String() string { return d.display }

// Abs returns the absolute path.
func (d *Dir) Abs() string { return filepath.Join(d.rootDir, d.rel) }

// Stat returns what the path is, following symbolic links inside the
// repository. A link that leads out of it is an *EscapeError.
func (d *Dir) Stat() (fs.FileInfo, error) {
	info, err := d.root.Stat(d.rel)
	if err != nil {
		return nil, d.wrap(err)
	}
	return info, nil
}

// Lstat returns what the path is, not following a symbolic link in its
// last element.
func (d *Dir) Lstat() (fs.FileInfo, error) {
	info, err := d.root.Lstat(d.rel)
	if err != nil {
		return nil, d.wrap(err)
	}
	return info, nil
}

// listChunk is how many entries a directory is read in at a time, so that
// a folder of a million entries is refused before it is all in memory.
const listChunk = 256

// ReadDir lists the folder, sorted by name. Every entry counts against the
// run's entries limit.
func (d *Dir) ReadDir() ([]fs.DirEntry, error) {
	f, err := d.root.Open(d.rel)
	if err != nil {
		return nil, d.wrap(err)
	}
	defer f.Close()
	var out []fs.DirEntry
	for {
		chunk, err := f.ReadDir(listChunk)
		if n := d.repo.entries.Add(int64(len(chunk))); n > d.repo.limits.Entries {
			return nil, &LimitError{Path: d.display, Limit: LimitEntries, Max: d.repo.limits.Entries}
		}
		out = append(out, chunk...)
		if errors.Is(err, io.EOF) || (err == nil && len(chunk) == 0) {
			break
		}
		if err != nil {
			return nil, d.wrap(err)
		}
	}
	sortEntries(out)
	return out, nil
}

// sortEntries sorts by name, as os.ReadDir does (File.ReadDir does not).
func sortEntries(es []fs.DirEntry) {
	slices.SortFunc(es, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
}

// ReadFile reads the regular file at the path, without blocking; its bytes
// count against the run's total.
func (d *Dir) ReadFile() ([]byte, error) {
	limits := &d.repo.limits
	left := limits.TotalBytes - d.repo.bytes.Load()
	max := min(limits.FileBytes, left)
	data, err := safefile.ReadIn(d.root, d.rel, max)
	var tb *safefile.TooBigError
	if errors.As(err, &tb) {
		if tb.Size > limits.FileBytes {
			return nil, &LimitError{Path: d.display, Limit: LimitFileBytes, Max: limits.FileBytes, Size: tb.Size}
		}
		return nil, &LimitError{Path: d.display, Limit: LimitTotalBytes, Max: limits.TotalBytes}
	}
	if err != nil {
		return nil, d.wrap(err)
	}
	if n := d.repo.bytes.Add(int64(len(data))); n > limits.TotalBytes {
		return nil, &LimitError{Path: d.display, Limit: LimitTotalBytes, Max: limits.TotalBytes}
	}
	return data, nil
}

// wrap turns an error of os.Root into one that names the path as the user
// would: an *EscapeError naming the link when the path leads out of the
// repository, else an *fs.PathError with the display path.
func (d *Dir) wrap(err error) error {
	if isEscape(err) {
		return d.escape()
	}
	return &fs.PathError{Op: "read", Path: d.display, Err: unwrap(err)}
}

// escape finds the link on the way to the path that leads out of the
// repository: the first element that is a symbolic link and cannot be
// followed inside the root.
func (d *Dir) escape() *EscapeError {
	parts := strings.Split(d.rel, string(filepath.Separator))
	for i := range parts {
		p := filepath.Join(parts[:i+1]...)
		info, err := d.root.Lstat(p)
		if err != nil {
			break
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			continue
		}
		if _, err := d.root.Stat(p); isEscape(err) {
			return d.named(p)
		}
	}
	return d.named(d.rel)
}

// named builds the EscapeError of the link at rel (inside the root).
func (d *Dir) named(rel string) *EscapeError {
	e := &EscapeError{Path: d.display}
	abs := filepath.Join(d.rootDir, rel)
	if r, ok := inside(d.repo.wd, abs); ok {
		e.Path = r
	} else {
		e.Path = abs
	}
	return e
}

// isEscape reports an error of os.Root for a path that leads out of the
// root. os does not export that error, so its message is matched; a test
// holds it to the behaviour of the Go release in use.
func isEscape(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e.Error() == "path escapes from parent" {
			return true
		}
	}
	return false
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ErrChanged is a file that changed after it was read: replacing it would
// lose what changed.
var ErrChanged = errors.New("changed since dorgu-gen read it")

// Replace replaces the regular file at the path, whose content must still
// be old, with data, as a whole: data goes to a temporary file next to
// it, which is then renamed over it, so that a reader (ArgoCD, an editor,
// a render) sees the old bytes or the new, never part of them. The file
// keeps its permission bits. A symbolic link, or anything but a regular
// file, is refused: writing through a link edits the file it leads to,
// which may be anything. A file that no longer holds old (an editor saved
// it meanwhile) is left alone, with ErrChanged.
func (d *Dir) Replace(old, data []byte) error {
	info, err := d.root.Lstat(d.rel)
	if err != nil {
		return d.wrap(err)
	}
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		return &fs.PathError{Op: "replace", Path: d.display, Err: safefile.ErrSymlink}
	case !info.Mode().IsRegular():
		return &fs.PathError{Op: "replace", Path: d.display, Err: safefile.ErrNotRegular}
	}
	cur, err := safefile.ReadIn(d.root, d.rel, int64(len(old))+1)
	var tb *safefile.TooBigError
	if errors.As(err, &tb) || (err == nil && string(cur) != string(old)) {
		return &fs.PathError{Op: "replace", Path: d.display, Err: ErrChanged}
	}
	if err != nil {
		return d.wrap(err)
	}
	perm := info.Mode().Perm()
	tmp := filepath.Join(filepath.Dir(d.rel), "."+filepath.Base(d.rel)+".dorgu-tmp-"+rand.Text())
	f, err := d.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return d.wrap(err)
	}
	_, werr := f.Write(data)
	// The umask may have taken bits that the file had.
	merr := f.Chmod(perm)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, merr, serr, cerr); err != nil {
		_ = d.root.Remove(tmp)
		return &fs.PathError{Op: "replace", Path: d.display, Err: unwrap(err)}
	}
	if err := d.root.Rename(tmp, d.rel); err != nil {
		_ = d.root.Remove(tmp)
		return d.wrap(err)
	}
	return nil
}
