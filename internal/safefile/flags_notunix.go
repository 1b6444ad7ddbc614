//go:build !unix

package safefile

// Elsewhere there are no FIFOs to block on and no O_NOFOLLOW: ReadNoFollow
// falls back to an Lstat before the open.
const (
	openFlags = 0
	noFollow  = 0
)

func isLoop(error) bool { return false }
