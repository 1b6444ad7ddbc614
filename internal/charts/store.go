package charts

import (
	"bytes"
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
	// docs is where repository indexes and registry tag lists are kept;
	// "" keeps none.
	docs string
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

// What a repository publishes about its charts, its index.yaml or a
// registry's tags, is kept too, so that --offline can list releases: one
// file per URL, named by the URL's sha256 (a URL may carry a password),
// under a folder of its kind. Unlike an archive, such a document cannot
// be checked against anything: it is trusted as the cache directory is
// (see package cache), and a first line holding the sha256 of the rest
// makes a truncated or damaged file a miss.
const (
	kindIndex = "indexes"
	kindTags  = "tags"
)

func (s store) docPath(kind, url string) string {
	sum := sha256.Sum256([]byte(url))
	return filepath.Join(s.docs, kind, hex.EncodeToString(sum[:]))
}

// docHeader starts a kept document: a YAML and shell comment, so that a
// person who opens the file sees what it is.
func docHeader(data []byte) []byte {
	return []byte("# dorgu-gen " + digestOf(data) + "\n")
}

// putDoc keeps data as the document of kind at url, by a temporary file
// and a rename.
func (s store) putDoc(kind, url string, data []byte) error {
	if s.docs == "" {
		return nil
	}
	p := s.docPath(kind, url)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	_, herr := tmp.Write(docHeader(data))
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(herr, werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// getDoc returns the document of kind at url, at most max bytes, if the
// store holds it intact.
func (s store) getDoc(kind, url string, max int64) ([]byte, bool) {
	if s.docs == "" {
		return nil, false
	}
	p := s.docPath(kind, url)
	raw, err := safefile.ReadNoFollow(p, max+int64(len(docHeader(nil))))
	if err != nil {
		return nil, false
	}
	header, data, ok := bytes.Cut(raw, []byte("\n"))
	if !ok || !bytes.Equal(append(header, '\n'), docHeader(data)) {
		_ = os.Remove(p)
		return nil, false
	}
	return data, true
}
