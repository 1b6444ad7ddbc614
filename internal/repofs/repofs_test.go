package repofs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dorgu/dorgu-gen/internal/safefile"
)

const secret = "TOKEN=ghp_outside_the_repository"

// layout makes a repository with a secret next to it, outside.
func layout(t *testing.T) (repo, outside string) {
	t.Helper()
	base := t.TempDir()
	repo, outside = filepath.Join(base, "repo"), filepath.Join(base, "outside")
	for _, d := range []string{filepath.Join(repo, "sub", "deep"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(t, filepath.Join(outside, "secret"), secret)
	write(t, filepath.Join(repo, "ok.cue"), "ok")
	write(t, filepath.Join(repo, "sub", "deep", "in.cue"), "in")
	link(t, filepath.Join(outside, "secret"), filepath.Join(repo, "abs-leak"))
	link(t, "../outside/secret", filepath.Join(repo, "leak"))
	link(t, "../../outside", filepath.Join(repo, "sub", "out"))
	link(t, "deep/in.cue", filepath.Join(repo, "sub", "alias"))
	link(t, filepath.Join(repo, "ok.cue"), filepath.Join(repo, "abs-inside"))
	return repo, outside
}

func write(t *testing.T, p, data string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func link(t *testing.T, target, p string) {
	t.Helper()
	if err := os.Symlink(target, p); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
}

func open(t *testing.T, wd string, l Limits) *Repo {
	t.Helper()
	r, err := Open(wd, l)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestConfined(t *testing.T) {
	repo, _ := layout(t)
	r := open(t, repo, Default)
	read := func(p string) ([]byte, error) {
		d, err := r.Path(p)
		if err != nil {
			t.Fatal(err)
		}
		return d.ReadFile()
	}
	for _, p := range []string{"ok.cue", "sub/alias", "sub/deep/in.cue"} {
		if _, err := read(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	for p, link := range map[string]string{
		"leak":              "leak",
		"abs-leak":          "abs-leak",
		"abs-inside":        "abs-inside", // os.Root follows relative links only
		"sub/out/secret":    filepath.Join("sub", "out"),
		"sub/../leak":       "leak",
		"sub/deep/../../ok": "", // inside, but missing: not an escape
	} {
		data, err := read(p)
		if data != nil {
			t.Errorf("%s: read %q", p, data)
		}
		if err != nil && strings.Contains(err.Error(), "TOKEN") {
			t.Errorf("%s: the error shows the target's content: %v", p, err)
		}
		var ee *EscapeError
		if link == "" {
			if errors.As(err, &ee) || !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s: %v; want not found", p, err)
			}
			continue
		}
		if !errors.As(err, &ee) {
			t.Errorf("%s: %v; want an EscapeError", p, err)
			continue
		}
		if ee.Path != link {
			t.Errorf("%s: the error names %q; want the link %q", p, ee.Path, link)
		}
	}
	// A path that is lexically outside the working directory's
	// repository, named by the user, is a repository of its own: its links
	// out are refused the same way.
	d, err := r.Path("../outside/secret")
	if err != nil {
		t.Fatal(err)
	}
	if data, err := d.ReadFile(); err != nil || string(data) != secret {
		t.Errorf("a file the user named outside the repository: %q, %v", data, err)
	}
}

func TestGitTop(t *testing.T) {
	repo, _ := layout(t)
	if err := os.Mkdir(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Run from a subfolder: the repository is still the work tree's top,
	// so a link from sub/ to a file at the top is followed ...
	r := open(t, filepath.Join(repo, "sub"), Default)
	if r.Root() != repo {
		t.Fatalf("root %s, want %s", r.Root(), repo)
	}
	link(t, "../ok.cue", filepath.Join(repo, "sub", "up"))
	d, _ := r.Path("up")
	if data, err := d.ReadFile(); err != nil || string(data) != "ok" {
		t.Errorf("a link to the top of the work tree: %q, %v", data, err)
	}
	// ... and one out of the work tree is not; the error names it
	// relative to the working directory.
	d, _ = r.Path("out/secret")
	var ee *EscapeError
	if _, err := d.ReadFile(); !errors.As(err, &ee) || ee.Path != "out" {
		t.Errorf("out/secret: %v; want an EscapeError naming out", err)
	}
	// Without .git, the working directory is the repository.
	os.Remove(filepath.Join(repo, ".git"))
	r = open(t, filepath.Join(repo, "sub"), Default)
	d, _ = r.Path("up")
	if _, err := d.ReadFile(); !errors.As(err, &ee) || ee.Path != "up" {
		t.Errorf("up without .git: %v; want an EscapeError naming up", err)
	}
}

func TestLimits(t *testing.T) {
	dir := t.TempDir()
	for i, size := range []int{10, 10, 10, 11} {
		write(t, filepath.Join(dir, string(rune('a'+i))), strings.Repeat("x", size))
	}
	r := open(t, dir, Limits{FileBytes: 10, TotalBytes: 25, Entries: 4})
	read := func(name string) error {
		d, _ := r.Path(name)
		_, err := d.ReadFile()
		return err
	}
	var le *LimitError
	if err := read("d"); !errors.As(err, &le) || le.Limit != LimitFileBytes || le.Size != 11 || le.Path != "d" {
		t.Errorf("an 11-byte file over a 10-byte bound: %v", err)
	}
	if err := read("a"); err != nil {
		t.Fatal(err)
	}
	if err := read("b"); err != nil {
		t.Fatal(err)
	}
	if err := read("c"); !errors.As(err, &le) || le.Limit != LimitTotalBytes || !strings.Contains(le.Error(), "c: ") {
		t.Errorf("a third 10-byte file over a 25-byte total: %v", err)
	}
	d, _ := r.Path(".")
	if _, err := d.ReadDir(); err != nil {
		t.Errorf("4 entries within a bound of 4: %v", err)
	}
	if _, err := d.ReadDir(); !errors.As(err, &le) || le.Limit != LimitEntries {
		t.Errorf("8 entries over a bound of 4: %v", err)
	}
}

// TestEscapeMessage holds isEscape to the error os.Root returns in the Go
// release in use: should it change, links out would be reported as plain
// read errors, still unread.
func TestEscapeMessage(t *testing.T) {
	repo, _ := layout(t)
	root, err := os.OpenRoot(repo)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	_, err = safefile.ReadIn(root, "leak", 100)
	if !isEscape(err) {
		t.Fatalf("os.Root's error for a link out: %v; isEscape does not recognise it", err)
	}
}
