// Package cache keeps the results of a run's pure steps on disk, keyed by a
// hash of everything they read, so that a run over unchanged sources skips
// them: a pre-commit hook or a pull-request check that re-runs on the same
// stack answers in the time it takes to start and compare the files.
//
// The steps are pure because the pipeline makes them so: CUE evaluation
// reads only the sources, and the policies run sandboxed with a fixed clock
// and random seed. A key therefore covers the sources, the options and the
// binary itself; nothing else can change a result. The cache is only ever
// an optimisation: an entry that is missing, truncated, corrupt, too large
// or not a regular file is a miss, and a cache that cannot be written is no
// cache.
//
// Trust: an entry is a result, taken as it is. Whoever can write the cache
// directory decides what render writes and what vet reports, as whoever
// can write GOCACHE decides what go build links. So a cache directory, or
// a shard of it, that another user owns or that others may write is not
// used at all (Open fails with an *UntrustedError), and a CI cache must
// only ever be saved by runs that the repository trusts.
package cache

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dorgu/dorgu-gen/internal/safefile"
)

// magic starts every entry; a change of the entry format changes it.
const magic = "dorgu-gen cache 1\n"

// Key names one entry: a SHA-256 of what the cached step read.
type Key [sha256.Size]byte

func (k Key) String() string { return hex.EncodeToString(k[:]) }

// Store is a cache directory. A nil *Store is a valid, empty cache that
// keeps nothing, so callers need not ask whether caching is on.
type Store struct {
	dir string
	// binary identifies the running executable: a rebuilt dorgu-gen may
	// evaluate differently, so its entries must not be shared.
	binary string
	now    func() time.Time
	// Entries unused for maxAge go at the next trim, and the least
	// recently used also go while the cache holds more than maxSize, so
	// that a large fleet's edits cannot fill the disk.
	maxAge  time.Duration
	maxSize int64
	// maxEntry bounds one entry's payload: a planted or damaged file
	// cannot make a run read gigabytes.
	maxEntry int64
}

// MaxEntry is the largest entry kept, in bytes: a plan of a 1000-cluster
// fleet is about 55 MB.
const MaxEntry = 512 << 20

// UntrustedError is a cache directory that someone other than the running
// user can write: its entries could say anything, so it is not used.
type UntrustedError struct {
	Path   string
	Reason string
}

func (e *UntrustedError) Error() string {
	return fmt.Sprintf("%s is %s", e.Path, e.Reason)
}

// Open opens (creating if needed) the cache in dir. It fails with an
// *UntrustedError when dir or one of its shards is not a directory of the
// running user's that only that user can write.
func Open(dir string) (*Store, error) { return openAs(dir, os.Geteuid()) }

func openAs(dir string, euid int) (*Store, error) {
	if dir == "" {
		return nil, errors.New("cache: no directory")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := checkTrust(dir, euid); err != nil {
		return nil, err
	}
	id, err := identity()
	if err != nil {
		return nil, err
	}
	return &Store{dir: dir, binary: id, now: time.Now, maxAge: 5 * 24 * time.Hour, maxSize: 1 << 30, maxEntry: MaxEntry}, nil
}

// checkTrust refuses a cache directory, or a shard in it, that another
// user owns or that group or others may write, and a shard that is not a
// directory (a symbolic link would lead reads and writes elsewhere). The
// directories are checked once, when the cache opens: once they are the
// user's alone, nobody else can add or replace anything in them. The
// directory itself may be reached through a symbolic link (a cache on
// another disk), as GOCACHE may; what it leads to is checked.
func checkTrust(dir string, euid int) error {
	info, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return fmt.Errorf("%s: not a directory", dir)
	}
	if why := untrusted(info, euid); why != "" {
		return &UntrustedError{Path: dir, Reason: why}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !isShard(e.Name()) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		info, err := e.Info()
		if err != nil {
			return err
		}
		if !info.IsDir() {
			return &UntrustedError{Path: p, Reason: "not a directory, where the cache keeps a shard of its entries"}
		}
		if why := untrusted(info, euid); why != "" {
			return &UntrustedError{Path: p, Reason: why}
		}
	}
	return nil
}

// isShard reports whether name is one of the 256 shard directories.
func isShard(name string) bool {
	const hex = "0123456789abcdef"
	return len(name) == 2 && strings.IndexByte(hex, name[0]) >= 0 && strings.IndexByte(hex, name[1]) >= 0
}

