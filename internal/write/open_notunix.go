//go:build !unix

package write

// Elsewhere there are no FIFOs to block on.
const openFlags = 0
