package charts

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/dorgu/dorgu-gen/internal/chartlock"
	"github.com/dorgu/dorgu-gen/internal/safefile"
)

// store keeps chart archives on disk, one file per archive named by its
// sha256. A file is trusted only after its bytes hash to its name, so a
// truncated, corrupted or planted file is a miss, never a chart.
type store struct {
	dir string // "" keeps nothing
}

// digestOf is the lock's form of the sha256 of data.
func digestOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func (s store) path(digest string) string {
	return filepath.Join(s.dir, strings.TrimPrefix(digest, "sha256:")+".tgz")
}

// get returns the archive of digest if the store holds it intact.
func (s store) get(digest string, max int64) ([]byte, bool) {
	if s.dir == "" || !chartlock.ValidDigest(digest) {
		return nil, false
	}
	p := s.path(digest)
	data, err := safefile.ReadNoFollow(p, max)
	if err != nil {
		return nil, false
	}
	if digestOf(data) != digest {
		// Corrupt: gone, so that the next pull downloads it again.
		_ = os.Remove(p)
		return nil, false
	}
	return data, true
}

// has reports whether the store holds the archive of digest intact.
func (s store) has(digest string, max int64) bool {
	_, ok := s.get(digest, max)
	return ok
}

// put stores data as the archive of its digest, by writing a temporary
// file and renaming it: a reader sees the whole archive or none. The
// temporary name starts with ".tmp-" so that the cache's trim removes one
// left by a killed run.
func (s store) put(data []byte) error {
	if s.dir == "" {
		return nil
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return err
	}
	p := s.path(digestOf(data))
	tmp, err := os.CreateTemp(s.dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
