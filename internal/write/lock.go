package write

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Lock is held while a render writes into an output directory.
type Lock struct {
	path string
}

// acquireLock takes the output directory's lock, failing fast when another
// live render holds it. A lock left by a process that no longer exists (a
// killed render) is taken over rather than blocking forever.
func acquireLock(out string) (*Lock, error) {
	dir := filepath.Join(out, StateDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, unwrap(err))
	}
	p := filepath.Join(dir, lockFile)
	host, _ := os.Hostname()
	content := fmt.Sprintf("%d %s %s\n", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
	for attempt := 0; attempt < 2; attempt++ {
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, werr := f.WriteString(content)
			cerr := f.Close()
			if err := errors.Join(werr, cerr); err != nil {
				os.Remove(p)
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			return &Lock{path: p}, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("%s: %w", p, unwrap(err))
		}
		holder, _ := os.ReadFile(p)
		if live(string(holder), host) {
			return nil, &LockedError{Path: p, Holder: strings.TrimSpace(string(holder))}
		}
		// The holder is gone: a stale lock from a killed render.
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: removing a stale lock: %w", p, unwrap(err))
		}
	}
	return nil, &LockedError{Path: p}
}

// staleAfter bounds how long a lock from another host (a shared file
// system, where its process cannot be checked) holds: a render takes
// seconds, so a lock this old was left by one that died.
const staleAfter = 15 * time.Minute

// live reports whether the lock content names a process that still runs on
// this host, or, for another host, whether the lock is recent.
func live(holder, host string) bool {
	fields := strings.Fields(holder)
	if len(fields) < 3 {
		return false
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil || pid <= 0 {
		return false
	}
	if fields[1] != host {
		since, err := time.Parse(time.RFC3339, fields[2])
		return err == nil && time.Since(since) < staleAfter
	}
	err = syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func (l *Lock) release() { os.Remove(l.path) }

// LockedError says another render holds the lock.
type LockedError struct {
	Path   string
	Holder string
}

func (e *LockedError) Error() string {
	who := "another dorgu-gen render"
	if f := strings.Fields(e.Holder); len(f) >= 3 {
		who = fmt.Sprintf("another dorgu-gen render (pid %s on %s, since %s)", f[0], f[1], f[2])
	}
	return fmt.Sprintf("%s is writing to this directory; wait for it to finish. If no render is running, delete %s", who, e.Path)
}
