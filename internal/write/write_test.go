package write

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dorgu/dorgu-gen/internal/scaffold"
)

func tree(files map[string]string) *scaffold.Tree {
	t := &scaffold.Tree{}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		t.Files = append(t.Files, scaffold.File{Path: p, Content: []byte(files[p])})
	}
	return t
}

// snapshot reads every regular file under dir, by slash path.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

func render(t testing.TB, out string, files map[string]string, opts Options) (*Plan, error) {
	t.Helper()
	p, err := Prepare(out, tree(files), opts)
	if err != nil {
		return nil, err
	}
	if len(p.Conflicts) > 0 {
		return p, fmt.Errorf("conflicts: %v", p.Conflicts)
	}
	return p, p.Apply(context.Background())
}

func mustRender(t testing.TB, out string, files map[string]string, opts Options) *Plan {
	t.Helper()
	p, err := render(t, out, files, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func withoutState(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if !strings.HasPrefix(k, StateDir+"/") {
			out[k] = v
		}
	}
	return out
}

var v1 = map[string]string{
	"README.md":                "readme\n",
	"argocd/root-app.yaml":     "root\n",
	"clusters/a/apps/x.yaml":   "app x\n",
	"clusters/a/values/x.yaml": "values x\n",
	"clusters/b/apps/y.yaml":   "app y\n",
	"clusters/b/values/y.yaml": "values y\n",
}

func TestCreateThenUpToDate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	mustRender(t, out, v1, Options{})
	if got := withoutState(snapshot(t, out)); !maps.Equal(got, v1) {
		t.Fatalf("tree %v, want %v", got, v1)
	}
	ledger := snapshot(t, out)[StateDir+"/ledger.json"]
	if !strings.Contains(ledger, `"clusters/a/apps/x.yaml": "sha256:`) {
		t.Errorf("ledger does not record the generated files:\n%s", ledger)
	}
	before := modTimes(t, out)
	p := mustRender(t, out, v1, Options{})
	if !p.UpToDate() {
		t.Errorf("second render of the same tree is not up to date: %+v", p.Changes)
	}
	if after := modTimes(t, out); !maps.Equal(before, after) {
		t.Errorf("an up-to-date render changed modification times")
	}
}