// identity names the running binary. On ELF systems the Go build ID is a
// hash of the binary's inputs and is read from a note near the start of
// the file; elsewhere the module versions, VCS stamp and the executable's
// size and modification time stand in for it.
func identity() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	if f, err := elf.Open(exe); err == nil {
		defer f.Close()
		if sec := f.Section(".note.go.buildid"); sec != nil {
			// An ELF note: name size, descriptor size, type, the name
			// "Go\x00\x00", then the build ID as the descriptor.
			if data, err := sec.Data(); err == nil && len(data) > 16 {
				if n := int(f.ByteOrder.Uint32(data[4:8])); n > 0 && 16+n <= len(data) {
					return "go-buildid:" + string(data[16:16+n]), nil
				}
			}
		}
	}
	return fileIdentity(exe)
}

// fileIdentity stands in for a build ID: a rebuilt binary has another
// modification time, and usually another size.
func fileIdentity(exe string) (string, error) {
	info, err := os.Stat(exe)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "exe:%s:%d:%d\n", exe, info.Size(), info.ModTime().UnixNano())
	if bi, ok := debug.ReadBuildInfo(); ok {
		b.WriteString(bi.String())
	}
	return b.String(), nil
}

// Hash builds a key. Every field is written with its length, so that no
// two different sequences of fields hash alike.
type Hash struct{ h hash.Hash }

// NewKey starts the key of one kind of step ("plan", "check", ...). It
// covers the binary that computes the step.
func (s *Store) NewKey(kind string) *Hash {
	h := &Hash{h: sha256.New()}
	h.String(magic)
	if s != nil {
		h.String(s.binary)
	}
	h.String(kind)
	return h
}

// Bytes adds one field.
func (h *Hash) Bytes(b []byte) *Hash {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(b)))
	h.h.Write(n[:])
	h.h.Write(b)
	return h
}

// String adds one field.
func (h *Hash) String(s string) *Hash { return h.Bytes([]byte(s)) }

// Strings adds a list of fields, with its length.
func (h *Hash) Strings(ss []string) *Hash {
	h.String(strconv.Itoa(len(ss)))
	for _, s := range ss {
		h.String(s)
	}
	return h
}

// Sum returns the key.
func (h *Hash) Sum() Key {
	var k Key
	h.h.Sum(k[:0])
	return k
}

// path is where an entry lives: split by the first byte, as Git and Go
// do, so that no directory grows too large to list.
func (s *Store) path(k Key) string {
	hx := k.String()
	return filepath.Join(s.dir, hx[:2], hx+"-d")
}

// Get returns the entry of k, or false when there is none or it does not
// check out. Only a regular file is read, never through a symbolic link,
// never one over the size bound, and never waiting on a FIFO.
func (s *Store) Get(k Key) ([]byte, bool) {
	if s == nil {
		return nil, false
	}
	p := s.path(k)
	data, err := safefile.ReadNoFollow(p, int64(len(magic)+sha256.Size)+s.maxEntry)
	if err != nil || len(data) < len(magic)+sha256.Size || string(data[:len(magic)]) != magic {
		return nil, false
	}
	sum, payload := data[len(magic):len(magic)+sha256.Size], data[len(magic)+sha256.Size:]
	got := sha256.Sum256(payload)
	if !bytes.Equal(sum, got[:]) {
		return nil, false
	}
	s.touch(p)
	return payload, true
}

// touch marks an entry as used, at most once an hour per entry, so that
// trimming keeps what is in use without a write on every hit.
func (s *Store) touch(p string) {
	info, err := os.Lstat(p)
	if err != nil || !info.Mode().IsRegular() {
		return
	}
	if now := s.now(); now.Sub(info.ModTime()) > time.Hour {
		_ = os.Chtimes(p, now, now)
	}
}

// ErrTooBig is an entry over the size bound: it is not kept.
var ErrTooBig = errors.New("cache: entry over the size bound")

