package cache

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A cache directory that someone else can write decides the outcome of a
// run, so Open refuses it, naming it and why, and refuses a shard in it
// the same way.
func TestOpenRefusesUntrusted(t *testing.T) {
	if os.Geteuid() < 0 {
		t.Skip("no user ids here: every cache directory is the user's own")
	}
	me := os.Geteuid()
	newDir := func(t *testing.T, mode os.FileMode) string {
		dir := filepath.Join(t.TempDir(), "cache")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, mode); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	refused := func(t *testing.T, dir string, euid int, path, reason string) {
		t.Helper()
		s, err := openAs(dir, euid)
		var ue *UntrustedError
		if !errors.As(err, &ue) || s != nil {
			t.Fatalf("openAs(%s) = %v, %v; want an UntrustedError", dir, s, err)
		}
		if ue.Path != path || !strings.Contains(ue.Reason, reason) {
			t.Fatalf("refused %s for %q; want %s for %q", ue.Path, ue.Reason, path, reason)
		}
	}
	t.Run("world-writable", func(t *testing.T) {
		dir := newDir(t, 0o777)
		refused(t, dir, me, dir, "writable by other users (mode 0777)")
	})
	t.Run("sticky world-writable", func(t *testing.T) {
		dir := newDir(t, 0o777|os.ModeSticky)
		refused(t, dir, me, dir, "writable by other users")
	})
	t.Run("group-writable", func(t *testing.T) {
		dir := newDir(t, 0o770)
		refused(t, dir, me, dir, "writable by other users (mode 0770)")
	})
	t.Run("another owner", func(t *testing.T) {
		dir := newDir(t, 0o700)
		refused(t, dir, me+1, dir, "owned by another user")
	})
	t.Run("writable shard", func(t *testing.T) {
		dir := newDir(t, 0o700)
		shard := filepath.Join(dir, "ab")
		if err := os.Mkdir(shard, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(shard, 0o757); err != nil {
			t.Fatal(err)
		}
		refused(t, dir, me, shard, "writable by other users (mode 0757)")
	})
	t.Run("shard is a link", func(t *testing.T) {
		dir := newDir(t, 0o700)
		elsewhere := t.TempDir()
		if err := os.Symlink(elsewhere, filepath.Join(dir, "cd")); err != nil {
			t.Skipf("no symbolic links: %v", err)
		}
		refused(t, dir, me, filepath.Join(dir, "cd"), "not a directory")
	})
	t.Run("the user's own", func(t *testing.T) {
		dir := newDir(t, 0o755)
		if err := os.Mkdir(filepath.Join(dir, "ab"), 0o700); err != nil {
			t.Fatal(err)
		}
		// Files and folders that are not shards are not the cache's.
		if err := os.Mkdir(filepath.Join(dir, "notes"), 0o777); err != nil {
			t.Fatal(err)
		}
		if _, err := openAs(dir, me); err != nil {
			t.Fatalf("the user's own directory: %v", err)
		}
	})
	t.Run("created", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "new", "cache")
		s, err := openAs(dir, me)
		if err != nil {
			t.Fatal(err)
		}
		k := s.NewKey("plan").Sum()
		if err := s.Put(k, []byte("x")); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{dir, filepath.Dir(s.path(k)), s.path(k)} {
			info, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode().Perm()&0o077 != 0 {
				t.Errorf("%s has mode %v; the cache keeps its files to the user", p, info.Mode().Perm())
			}
		}
	})
}

// An entry is read only when it is a regular file within the bound: a
// link, a directory or an oversized file in its place is a miss.
func TestGetReadsOnlyRegularFiles(t *testing.T) {
	s := open(t)
	k := s.NewKey("plan").String("x").Sum()
	good := s.NewKey("plan").String("good").Sum()
	if err := s.Put(good, []byte("an entry")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(s.path(k)), 0o700); err != nil {
		t.Fatal(err)
	}
	// A link to a valid entry of another key: its content would check out.
	if err := os.Symlink(s.path(good), s.path(k)); err != nil {
		t.Skipf("no symbolic links: %v", err)
	}
	if got, ok := s.Get(k); ok {
		t.Fatalf("an entry that is a symbolic link was read: %q", got)
	}
	if err := os.Remove(s.path(k)); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(s.path(k), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get(k); ok {
		t.Fatal("a directory was read as an entry")
	}
}

func TestEntrySizeBound(t *testing.T) {
	s := open(t)
	s.maxEntry = 16
	k := s.NewKey("plan").Sum()
	if err := s.Put(k, []byte("sixteen bytes ok")); err != nil {
		t.Fatal(err)
	}
	if got, ok := s.Get(k); !ok || string(got) != "sixteen bytes ok" {
		t.Fatalf("an entry at the bound: %q, %v", got, ok)
	}
	big := s.NewKey("plan").String("big").Sum()
	if err := s.Put(big, []byte("seventeen bytes!!")); !errors.Is(err, ErrTooBig) {
		t.Fatalf("Put over the bound = %v; want ErrTooBig", err)
	}
	if _, err := os.Stat(s.path(big)); !os.IsNotExist(err) {
		t.Fatalf("an entry over the bound was written: %v", err)
	}
	// One written by a run with a larger bound, or planted, is not read.
	s.maxEntry = 1 << 20
	if err := s.Put(big, []byte("seventeen bytes!!")); err != nil {
		t.Fatal(err)
	}
	s.maxEntry = 16
	if _, ok := s.Get(big); ok {
		t.Fatal("an entry over the bound was read")
	}
}

type checked struct{ OK bool }

func (c checked) Validate() error {
	if !c.OK {
		return errors.New("invalid")
	}
	return nil
}

// An entry that decodes but does not validate is a miss, recomputed and
// replaced.
func TestMemoValidates(t *testing.T) {
	s := open(t)
	key := func() Key { return s.NewKey("checked").Sum() }
	PutJSON(s, key(), checked{OK: false})
	calls := 0
	compute := func() (checked, error) { calls++; return checked{OK: true}, nil }
	for range 2 {
		v, err := Memo(s, key, compute)
		if err != nil || !v.OK {
			t.Fatalf("Memo = %+v, %v", v, err)
		}
	}
	if calls != 1 {
		t.Fatalf("computed %d times; want once, for the invalid entry", calls)
	}
}