func modTimes(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	m := map[string]int64{}
	if err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			info, _ := d.Info()
			m[p] = info.ModTime().UnixNano()
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestHandEditIsAConflict(t *testing.T) {
	out := t.TempDir()
	mustRender(t, out, v1, Options{})
	edited := filepath.Join(out, "clusters/a/values/x.yaml")
	if err := os.WriteFile(edited, []byte("values x, by hand\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	next := maps.Clone(v1)
	next["clusters/a/values/x.yaml"] = "values x v2\n"
	p, err := Prepare(out, tree(next), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Conflicts) != 1 || p.Conflicts[0].Path != "clusters/a/values/x.yaml" || !strings.Contains(p.Conflicts[0].Reason, "edited by hand") {
		t.Fatalf("conflicts = %+v", p.Conflicts)
	}
	if err := p.Apply(context.Background()); err == nil {
		t.Fatal("Apply with conflicts must fail")
	}
	if b, _ := os.ReadFile(edited); string(b) != "values x, by hand\n" {
		t.Fatalf("hand edit lost: %q", b)
	}
	// With --force the new content wins.
	mustRender(t, out, next, Options{Force: true})
	if b, _ := os.ReadFile(edited); string(b) != "values x v2\n" {
		t.Fatalf("forced render wrote %q", b)
	}
}

func TestForeignFilesAreNeverTouched(t *testing.T) {
	out := t.TempDir()
	if err := os.MkdirAll(filepath.Join(out, "clusters/a/apps"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "clusters/a/apps/mine.yaml"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "NOTES.md"), []byte("notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A file at a path dorgu-gen wants, that it did not write.
	if err := os.WriteFile(filepath.Join(out, "README.md"), []byte("my readme\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Prepare(out, tree(v1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Conflicts) != 1 || p.Conflicts[0].Path != "README.md" || !strings.Contains(p.Conflicts[0].Reason, "did not generate") {
		t.Fatalf("conflicts = %+v", p.Conflicts)
	}
	mustRender(t, out, v1, Options{Force: true})
	// Removing everything from the sources removes only what dorgu-gen wrote.
	mustRender(t, out, map[string]string{"README.md": "readme\n"}, Options{})
	got := withoutState(snapshot(t, out))
	want := map[string]string{"README.md": "readme\n", "NOTES.md": "notes\n", "clusters/a/apps/mine.yaml": "mine\n"}
	if !maps.Equal(got, want) {
		t.Fatalf("tree %v, want %v", got, want)
	}
	if _, err := os.Stat(filepath.Join(out, "clusters/b")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("emptied directory clusters/b was left behind")
	}
}

func TestRemovedClusterAndScope(t *testing.T) {
	out := t.TempDir()
	mustRender(t, out, v1, Options{})
	only := map[string]string{"README.md": "readme\n", "argocd/root-app.yaml": "root\n", "clusters/a/apps/x.yaml": "app x\n", "clusters/a/values/x.yaml": "values x\n"}
	// Rendering cluster a alone leaves cluster b's files alone.
	inA := func(p string) bool { return strings.HasPrefix(p, "clusters/a/") }
	mustRender(t, out, only, Options{InScope: inA})
	if _, err := os.Stat(filepath.Join(out, "clusters/b/apps/y.yaml")); err != nil {
		t.Fatalf("out-of-scope file removed: %v", err)
	}
	// A hand-edited file of a removed cluster is a conflict, not a loss.
	if err := os.WriteFile(filepath.Join(out, "clusters/b/values/y.yaml"), []byte("edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Prepare(out, tree(only), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Conflicts) != 1 || p.Conflicts[0].Path != "clusters/b/values/y.yaml" {
		t.Fatalf("conflicts = %+v", p.Conflicts)
	}
	if err := os.WriteFile(filepath.Join(out, "clusters/b/values/y.yaml"), []byte("values y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRender(t, out, only, Options{})
	if got := withoutState(snapshot(t, out)); !maps.Equal(got, only) {
		t.Fatalf("tree %v, want %v", got, only)
	}
}

// TestKilledAtEveryStep captures the directory as a kill at each step of a
// render would leave it, then renders again from that state: every run must
// end with the tree of an uninterrupted render, and no capture may hold a
// partial file at a generated path.
func TestKilledAtEveryStep(t *testing.T) {
	next := maps.Clone(v1)
	next["clusters/a/values/x.yaml"] = "values x v2\n"
	next["clusters/c/apps/z.yaml"] = "app z\n"
	delete(next, "clusters/b/apps/y.yaml")
	delete(next, "clusters/b/values/y.yaml")

	clean := t.TempDir()
	mustRender(t, clean, v1, Options{})
	mustRender(t, clean, next, Options{})
	want := snapshot(t, clean)

	base := t.TempDir()
	out := filepath.Join(base, "out")
	mustRender(t, out, v1, Options{})
	var captures []string
	p, err := Prepare(out, tree(next), Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = p.apply(context.Background(), func(step string) {
		dst := filepath.Join(base, fmt.Sprintf("kill-%02d", len(captures)))
		copyDir(t, out, dst)
		os.Remove(filepath.Join(dst, StateDir, lockFile)) // the kill takes the process; its pid is gone
		captures = append(captures, step)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(captures) < 8 {
		t.Fatalf("only %d steps captured: %v", len(captures), captures)
	}
	for i, step := range captures {
		dir := filepath.Join(base, fmt.Sprintf("kill-%02d", i))
		for p, content := range withoutState(snapshot(t, dir)) {
			if w, ok := want[p]; ok && content != w && content != v1[p] {
				t.Errorf("killed after %q: %s holds %q, neither old nor new", step, p, content)
			}
		}
		mustRender(t, dir, next, Options{})
		got := snapshot(t, dir)
		if !maps.Equal(got, want) {
			t.Errorf("killed after %q, then rendered again: tree differs\n got %v\nwant %v", step, keysOf(got), keysOf(want))
		}
	}
}

func keysOf(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestStaleLockIsTakenOverLiveLockFailsFast(t *testing.T) {
	out := t.TempDir()
	if err := os.MkdirAll(filepath.Join(out, StateDir), 0o755); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	lock := filepath.Join(out, StateDir, lockFile)

	// A pid that cannot exist: the lock of a killed render.
	if err := os.WriteFile(lock, []byte(fmt.Sprintf("%d %s 2026-01-01T00:00:00Z\n", 1<<30, host)), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRender(t, out, v1, Options{})
	if _, err := os.Stat(lock); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("lock left behind after a render")
	}

	// A live render: one that holds the lock.
	held := holdLock(t, out)
	next := maps.Clone(v1)
	next["README.md"] = "readme v2\n"
	_, err := render(t, out, next, Options{})
	var le *LockedError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "is writing to this directory") {
		t.Fatalf("render under a live lock: %v", err)
	}
	if want := fmt.Sprintf("(pid %d on %s, since ", os.Getpid(), host); !strings.Contains(err.Error(), want) {
		t.Errorf("the message does not name the holder %q: %v", want, err)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "README.md")); string(b) != "readme\n" {
		t.Errorf("render under a live lock wrote README.md")
	}
	held.release()
	mustRender(t, out, next, Options{})
}

// holdLock takes out's lock as a render in progress would.
func holdLock(t *testing.T, out string) *Lock {
	t.Helper()
	d, err := openOutDir(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.close)
	var made []string
	if err := d.mkdirs(StateDir, &made); err != nil {
		t.Fatal(err)
	}
	l, err := acquireLock(d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.release)
	return l
}

func TestPathSafety(t *testing.T) {
	out := t.TempDir()
	outside := t.TempDir()
	for _, bad := range []string{"../escape.yaml", "/etc/passwd", "clusters/../../x", "a\\b"} {
		if _, err := Prepare(out, tree(map[string]string{bad: "x"}), Options{}); err == nil {
			t.Errorf("path %q accepted", bad)
		}
	}
	// A symbolic link inside the output directory must not carry a write
	// outside it.
	if err := os.Symlink(outside, filepath.Join(out, "clusters")); err != nil {
		t.Fatal(err)
	}
	_, err := render(t, out, v1, Options{})
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("render through a symlink: %v", err)
	}
	if got := snapshot(t, outside); len(got) != 0 {
		t.Errorf("files written outside the output directory: %v", got)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 1 || entries[0].Name() != "clusters" {
		t.Errorf("a failed render left something behind: %v", entries)
	}
}

func TestOutputIsAFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "out")
	if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Prepare(f, tree(v1), Options{}); err == nil || !strings.Contains(err.Error(), "is a file") {
		t.Fatalf("Prepare on a file: %v", err)
	}
}