// Put stores data as the entry of k. It writes a temporary file and
// renames it into place: a reader sees the old entry, none, or the whole
// new one, and two runs storing the same entry store the same bytes.
func (s *Store) Put(k Key, data []byte) error {
	if s == nil {
		return nil
	}
	if int64(len(data)) > s.maxEntry {
		return ErrTooBig
	}
	p := s.path(k)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	_, err = tmp.Write(append([]byte(magic), sum[:]...))
	if err == nil {
		_, err = tmp.Write(data)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return s.maybeTrim()
}

// GetJSON decodes the entry of k into v; false when there is none or it
// does not decode.
func GetJSON(s *Store, k Key, v any) bool {
	data, ok := s.Get(k)
	if !ok {
		return false
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	return d.Decode(v) == nil
}

// PutJSON stores v as the entry of k. A failure is not the caller's
// problem: the next run recomputes.
func PutJSON(s *Store, k Key, v any) {
	if s == nil {
		return
	}
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	_ = s.Put(k, data)
}

// trimInterval is how often a trim runs at most: walking the cache on
// every run would cost more than the cache saves.
const trimInterval = time.Hour

// maybeTrim trims the cache when the last trim is older than trimInterval.
func (s *Store) maybeTrim() error {
	stamp := filepath.Join(s.dir, "trim.txt")
	now := s.now()
	if data, err := safefile.ReadNoFollow(stamp, 64); err == nil {
		if t, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64); err == nil && now.Sub(time.Unix(t, 0)) < trimInterval {
			return nil
		}
	}
	if err := replaceFile(stamp, []byte(strconv.FormatInt(now.Unix(), 10)+"\n")); err != nil {
		return err
	}
	return s.Trim()
}

// replaceFile writes a file by renaming a new one over it, which replaces
// a symbolic link rather than writing where it points.
func replaceFile(p string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}

// Trim removes the entries unused for the maximum age, then the least
// recently used ones while the cache is over its size.
func (s *Store) Trim() error {
	if s == nil {
		return nil
	}
	type entry struct {
		path string
		used time.Time
		size int64
	}
	var entries []entry
	var total int64
	now := s.now()
	err := filepath.WalkDir(s.dir, func(p string, d fs.DirEntry, err error) error {
		// Trimming is best effort: what cannot be read now is left for
		// the next trim.
		if err != nil || d.IsDir() || !strings.HasSuffix(p, "-d") && !strings.HasPrefix(d.Name(), ".tmp-") {
			return nil //nolint:nilerr // best effort, as said above
		}
		info, err := d.Info()
		if err != nil {
			return nil //nolint:nilerr // best effort, as said above
		}
		// A temporary file is a write that died; a live one is seconds old.
		if now.Sub(info.ModTime()) > s.maxAge || strings.HasPrefix(d.Name(), ".tmp-") && now.Sub(info.ModTime()) > trimInterval {
			// The cache folder is the user's own: no one else can swap a
			// link in under the walk (gosec G122).
			_ = os.Remove(p) //nolint:gosec
			return nil
		}
		entries = append(entries, entry{p, info.ModTime(), info.Size()})
		total += info.Size()
		return nil
	})
	if err != nil {
		return err
	}
	if total <= s.maxSize {
		return nil
	}
	slices.SortFunc(entries, func(a, b entry) int { return a.used.Compare(b.used) })
	for _, e := range entries {
		if total <= s.maxSize {
			break
		}
		if os.Remove(e.path) == nil {
			total -= e.size
		}
	}
	return nil
}

// Validator is a cached value that can check itself: Memo treats an entry
// that decodes but does not validate as a miss.
type Validator interface {
	Validate() error
}

// Memo returns the entry of key's key if s holds one that decodes (and,
// for a Validator, validates), else what compute returns, which it stores.
// Without a cache it only computes, and does not call key: hashing a
// fleet's documents is not free.
func Memo[T any](s *Store, key func() Key, compute func() (T, error)) (T, error) {
	if s == nil {
		return compute()
	}
	k := key()
	var v T
	if GetJSON(s, k, &v) && valid(&v) {
		return v, nil
	}
	v, err := compute()
	if err == nil {
		PutJSON(s, k, v)
	}
	return v, err
}

// valid reports whether v, decoded from an entry, may be used.
func valid(v any) bool {
	c, ok := v.(Validator)
	return !ok || c.Validate() == nil
}

// Dir returns the cache's directory, "" without a cache. Chart archives
// live in a folder of it, next to the entries: a directory only its user
// can write.
func (s *Store) Dir() string {
	if s == nil {
		return ""
	}
	return s.dir
}
