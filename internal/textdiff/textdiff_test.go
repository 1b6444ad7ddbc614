package textdiff

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnified(t *testing.T) {
	a := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"
	b := "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\n"
	got := Unified("a/x", "b/x", []byte(a), []byte(b))
	// Six unchanged lines between two changes: diff -u joins the hunks.
	want := `--- a/x
+++ b/x
@@ -1,10 +1,11 @@
 a
 b
 c
-d
+D
 e
 f
 g
 h
 i
 j
+k
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if Unified("a", "b", []byte(a), []byte(a)) != "" {
		t.Error("equal inputs must give no diff")
	}
}

func TestSeparateHunks(t *testing.T) {
	a := strings.Repeat("x\n", 3) + "a\n" + strings.Repeat("x\n", 7) + "b\n"
	b := strings.Repeat("x\n", 3) + "A\n" + strings.Repeat("x\n", 7) + "B\n"
	got := Unified("a", "b", []byte(a), []byte(b))
	if n := strings.Count(got, "@@ -"); n != 2 {
		t.Errorf("seven unchanged lines between changes must give two hunks, got %d:\n%s", n, got)
	}
}

func TestEdges(t *testing.T) {
	for _, tc := range []struct{ name, a, b, want string }{
		{"create", "", "x\n", "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n"},
		{"delete", "x\ny\n", "", "--- a\n+++ b\n@@ -1,2 +0,0 @@\n-x\n-y\n"},
		{"no newline", "x", "y", "--- a\n+++ b\n@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+y\n\\ No newline at end of file\n"},
	} {
		if got := Unified("a", "b", []byte(tc.a), []byte(tc.b)); got != tc.want {
			t.Errorf("%s: got\n%q\nwant\n%q", tc.name, got, tc.want)
		}
	}
}

// TestAgainstPatch applies our diffs with patch(1), where it is installed:
// the output must be a diff that real tools accept.
func TestAgainstPatch(t *testing.T) {
	if _, err := exec.LookPath("patch"); err != nil {
		t.Skip("patch(1) not installed")
	}
	cases := [][2]string{
		{"a\nb\nc\n", "a\nc\nd\n"},
		{strings.Repeat("x\n", 20) + "y\n" + strings.Repeat("x\n", 20), strings.Repeat("x\n", 20) + "z\n" + strings.Repeat("x\n", 19) + "w\n"},
		{"", "new\nfile\n"},
		{"one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n", "zero\none\ntwo\nthree\nfive\nsix\nseven\neight\nnine\nten\neleven\n"},
	}
	for i, c := range cases {
		dir := t.TempDir()
		f := filepath.Join(dir, "f")
		os.WriteFile(f, []byte(c[0]), 0o644)
		d := Unified("f", "f", []byte(c[0]), []byte(c[1]))
		cmd := exec.Command("patch", "-s", f)
		cmd.Stdin = strings.NewReader(d)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("case %d: patch failed: %v\n%s\n%s", i, err, out, d)
		}
		got, _ := os.ReadFile(f)
		if string(got) != c[1] {
			t.Errorf("case %d: patched file is %q, want %q", i, got, c[1])
		}
	}
}
