package write

import (
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/dorgu/dorgu-gen/internal/safefile"
)

// Lock is held while a render writes into an output directory. It is an
// OS file lock (flock(2), or LockFileEx on Windows) on .dorgu/lock, which
// the system releases when the process ends, however it ends: a killed
// render never leaves a lock behind that the next one must judge, and two
// renders never both take it. The file also says who holds it (pid, host,
// time), for the message of a render that finds it taken; its content
// decides nothing.
type Lock struct {
	d *outDir
	f *os.File // nil once released
}

// acquireLock takes the output directory's lock, failing fast when another
// render holds it. .dorgu must exist, as a directory.
func acquireLock(d *outDir) (*Lock, error) {
	host, _ := os.Hostname()
	content := fmt.Sprintf("%d %s %s\n", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
	// A holder that releases while this render opens the file leaves it
	// holding a lock on a file that is gone (see release); it then starts
	// over on the file the name holds now. That takes a render that
	// finishes in between each time, so a few rounds are plenty.
	for range 8 {
		f, err := openLockFile(d)
		if err != nil {
			return nil, err
		}
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: taking the lock: %w", d.show(lockPath), err)
		}
		if !ok {
			holder := readHolder(f)
			f.Close()
			return nil, &LockedError{Path: d.show(lockPath), Holder: holder}
		}
		if now, err := d.root.Lstat(native(lockPath)); err != nil || !sameFile(f, now) {
			unlock(f)
			f.Close()
			continue
		}
		if err := f.Truncate(0); err != nil {
			unlock(f)
			f.Close()
			return nil, fmt.Errorf("%s: %w", d.show(lockPath), unwrap(err))
		}
		if _, err := f.WriteAt([]byte(content), 0); err != nil {
			unlock(f)
			f.Close()
			return nil, fmt.Errorf("%s: %w", d.show(lockPath), unwrap(err))
		}
		return &Lock{d: d, f: f}, nil
	}
	return nil, fmt.Errorf("%s: the lock file keeps being replaced while dorgu-gen takes it; are renders running in a loop?", d.show(lockPath))
}

// readHolder reads who holds the lock. The holder writes that just after
// it takes the lock, so a render that finds the lock taken at that moment
// reads an empty file: it reads again for a short while, and the message
// only goes without the holder's name if the holder never wrote it.
func readHolder(f *os.File) string {
	for range 50 {
		if _, err := f.Seek(0, 0); err != nil {
			return ""
		}
		holder, _ := safefile.ReadAll(f, maxLockSize)
		if h := strings.TrimSpace(string(holder)); holderRE.MatchString(h) {
			return h
		}
		time.Sleep(2 * time.Millisecond)
	}
	return ""
}

// openLockFile opens .dorgu/lock, creating it. Anything but a regular file
// there (a link to /dev/zero, a FIFO) is refused before it is opened.
func openLockFile(d *outDir) (*os.File, error) {
	info, err := d.file(lockPath)
	if err != nil {
		return nil, fmt.Errorf("%w; dorgu-gen's lock is a regular file: remove what is there", err)
	}
	f, err := d.root.OpenFile(native(lockPath), os.O_RDWR|os.O_CREATE|openFlags, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.show(lockPath), unwrap(err))
	}
	got, err := f.Stat()
	if err != nil || !got.Mode().IsRegular() || info != nil && !os.SameFile(info, got) {
		f.Close()
		return nil, fmt.Errorf("%s: changed while dorgu-gen opened it; run render again", d.show(lockPath))
	}
	return f, nil
}

func sameFile(f *os.File, info fs.FileInfo) bool {
	got, err := f.Stat()
	return err == nil && os.SameFile(got, info)
}

// release removes the lock file and lets the lock go, once: a second call
// does nothing. The file goes first, while the lock is still held, and
// only if the name still holds it: a render that opened it meanwhile and
// takes the lock after this one sees that it is gone and starts over,
// instead of two renders holding locks on two files. Where an open file
// cannot be removed (Windows), it stays; an unlocked lock file blocks
// nothing.
func (l *Lock) release() {
	if l == nil || l.f == nil {
		return
	}
	f := l.f
	l.f = nil
	if now, err := l.d.root.Lstat(native(lockPath)); err == nil && sameFile(f, now) {
		l.d.root.Remove(native(lockPath))
	}
	unlock(f)
	f.Close()
}

// LockedError says another render holds the lock.
type LockedError struct {
	Path   string
	Holder string // the lock file's content: "pid host time"
}

// holderRE is what a render writes into its lock file; anything else (a
// file that is not there yet, or one planted with something to print) is
// not shown.
var holderRE = regexp.MustCompile(`^([0-9]{1,10}) ([A-Za-z0-9._-]{1,253}) ([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)$`)

func (e *LockedError) Error() string {
	who := "another dorgu-gen render"
	if m := holderRE.FindStringSubmatch(e.Holder); m != nil {
		who = fmt.Sprintf("another dorgu-gen render (pid %s on %s, since %s)", m[1], m[2], m[3])
	}
	return fmt.Sprintf("%s is writing to this directory; wait for it to finish (%s is locked until that process ends)", who, e.Path)
}
