package write

import (
	"encoding/json"
	"errors"
	"fmt"
	"golang.org/x/sys/unix"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// journal lists what a render does once every new file is staged. Written
// atomically before the first rename, it lets the next render finish the
// job after a crash: renaming a staged file and removing a file are both
// safe to repeat.
type journal struct {
	Renames []rename `json:"renames"`
	Removes []string `json:"removes"`
	// Ledger is the ledger the render is writing, so that a plan made
	// before recovery already knows the files as dorgu-gen's own.
	Ledger *Ledger `json:"ledger,omitempty"`
}

type rename struct {
	Tmp string `json:"tmp"`
	Dst string `json:"dst"`
}

func journalPath(out string) string { return filepath.Join(out, StateDir, journalFile) }

func readJournal(out string) (*journal, error) {
	p := journalPath(out)
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, unwrap(err))
	}
	j := &journal{}
	if err := json.Unmarshal(data, j); err != nil {
		return nil, fmt.Errorf("%s: unreadable journal of an interrupted render (%v); restore the scaffold from Git, delete the journal and render again", p, err)
	}
	for _, r := range j.Renames {
		if _, err := safeJoin(out, r.Tmp); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if _, err := safeJoin(out, r.Dst); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	for _, r := range j.Removes {
		if _, err := safeJoin(out, r); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return j, nil
}

func writeJournal(out string, j *journal) error {
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	p := journalPath(out)
	tmp := p + ".dorgu-tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("%s: %w", tmp, unwrap(err))
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("%s: %w", p, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("%s: %w", p, unwrap(err))
	}
	return syncDir(filepath.Dir(p))
}

// complete carries out a journal: renames, removals, then the journal goes.
func complete(out string, j *journal, hook step) error {
	for _, r := range j.Renames {
		tmp := filepath.Join(out, filepath.FromSlash(r.Tmp))
		dst := filepath.Join(out, filepath.FromSlash(r.Dst))
		if err := os.Rename(tmp, dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: %w", dst, unwrap(err))
		}
		hook("renamed " + r.Dst)
	}
	for _, rel := range j.Removes {
		dst := filepath.Join(out, filepath.FromSlash(rel))
		if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: %w", dst, unwrap(err))
		}
		removeEmptyParents(out, filepath.Dir(dst))
		hook("removed " + rel)
	}
	// The renames and removals must be durable before the journal that
	// would redo them goes.
	if err := syncFS(out); err != nil {
		return err
	}
	if err := os.Remove(journalPath(out)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", journalPath(out), unwrap(err))
	}
	hook("journal removed")
	return nil
}

// recoverJournal completes an interrupted render, then removes the staged
// files a render left when it died before writing its journal.
func recoverJournal(out string, hook step) error {
	if _, err := os.Stat(journalPath(out)); err == nil {
		j, err := readJournal(out)
		if err != nil {
			return err
		}
		if err := complete(out, j, hook); err != nil {
			return err
		}
	}
	return sweepTemps(out)
}

// sweepTemps removes leftover staged files: they are named
// .<name>.dorgu-tmp-<random> and only ever live in dorgu-gen's directories.
func sweepTemps(out string) error {
	return filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() && strings.Contains(d.Name(), ".dorgu-tmp") && strings.HasPrefix(d.Name(), ".") ||
			d.Type().IsRegular() && d.Name() == journalFile+".dorgu-tmp" {
			os.Remove(p)
		}
		return nil
	})
}

// removeEmptyParents removes directories left empty by a removal, up to but
// not including out.
func removeEmptyParents(out, dir string) {
	for {
		rel, err := filepath.Rel(out, dir)
		if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
			return
		}
		if os.Remove(dir) != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, unwrap(err))
	}
	defer f.Close()
	// Some file systems do not support syncing a directory; the rename is
	// still atomic there, only its durability is weaker.
	_ = f.Sync()
	return nil
}

// syncFS flushes the file system that holds dir: one call for every file
// staged or renamed, where an fsync per file costs a disk flush each.
func syncFS(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, unwrap(err))
	}
	defer f.Close()
	if err := unix.Syncfs(int(f.Fd())); err != nil {
		// Not every platform has syncfs(2); sync(2) flushes everything.
		unix.Sync()
	}
	return nil
}
