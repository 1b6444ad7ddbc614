//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd || windows)

package write

import "io/fs"

// attrBlock finds nothing here: no flags this system has are checked.
func attrBlock(*outDir, string, fs.FileInfo) (string, error) { return "", nil }
