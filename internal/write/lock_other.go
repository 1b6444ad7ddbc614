//go:build !(darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd || windows)

package write

import (
	"errors"
	"os"
)

// No file locks here (plan9, wasm, aix, solaris): render refuses to write
// rather than write unlocked.
func tryLock(*os.File) (bool, error) {
	return false, errors.ErrUnsupported
}

func unlock(*os.File) {}
