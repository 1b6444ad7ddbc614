package main

import (
	"os"
	"path/filepath"

	"github.com/dorgu/dorgu-gen/internal/cache"
)

// cacheEnv names the cache directory, or turns the cache off with "off".
// Without it the cache lives in the user's cache directory
// ($XDG_CACHE_HOME/dorgu-gen, ~/.cache/dorgu-gen, ~/Library/Caches/dorgu-gen).
const cacheEnv = "DORGU_CACHE"

// openCache returns the cache of plans and policy findings, or nil when it
// is off or cannot be used: the cache only saves time, so a cache
// directory that cannot be created never fails a run.
func openCache() *cache.Store {
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
	if err != nil {
		return nil
	}
	return s
}
