//go:build unix

package cache

import (
	"fmt"
	"io/fs"
	"syscall"
)

// owner returns the user id that owns a file, and whether it is known.
func owner(info fs.FileInfo) (int, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}

// untrusted says why a directory of the cache cannot be trusted by the user
// euid, or "" when it can: it must be owned by that user and writable by
// nobody else.
func untrusted(info fs.FileInfo, euid int) string {
	if uid, ok := owner(info); ok && uid != euid {
		return fmt.Sprintf("owned by another user (uid %d, not %d)", uid, euid)
	}
	if info.Mode().Perm()&0o022 != 0 {
		return fmt.Sprintf("writable by other users (mode %04o)", info.Mode().Perm())
	}
	return ""
}
