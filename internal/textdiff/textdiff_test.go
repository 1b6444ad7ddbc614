package textdiff

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
		if err := os.WriteFile(f, []byte(c[0]), 0o644); err != nil {
			t.Fatal(err)
		}
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

// The script is a shortest one (as long as the longest common subsequence
// allows) and turns x into y, on random files of a few distinct lines.
func TestScriptShortest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		x, y := randomLines(rng), randomLines(rng)
		ops, ok := script(x, y, work)
		if !ok {
			t.Fatal("budget exhausted on a tiny input")
		}
		var gotX, gotY []string
		common := 0
		for _, o := range ops {
			switch o.k {
			case equal:
				if x[o.i] != y[o.j] {
					t.Fatalf("%q %q: equal op on different lines", x, y)
				}
				gotX, gotY = append(gotX, x[o.i]), append(gotY, y[o.j])
				common++
			case del:
				gotX = append(gotX, x[o.i])
			case ins:
				gotY = append(gotY, y[o.j])
			}
		}
		if !slices.Equal(gotX, x) || !slices.Equal(gotY, y) {
			t.Fatalf("%q %q: the script does not rebuild the files", x, y)
		}
		if want := lcs(x, y); common != want {
			t.Fatalf("%q %q: %d common lines, the longest common subsequence has %d", x, y, common, want)
		}
	}
}

// Without the budget for a shortest diff, the anchored diff is printed in
// the same form, and patch(1) accepts it.
func TestAnchored(t *testing.T) {
	a := "u1\nx\nx\nx\na\nx\nx\nx\nx\nx\nx\nb\nx\nu2\n"
	b := "u1\nx\nx\nx\nA\nx\nx\nx\nx\nx\nx\nB\nx\nu2\n"
	got := anchored("a", "b", []byte(a), []byte(b))
	if !strings.HasPrefix(got, "--- a\n+++ b\n@@ -2,13 +2,13 @@\n x\n x\n x\n-a\n") {
		t.Errorf("got\n%s", got)
	}
	applies(t, a, b, got)
	if got := anchored("a", "b", []byte(""), []byte("x\n")); got != "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n" {
		t.Errorf("create: got %q", got)
	}
}

// Two versions of a file of 8,000 lines, differing in every tenth line:
// a shortest diff within the budget, in linear space.
func BenchmarkUnified8000(b *testing.B) {
	x, y := versions(8000)
	b.ReportAllocs()
	for b.Loop() {
		Unified("a", "b", x, y)
	}
}

// Two files of 8,000 lines with no line in common: past the budget of the
// shortest diff, the anchored one.
func BenchmarkUnified8000Unrelated(b *testing.B) {
	var x, y strings.Builder
	for i := range 8000 {
		fmt.Fprintf(&x, "  key%d: old %d\n", i, i)
		fmt.Fprintf(&y, "  other%d: new %d\n", i, i)
	}
	b.ReportAllocs()
	for b.Loop() {
		Unified("a", "b", []byte(x.String()), []byte(y.String()))
	}
}

func versions(n int) ([]byte, []byte) {
	var x, y strings.Builder
	for i := range n {
		fmt.Fprintf(&x, "  key%d: value %d\n", i, i)
		if i%10 == 0 {
			fmt.Fprintf(&y, "  key%d: changed %d\n", i, i)
		} else {
			fmt.Fprintf(&y, "  key%d: value %d\n", i, i)
		}
	}
	return []byte(x.String()), []byte(y.String())
}

func randomLines(rng *rand.Rand) []string {
	out := make([]string, rng.IntN(12))
	for i := range out {
		out[i] = string(rune('a'+rng.IntN(3))) + "\n"
	}
	return out
}

func lcs(x, y []string) int {
	t := make([][]int, len(x)+1)
	for i := range t {
		t[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				t[i][j] = t[i+1][j+1] + 1
			} else {
				t[i][j] = max(t[i+1][j], t[i][j+1])
			}
		}
	}
	return t[0][0]
}

// applies checks with patch(1), where it is installed, that d turns a into b.
func applies(t *testing.T, a, b, d string) {
	t.Helper()
	if _, err := exec.LookPath("patch"); err != nil {
		return
	}
	f := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(f, []byte(a), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("patch", "-s", f)
	cmd.Stdin = strings.NewReader(d)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch failed: %v\n%s\n%s", err, out, d)
	}
	if got, _ := os.ReadFile(f); string(got) != b {
		t.Errorf("patched file is %q, want %q", got, b)
	}
}

// The diffs of a run share one bound: the diff that passes it is cut at a
// line and says how much is left out; the ones after it say they are not
// shown.
func TestBudget(t *testing.T) {
	a := "one\ntwo\nthree\n"
	b := "one\nTWO\nthree\n"
	full := Unified("a/f", "b/f", []byte(a), []byte(b))
	budget := NewBudget(len(full) + 30)
	if got := budget.Unified("a/f", "b/f", []byte(a), []byte(b)); got != full {
		t.Fatalf("within the budget: got %q, want %q", got, full)
	}
	if got := budget.Unified("a/g", "b/g", []byte(a), []byte(a)); got != "" {
		t.Fatalf("equal files: got %q", got)
	}
	got := budget.Unified("a/g", "b/g", []byte(a), []byte(b))
	want := "--- a/g\n+++ b/g\n[diff cut here: 5 more lines (38 bytes) not shown; the diffs shown reached their limit of " + fmt.Sprint(len(full)+30) + " bytes]\n"
	if got != want {
		t.Fatalf("past the budget: got %q\nwant %q", got, want)
	}
	got = budget.Unified("a/h", "b/h", []byte(a), []byte(b))
	if want := "[diff of b/h not shown: the diffs shown reached their limit of " + fmt.Sprint(len(full)+30) + " bytes]\n"; got != want {
		t.Fatalf("budget spent: got %q\nwant %q", got, want)
	}
	if budget.Cut() != 2 {
		t.Fatalf("Cut() = %d, want 2", budget.Cut())
	}
	if s := size(MaxBytes); s != "1 MiB" {
		t.Fatalf("size(MaxBytes) = %q", s)
	}
}
