// Package dorgugen holds the stack definition that the dorgu-gen binary
// renders by default: the CUE schema, the blessed components and the Rego
// policies, embedded so that the binary alone renders the default stack.
package dorgugen

import (
	"embed"
	"io/fs"
)

//go:embed schema/*.cue components/*.cue policies/*.rego
var defaults embed.FS

// Defaults returns the embedded schema/, components/ and policies/ folders.
func Defaults() fs.FS { return defaults }
