//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package write

import (
	"io/fs"
	"syscall"
)

// The file flags of chflags(2) that forbid replacing or removing a file,
// or changing a directory's entries; the same values on every BSD.
const (
	ufImmutable = 0x00000002
	ufAppend    = 0x00000004
	sfImmutable = 0x00020000
	sfAppend    = 0x00040000
)

// attrBlock says why rel, a file or directory that info describes, cannot
// have its name replaced or removed: "" when nothing stands in the way.
func attrBlock(_ *outDir, _ string, info fs.FileInfo) (string, error) {
	st, ok := info.Sys().(*syscall.Stat_t)
	switch {
	case !ok:
		return "", nil
	case st.Flags&(ufImmutable|sfImmutable) != 0:
		return "immutable (chflags uchg or schg)", nil
	case st.Flags&(ufAppend|sfAppend) != 0:
		return "append-only (chflags uappnd or sappnd)", nil
	}
	return "", nil
}
