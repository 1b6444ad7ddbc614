package write

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// setFlags sets the inode flags of p as chattr does, and clears them when
// the test ends (an immutable file cannot be removed, not even by root).
// It skips the test when the file system refuses: tmpfs before Linux 6.0,
// overlay file systems, and users without CAP_LINUX_IMMUTABLE cannot set
// these flags, and there is nothing to test there.
func setFlags(t *testing.T, p string, flags uint32) {
	t.Helper()
	set := func(v uint32) error {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		cur, err := unix.IoctlGetUint32(int(f.Fd()), unix.FS_IOC_GETFLAGS)
		if err != nil {
			return err
		}
		return unix.IoctlSetPointerInt(int(f.Fd()), unix.FS_IOC_SETFLAGS, int(cur&^(fsImmutableFL|fsAppendFL)|v))
	}
	if err := set(flags); err != nil {
		if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.ENOTTY) || errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.EINVAL) {
			t.Skipf("the file system refuses chattr here: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := set(0); err != nil {
			t.Errorf("clearing the flags of %s: %v", p, err)
		}
	})
}

// TestImmutableFiles: a file render must replace or remove, or a folder
// whose entries it must change, that carries chattr +i or +a is found
// before anything is written, lock and journal included: the render fails
// with the scaffold exactly as it was, instead of half-updated behind a
// journal that cannot complete.
func TestImmutableFiles(t *testing.T) {
	next := maps.Clone(v1)
	next["clusters/a/values/x.yaml"] = "values x v2\n"
	next["README.md"] = "readme v2\n"
	delete(next, "clusters/b/apps/y.yaml")
	delete(next, "clusters/b/values/y.yaml")
	for _, tc := range []struct {
		rel   string
		flags uint32
		want  string
	}{
		{"clusters/a/values/x.yaml", fsImmutableFL, "immutable (chattr +i)"},
		{"clusters/a/values/x.yaml", fsAppendFL, "append-only (chattr +a)"},
		{"clusters/b/apps/y.yaml", fsImmutableFL, "immutable (chattr +i)"},
		{"clusters/b/values", fsAppendFL, "append-only (chattr +a)"},
		{"clusters/a/values", fsImmutableFL, "immutable (chattr +i)"},
		{".dorgu/ledger.json", fsImmutableFL, "immutable (chattr +i)"},
		{".dorgu", fsAppendFL, "append-only (chattr +a)"},
	} {
		t.Run(tc.rel+" "+tc.want, func(t *testing.T) {
			base := t.TempDir()
			out := filepath.Join(base, "out")
			mustRender(t, out, v1, Options{})
			p := filepath.Join(out, filepath.FromSlash(tc.rel))
			setFlags(t, p, tc.flags)
			before := fsState(t, base)
			_, err := render(t, out, next, Options{})
			if err == nil || !strings.Contains(err.Error(), filepath.ToSlash(p)+" is "+tc.want) {
				t.Fatalf("render with %s %s: %v", tc.rel, tc.want, err)
			}
			sameState(t, "after render", before, fsState(t, base))
		})
	}
}
