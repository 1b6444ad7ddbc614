// Package startup keeps the garbage collector off while the packages of
// dorgu-gen initialise. The Helm SDK brings packages that build large
// tables at start-up (JSON Schema meta-schemas, the Kubernetes API type
// registry); collecting while they are built is wasted work, about 6 ms
// of every start, `dorgu-gen version` included. The heap they leave is
// a few megabytes.
//
// Go initialises a package as soon as its imports are, in import-path
// order among the ready ones, so this one, importing only packages that
// everything imports, runs before those. main calls Done first thing, and
// so must a test binary that links it (before its tests run).
package startup

import (
	"os"
	"runtime/debug"
)

func init() {
	if own() {
		debug.SetGCPercent(-1)
	}
}

// own is true when the collector's setting is dorgu-gen's to choose, not
// the user's through GOGC.
func own() bool { return os.Getenv("GOGC") == "" }

// Done restores the collector's default.
func Done() {
	if own() {
		debug.SetGCPercent(100)
	}
}
