// Package gitrev reads files of a Git revision with the git command line,
// which every CI runner has: a folder of the revision copied into a
// directory, one file's bytes. What a revision holds is as hostile as a
// pull request's files: sizes and counts are bounded by repofs's limits
// before anything is read, only regular files are written, and a symbolic
// link is replaced by the file it names only when that file is in the
// folder read; any other link is left out and reported.
package gitrev

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dorgu/dorgu-gen/internal/repofs"
)

// Repo is a Git work tree's repository.
type Repo struct {
	// Top is the work tree's top directory.
	Top string
}

// Error is a revision or a path that git cannot read.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// Open finds the repository of the work tree that holds dir.
func Open(ctx context.Context, dir string) (*Repo, error) {
	out, err := git(ctx, dir, nil, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("%s is not in a Git work tree: %v", dir, err)}
	}
	return &Repo{Top: strings.TrimSpace(string(out))}, nil
}

// Commit resolves a revision to its commit's name.
func (r *Repo) Commit(ctx context.Context, rev string) (string, error) {
	if rev == "" || strings.HasPrefix(rev, "-") {
		return "", &Error{Msg: fmt.Sprintf("%q is not a Git revision", rev)}
	}
	out, err := git(ctx, r.Top, nil, "rev-parse", "--verify", "--quiet", rev+"^{commit}")
	if err != nil {
		return "", &Error{Msg: fmt.Sprintf("%q is not a commit of the repository in %s (fetch it first: a shallow clone of a pull request has only its own commits)", rev, r.Top)}
	}
	return strings.TrimSpace(string(out)), nil
}

