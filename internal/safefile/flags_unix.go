//go:build unix

package safefile

import (
	"errors"
	"syscall"
)

// O_NONBLOCK makes opening a FIFO return at once instead of waiting for a
// writer; the fstat that follows then refuses it. It changes nothing for
// regular files.
const (
	openFlags = syscall.O_NONBLOCK | syscall.O_CLOEXEC
	noFollow  = syscall.O_NOFOLLOW
)

// isLoop reports the error O_NOFOLLOW gives on a symbolic link.
func isLoop(err error) bool { return errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK) }
