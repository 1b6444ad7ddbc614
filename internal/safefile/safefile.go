// Package safefile reads files that someone else may have planted: a pull
// request's config, policies and scaffold, a restored cache, a render's own
// bookkeeping. A read never blocks on a FIFO or a device, never takes more
// than a stated number of bytes, and reads only regular files.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrNotRegular is a path that names a directory, a FIFO, a device or a
// socket: nothing dorgu-gen reads is ever one of those, and reading one
// blocks forever (a FIFO) or never ends (/dev/zero).
var ErrNotRegular = errors.New("not a regular file")

// ErrSymlink is a symbolic link where ReadNoFollow refuses one.
var ErrSymlink = errors.New("is a symbolic link")

// TooBigError is a file larger than the caller's bound.
type TooBigError struct {
	Size, Max int64
}

func (e *TooBigError) Error() string {
	return fmt.Sprintf("the file is %d bytes; the limit is %d bytes", e.Size, e.Max)
}

// ReadFile reads the regular file name, following symbolic links, and at
// most max bytes of it.
func ReadFile(name string, max int64) ([]byte, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, max)
}

// ReadNoFollow reads the regular file name, refusing a symbolic link in its
// last element with ErrSymlink (links in the directories above it are the
// caller's business: see os.Root).
func ReadNoFollow(name string, max int64) ([]byte, error) {
	if noFollow == 0 {
		// No O_NOFOLLOW here: an Lstat first, racy but the best there is.
		if info, err := os.Lstat(name); err == nil && info.Mode()&fs.ModeSymlink != 0 {
			return nil, &fs.PathError{Op: "open", Path: name, Err: ErrSymlink}
		}
	}
	f, err := os.OpenFile(name, os.O_RDONLY|openFlags|noFollow, 0)
	if err != nil {
		if isLoop(err) {
			return nil, &fs.PathError{Op: "open", Path: name, Err: ErrSymlink}
		}
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, max)
}

// ReadIn reads the regular file name inside root: a name, or a symbolic
// link on the way, that leads out of root fails, as os.Root does.
func ReadIn(root *os.Root, name string, max int64) ([]byte, error) {
	f, err := root.OpenFile(name, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, max)
}

// ReadAll reads an open file, which must be regular, up to max bytes. The
// size is checked before reading and again while reading, since a file can
// grow in between.
func ReadAll(f *os.File, max int64) ([]byte, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: f.Name(), Err: ErrNotRegular}
	}
	if info.Size() > max {
		return nil, &fs.PathError{Op: "read", Path: f.Name(), Err: &TooBigError{Size: info.Size(), Max: max}}
	}
	data := make([]byte, 0, info.Size()+1)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if int64(len(data)) > max {
			return nil, &fs.PathError{Op: "read", Path: f.Name(), Err: &TooBigError{Size: int64(len(data)), Max: max}}
		}
		if errors.Is(err, io.EOF) {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}
