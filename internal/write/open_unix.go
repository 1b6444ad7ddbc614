//go:build unix

package write

import "syscall"

// O_NONBLOCK makes opening a FIFO that was swapped in after the Lstat
// return at once instead of waiting for a writer; it changes nothing for
// regular files.
const openFlags = syscall.O_NONBLOCK | syscall.O_CLOEXEC
