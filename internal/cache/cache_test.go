package cache

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func open(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "cache"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPutGet(t *testing.T) {
	s := open(t)
	k := s.NewKey("plan").String("sources").Sum()
	if _, ok := s.Get(k); ok {
		t.Fatal("hit in an empty cache")
	}
	if err := s.Put(k, []byte("the plan")); err != nil {
		t.Fatal(err)
	}
	got, ok := s.Get(k)
	if !ok || string(got) != "the plan" {
		t.Fatalf("Get = %q, %v; want the stored entry", got, ok)
	}
	other := s.NewKey("plan").String("other sources").Sum()
	if _, ok := s.Get(other); ok {
		t.Fatal("another key hit the entry")
	}
}

// A key covers each field and where one ends: moving bytes from one
// field to the next, or changing the kind, gives another key.
func TestKeyFields(t *testing.T) {
	s := open(t)
	keys := map[Key]string{}
	add := func(name string, k Key) {
		t.Helper()
		if prev, ok := keys[k]; ok {
			t.Fatalf("%s and %s have the same key", name, prev)
		}
		keys[k] = name
	}
	add("ab|c", s.NewKey("plan").String("ab").String("c").Sum())
	add("a|bc", s.NewKey("plan").String("a").String("bc").Sum())
	add("abc", s.NewKey("plan").String("abc").Sum())
	add("check ab|c", s.NewKey("check").String("ab").String("c").Sum())
	add("[ab c]", s.NewKey("plan").Strings([]string{"ab", "c"}).Sum())
	add("[ab] c", s.NewKey("plan").Strings([]string{"ab"}).String("c").Sum())
	// A cache of another binary keys the same fields differently.
	other := *s
	other.binary = "another build"
	add("other binary", other.NewKey("plan").String("ab").String("c").Sum())
	if a, b := s.NewKey("plan").String("x").Sum(), s.NewKey("plan").String("x").Sum(); a != b {
		t.Fatal("the same fields gave different keys")
	}
}

// The running binary has an identity, and it is stable within a process.
func TestIdentity(t *testing.T) {
	a, err := identity()
	if err != nil || a == "" {
		t.Fatalf("identity() = %q, %v", a, err)
	}
	b, _ := identity()
	if a != b {
		t.Fatalf("identity changed: %q then %q", a, b)
	}
	// Linux binaries are ELF: the identity is the Go build ID.
	if runtime.GOOS == "linux" && (!strings.HasPrefix(a, "go-buildid:") || strings.Count(a, "/") < 1) {
		t.Fatalf("identity %q is not a Go build ID", a)
	}
}

// An entry that does not check out is a miss, never an error or a wrong
// answer: truncated, flipped, foreign, empty.
func TestDamagedEntries(t *testing.T) {
	s := open(t)
	k := s.NewKey("plan").String("x").Sum()
	damage := map[string]func([]byte) []byte{
		"truncated":   func(b []byte) []byte { return b[:len(b)-3] },
		"flipped":     func(b []byte) []byte { c := bytes.Clone(b); c[len(c)-1] ^= 1; return c },
		"foreign":     func([]byte) []byte { return []byte("{\"not\": \"an entry\"}") },
		"empty":       func([]byte) []byte { return nil },
		"header only": func(b []byte) []byte { return b[:len(magic)] },
	}
	for name, f := range damage {
		t.Run(name, func(t *testing.T) {
			if err := s.Put(k, []byte("payload of the entry")); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(s.path(k))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(s.path(k), f(data), 0o600); err != nil {
				t.Fatal(err)
			}
			if got, ok := s.Get(k); ok {
				t.Fatalf("damaged entry read as %q", got)
			}
		})
	}
}

func TestJSON(t *testing.T) {
	s := open(t)
	k := s.NewKey("findings").Sum()
	type rec struct {
		Path  []any
		Count int
	}
	PutJSON(s, k, rec{Path: []any{"spec", 2.0, "name"}, Count: 3})
	var got rec
	if !GetJSON(s, k, &got) {
		t.Fatal("miss after PutJSON")
	}
	// Numbers come back as json.Number, as the policies' results do.
	if got.Count != 3 || len(got.Path) != 3 || got.Path[0] != "spec" || got.Path[2] != "name" {
		t.Fatalf("GetJSON = %+v", got)
	}
	if n, ok := got.Path[1].(interface{ String() string }); !ok || n.String() != "2" {
		t.Fatalf("a number in []any came back as %T %v", got.Path[1], got.Path[1])
	}
	if err := s.Put(k, []byte("not json")); err != nil {
		t.Fatal(err)
	}
	if GetJSON(s, k, &got) {
		t.Fatal("an entry that does not decode was a hit")
	}
}

// A nil store is no cache: it keeps nothing and fails nothing.
func TestNilStore(t *testing.T) {
	var s *Store
	k := s.NewKey("plan").String("x").Sum()
	if err := s.Put(k, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get(k); ok {
		t.Fatal("nil store hit")
	}
	PutJSON(s, k, 1)
	var v int
	if GetJSON(s, k, &v) {
		t.Fatal("nil store hit")
	}
	if err := s.Trim(); err != nil {
		t.Fatal(err)
	}
}

// Open fails on a path it cannot make a directory of; the command turns
// that into no cache.
func TestOpenNotADirectory(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(filepath.Join(f, "cache")); err == nil {
		t.Fatal("Open under a regular file succeeded")
	}
	if _, err := Open(""); err == nil {
		t.Fatal("Open of an empty path succeeded")
	}
}

func TestTrimAge(t *testing.T) {
	s := open(t)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	old := s.NewKey("old").Sum()
	fresh := s.NewKey("fresh").Sum()
	for _, k := range []Key{old, fresh} {
		if err := s.Put(k, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	stale := now.Add(-s.maxAge - time.Hour)
	if err := os.Chtimes(s.path(old), stale, stale); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(s.path(fresh), now, now); err != nil {
		t.Fatal(err)
	}
	// A temporary file of a write that died an hour ago goes too.
	tmp := filepath.Join(filepath.Dir(s.path(fresh)), ".tmp-123")
	if err := os.WriteFile(tmp, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(tmp, now.Add(-2*time.Hour), now.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Trim(); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get(old); ok {
		t.Error("an entry unused for longer than the maximum age survived")
	}
	if _, ok := s.Get(fresh); !ok {
		t.Error("a fresh entry was trimmed")
	}
	if _, err := os.Stat(tmp); err == nil {
		t.Error("a dead temporary file survived")
	}
}

// Using an entry keeps it: a hit marks it used (at most once an hour).
func TestHitKeepsEntry(t *testing.T) {
	s := open(t)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	k := s.NewKey("used").Sum()
	if err := s.Put(k, []byte("x")); err != nil {
		t.Fatal(err)
	}
	aging := now.Add(-s.maxAge + time.Hour)
	if err := os.Chtimes(s.path(k), aging, aging); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get(k); !ok {
		t.Fatal("miss")
	}
	s.now = func() time.Time { return now.Add(2 * time.Hour) }
	if err := s.Trim(); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get(k); !ok {
		t.Fatal("an entry used two hours ago was trimmed")
	}
}

func TestTrimSize(t *testing.T) {
	s := open(t)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	s.maxSize = 3 * (int64(len(magic)) + 32 + 100)
	var keys []Key
	for i := range 5 {
		k := s.NewKey("entry").String(strings.Repeat("x", i)).Sum()
		keys = append(keys, k)
		if err := s.Put(k, bytes.Repeat([]byte{'y'}, 100)); err != nil {
			t.Fatal(err)
		}
		used := now.Add(time.Duration(i-10) * time.Minute)
		if err := os.Chtimes(s.path(k), used, used); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Trim(); err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		_, ok := s.Get(k)
		if want := i >= 2; ok != want {
			t.Errorf("entry %d (used %d minutes before the newest): kept = %v, want %v", i, 4-i, ok, want)
		}
	}
}

// Put trims at most once per interval, by the stamp it leaves.
func TestPutTrimsPeriodically(t *testing.T) {
	s := open(t)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	old := s.NewKey("old").Sum()
	if err := s.Put(old, []byte("x")); err != nil {
		t.Fatal(err)
	}
	stale := now.Add(-s.maxAge - time.Hour)
	if err := os.Chtimes(s.path(old), stale, stale); err != nil {
		t.Fatal(err)
	}
	// Within the interval of the first Put's trim: no trim.
	if err := s.Put(s.NewKey("b").Sum(), []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.path(old)); err != nil {
		t.Fatal("trimmed within the interval")
	}
	s.now = func() time.Time { return now.Add(trimInterval + time.Minute) }
	if err := s.Put(s.NewKey("c").Sum(), []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.path(old)); err == nil {
		t.Fatal("no trim after the interval")
	}
}

// Where there is no ELF build ID, a rebuilt binary (another modification
// time) has another identity.
func TestFileIdentity(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "dorgu-gen")
	if err := os.WriteFile(exe, []byte("binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	then := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(exe, then, then); err != nil {
		t.Fatal(err)
	}
	a, err := fileIdentity(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(exe, then.Add(time.Second), then.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	b, err := fileIdentity(exe)
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatalf("a rebuilt binary kept its identity %q", a)
	}
	if _, err := fileIdentity(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("a missing executable has an identity")
	}
}

func TestMemo(t *testing.T) {
	s := open(t)
	calls, keys := 0, 0
	key := func() Key { keys++; return s.NewKey("memo").Sum() }
	compute := func() ([]string, error) { calls++; return []string{"computed"}, nil }
	for range 2 {
		v, err := Memo(s, key, compute)
		if err != nil || len(v) != 1 || v[0] != "computed" {
			t.Fatalf("Memo = %v, %v", v, err)
		}
	}
	if calls != 1 {
		t.Fatalf("computed %d times; the second call must come from the cache", calls)
	}
	// An error is returned and not kept.
	failing := func() ([]string, error) { calls++; return nil, os.ErrInvalid }
	other := func() Key { return s.NewKey("failing").Sum() }
	for range 2 {
		if _, err := Memo(s, other, failing); err != os.ErrInvalid {
			t.Fatalf("error %v, want %v", err, os.ErrInvalid)
		}
	}
	if calls != 3 {
		t.Fatalf("a failed computation was cached: %d calls", calls)
	}
	// Without a cache: computed every time, and no key is made.
	var none *Store
	keys = 0
	for range 2 {
		if _, err := Memo(none, key, compute); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 5 || keys != 0 {
		t.Fatalf("without a cache: %d calls (want 5), %d keys made (want 0)", calls, keys)
	}
}
