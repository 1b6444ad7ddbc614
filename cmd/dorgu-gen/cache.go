package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dorgu/dorgu-gen/internal/cache"
	"github.com/dorgu/dorgu-gen/internal/report"
)

// cacheEnv names the cache directory, or turns the cache off with "off".
// Without it the cache lives in the user's cache directory
// ($XDG_CACHE_HOME/dorgu-gen, ~/.cache/dorgu-gen, ~/Library/Caches/dorgu-gen).
const cacheEnv = "DORGU_CACHE"

// openCache returns the cache of plans and policy findings, or nil when it
// is off or cannot be used: the cache only saves time, so a cache
// directory that cannot be created never fails a run. A directory that
// someone else could have written is not used either, and stderr says so
// in one line: its entries would decide the outcome.
func openCache(stderr io.Writer) *cache.Store {
	dir := os.Getenv(cacheEnv)
	switch dir {
	case "off":
		return nil
	case "":
		base, err := os.UserCacheDir()
		if err != nil {
			return nil
		}
		dir = filepath.Join(base, "dorgu-gen")
	}
	s, err := cache.Open(dir)
	var ue *cache.UntrustedError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "dorgu-gen: warning: running without the cache: %s (whoever can write the cache decides what render and vet report)\n", report.Escape(ue.Error()))
	}
	if err != nil {
		return nil
	}
	return s
}
