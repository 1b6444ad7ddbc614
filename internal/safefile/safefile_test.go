package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a")
	if err := os.WriteFile(p, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(p, 5)
	if err != nil || string(got) != "hello" {
		t.Fatalf("ReadFile = %q, %v; want hello", got, err)
	}
	_, err = ReadFile(p, 4)
	var tb *TooBigError
	if !errors.As(err, &tb) || tb.Size != 5 || tb.Max != 4 {
		t.Fatalf("ReadFile over the bound = %v; want a TooBigError of 5 > 4", err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadFile(empty, 0); err != nil || len(got) != 0 {
		t.Fatalf("ReadFile(empty) = %q, %v", got, err)
	}
}

func TestNotRegular(t *testing.T) {
	if _, err := ReadFile(t.TempDir(), 10); !errors.Is(err, ErrNotRegular) {
		t.Errorf("a directory: %v; want ErrNotRegular", err)
	}
}

func TestNoFollow(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if got, err := ReadFile(link, 10); err != nil || string(got) != "secret" {
		t.Fatalf("ReadFile follows links: got %q, %v", got, err)
	}
	got, err := ReadNoFollow(link, 10)
	if !errors.Is(err, ErrSymlink) || got != nil {
		t.Fatalf("ReadNoFollow(link) = %q, %v; want ErrSymlink and nothing read", got, err)
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != link {
		t.Errorf("the error names %v; want the link %s", err, link)
	}
}

func TestReadIn(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret")
	if err := os.WriteFile(secret, []byte("TOKEN=abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	if err := os.WriteFile(filepath.Join(repo, "ok"), []byte("ok"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(repo, "leak")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if err := os.Symlink("ok", filepath.Join(repo, "alias")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(repo)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if got, err := ReadIn(root, "alias", 10); err != nil || string(got) != "ok" {
		t.Errorf("a link inside the root: %q, %v; want ok", got, err)
	}
	got, err := ReadIn(root, "leak", 100)
	if err == nil || strings.Contains(string(got), "TOKEN") {
		t.Fatalf("a link out of the root was read: %q, %v", got, err)
	}
	if strings.Contains(err.Error(), "TOKEN") {
		t.Errorf("the error shows the target's content: %v", err)
	}
	if _, err := ReadIn(root, "../"+filepath.Base(outside)+"/secret", 100); err == nil {
		t.Error("a path out of the root was read")
	}
}
