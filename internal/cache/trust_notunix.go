//go:build !unix

package cache

import "io/fs"

// Elsewhere file modes do not say who may write, and there are no user
// ids: the directory is trusted as the user's own, as GOCACHE is.
func untrusted(fs.FileInfo, int) string { return "" }