// Rel is p, a path on disk, relative to the work tree's top, slash-
// separated; false when p is not inside it.
func (r *Repo) Rel(p string) (string, bool) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", false
	}
	top := r.Top
	if t, err := filepath.EvalSymlinks(top); err == nil {
		top = t
	}
	// The path may not exist: its closest existing parent decides.
	dir, rest := abs, ""
	for {
		if d, err := filepath.EvalSymlinks(dir); err == nil {
			abs = filepath.Join(d, rest)
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		rest = filepath.Join(filepath.Base(dir), rest)
		dir = parent
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil || !filepath.IsLocal(rel) && rel != "." {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// entry is one file of a revision's tree.
type entry struct {
	mode, oid, path string
	size            int64
}

// Files are the files of a folder of a revision, by path relative to it.
type Files map[string][]byte

// Skipped are the paths left out of a copy, each with why.
type Skipped []string

// Extract copies the files of folder dir (slash-separated, relative to
// the top; "." for all) at commit into the directory into, which must be
// empty, when want accepts their paths relative to dir. A folder the
// commit does not have copies nothing.
func (r *Repo) Extract(ctx context.Context, commit, dir, into string, limits repofs.Limits, want func(rel string) bool) (Skipped, error) {
	entries, err := r.list(ctx, commit, dir, limits)
	if err != nil {
		return nil, err
	}
	byPath := map[string]entry{}
	prefix := strings.TrimSuffix(dir, "/") + "/"
	if dir == "." || dir == "" {
		prefix = ""
	}
	var picked []entry
	for _, e := range entries {
		rel := strings.TrimPrefix(e.path, prefix)
		byPath[rel] = e
		if want(rel) {
			picked = append(picked, entry{mode: e.mode, oid: e.oid, path: rel, size: e.size})
		}
	}
	var skipped Skipped
	var reads []entry
	for _, e := range picked {
		switch e.mode {
		case "100644", "100755", "120000":
			reads = append(reads, e)
		default:
			skipped = append(skipped, fmt.Sprintf("%s: not a regular file (git mode %s)", e.path, e.mode))
		}
	}
	var total int64
	for _, e := range reads {
		if e.size > limits.FileBytes {
			return nil, &repofs.LimitError{Path: commitPath(commit, prefix+e.path), Limit: repofs.LimitFileBytes, Max: limits.FileBytes, Size: e.size}
		}
		if total += e.size; total > limits.TotalBytes {
			return nil, &repofs.LimitError{Path: commitPath(commit, prefix+e.path), Limit: repofs.LimitTotalBytes, Max: limits.TotalBytes}
		}
	}
	blobs, err := r.blobs(ctx, reads)
	if err != nil {
		return nil, err
	}
	for i, e := range reads {
		data := blobs[i]
		if e.mode == "120000" {
			target, ok := resolve(e.path, string(data), byPath)
			if !ok {
				skipped = append(skipped, fmt.Sprintf("%s: a symbolic link to %s, which is not a file of %s at this revision; links are followed only to its files", e.path, string(data), dirName(dir)))
				continue
			}
			if target.size > limits.FileBytes {
				return nil, &repofs.LimitError{Path: commitPath(commit, prefix+target.path), Limit: repofs.LimitFileBytes, Max: limits.FileBytes, Size: target.size}
			}
			if total += target.size; total > limits.TotalBytes {
				return nil, &repofs.LimitError{Path: commitPath(commit, prefix+target.path), Limit: repofs.LimitTotalBytes, Max: limits.TotalBytes}
			}
			got, err := r.blobs(ctx, []entry{target})
			if err != nil {
				return nil, err
			}
			data = got[0]
		}
		dst := filepath.Join(into, filepath.FromSlash(e.path))
		if !filepath.IsLocal(filepath.FromSlash(e.path)) {
			skipped = append(skipped, fmt.Sprintf("%s: not a path inside the folder", e.path))
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return nil, err
		}
	}
	return skipped, nil
}

// resolve follows a symbolic link at p with the given target through the
// files of the tree to a regular file; a link to a link is not followed.
func resolve(p, target string, files map[string]entry) (entry, bool) {
	if strings.HasPrefix(target, "/") {
		return entry{}, false
	}
	q := path.Clean(path.Join(path.Dir(p), target))
	if q == ".." || strings.HasPrefix(q, "../") {
		return entry{}, false
	}
	e, ok := files[q]
	if !ok || e.mode != "100644" && e.mode != "100755" {
		return entry{}, false
	}
	return e, true
}

// ReadFile reads the file at p (slash-separated, relative to the top) at
// commit; false when the commit has no such regular file.
func (r *Repo) ReadFile(ctx context.Context, commit, p string, limits repofs.Limits) ([]byte, bool, error) {
	entries, err := r.list(ctx, commit, p, limits)
	if err != nil {
		return nil, false, err
	}
	for _, e := range entries {
		if e.path != p {
			continue
		}
		if e.mode != "100644" && e.mode != "100755" {
			return nil, false, nil
		}
		if e.size > limits.FileBytes {
			return nil, false, &repofs.LimitError{Path: commitPath(commit, p), Limit: repofs.LimitFileBytes, Max: limits.FileBytes, Size: e.size}
		}
		data, err := r.blobs(ctx, []entry{e})
		if err != nil {
			return nil, false, err
		}
		return data[0], true, nil
	}
	return nil, false, nil
}

// list lists the files under p at commit, recursively, with their sizes.
func (r *Repo) list(ctx context.Context, commit, p string, limits repofs.Limits) ([]entry, error) {
	args := []string{"ls-tree", "-r", "-z", "-l", "--full-tree", commit}
	if p != "" && p != "." {
		args = append(args, "--", p)
	}
	out, err := git(ctx, r.Top, nil, args...)
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("cannot list %s at %s: %v", dirName(p), short(commit), err)}
	}
	var entries []entry
	for rec := range bytes.SplitSeq(out, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		if int64(len(entries)) >= limits.Entries {
			return nil, &repofs.LimitError{Path: commitPath(commit, p), Limit: repofs.LimitEntries, Max: limits.Entries}
		}
		meta, name, ok := bytes.Cut(rec, []byte{'\t'})
		f := strings.Fields(string(meta))
		if !ok || len(f) != 4 {
			return nil, &Error{Msg: fmt.Sprintf("git ls-tree printed %q", rec)}
		}
		e := entry{mode: f[0], oid: f[2], path: string(name)}
		if f[1] != "blob" {
			// A submodule: nothing of it is in this repository.
			e.mode = "submodule"
		} else if e.size, err = strconv.ParseInt(f[3], 10, 64); err != nil {
			return nil, &Error{Msg: fmt.Sprintf("git ls-tree printed %q", rec)}
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// blobs reads the blobs of entries through one git cat-file --batch.
func (r *Repo) blobs(ctx context.Context, entries []entry) ([][]byte, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	var in bytes.Buffer
	for _, e := range entries {
		in.WriteString(e.oid + "\n")
	}
	cmd := exec.CommandContext(ctx, "git", "cat-file", "--batch")
	cmd.Dir = r.Top
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, &Error{Msg: fmt.Sprintf("cannot run git: %v", err)}
	}
	br := bufio.NewReader(stdout)
	out := make([][]byte, 0, len(entries))
	var readErr error
	for _, e := range entries {
		header, err := br.ReadString('\n')
		if err != nil {
			readErr = err
			break
		}
		f := strings.Fields(header)
		if len(f) != 3 || f[1] != "blob" {
			readErr = fmt.Errorf("git cat-file printed %q for %s", strings.TrimSpace(header), e.path)
			break
		}
		n, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil || n != e.size {
			readErr = fmt.Errorf("git cat-file gave %s bytes for %s, ls-tree %d", f[2], e.path, e.size)
			break
		}
		data := make([]byte, n+1)
		if _, err := io.ReadFull(br, data); err != nil {
			readErr = err
			break
		}
		out = append(out, data[:n])
	}
	if readErr != nil {
		_ = cmd.Process.Kill()
	}
	_, _ = io.Copy(io.Discard, br)
	werr := cmd.Wait()
	if readErr != nil {
		return nil, &Error{Msg: fmt.Sprintf("cannot read files with git cat-file: %v", readErr)}
	}
	if werr != nil {
		return nil, &Error{Msg: fmt.Sprintf("git cat-file: %v: %s", werr, strings.TrimSpace(stderr.String()))}
	}
	return out, nil
}

func git(ctx context.Context, dir string, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && stderr.Len() > 0 {
			return nil, errors.New(strings.TrimSpace(stderr.String()))
		}
		return nil, err
	}
	return out, nil
}

func commitPath(commit, p string) string { return short(commit) + ":" + p }

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

func dirName(p string) string {
	if p == "" || p == "." {
		return "the repository"
	}
	return p
}
