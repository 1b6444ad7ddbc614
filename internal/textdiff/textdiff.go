// Package textdiff produces unified diffs of text files, the form reviewers
// read in pull requests.
package textdiff

import (
	"fmt"
	"strings"
)

// context is the number of unchanged lines shown around a change, as in
// `diff -u`.
const context = 3

// Unified returns the unified diff turning a into b, labelled with the two
// names, or "" when they are equal.
func Unified(nameA, nameB string, a, b []byte) string {
	if string(a) == string(b) {
		return ""
	}
	x, y := lines(string(a)), lines(string(b))
	ops := script(x, y)
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", nameA, nameB)
	for _, h := range hunks(ops) {
		writeHunk(&out, h, x, y)
	}
	return out.String()
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	ls := strings.SplitAfter(s, "\n")
	if ls[len(ls)-1] == "" {
		ls = ls[:len(ls)-1]
	}
	return ls
}

type kind byte

const (
	equal kind = ' '
	del   kind = '-'
	ins   kind = '+'
)

// op is one line of the edit script: x[i] or y[j], or both when equal.
type op struct {
	k    kind
	i, j int
}

// script computes a shortest edit script with the longest common
// subsequence table. Scaffold files are a few hundred lines at most, so the
// quadratic table is small; the common prefix and suffix are trimmed first.
func script(x, y []string) []op {
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	mx, my := x[pre:len(x)-suf], y[pre:len(y)-suf]
	n, m := len(mx), len(my)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if mx[i] == my[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	ops := make([]op, 0, len(x)+len(y))
	for k := 0; k < pre; k++ {
		ops = append(ops, op{equal, k, k})
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && mx[i] == my[j]:
			ops = append(ops, op{equal, pre + i, pre + j})
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			// Deletions before insertions, as diff -u prints them.
			ops = append(ops, op{del, pre + i, pre + j})
			i++
		default:
			ops = append(ops, op{ins, pre + i, pre + j})
			j++
		}
	}
	for k := 0; k < suf; k++ {
		ops = append(ops, op{equal, len(x) - suf + k, len(y) - suf + k})
	}
	return ops
}

// hunks groups the script into runs of changes with their context.
func hunks(ops []op) [][]op {
	var out [][]op
	for start := 0; start < len(ops); {
		for start < len(ops) && ops[start].k == equal {
			start++
		}
		if start == len(ops) {
			break
		}
		lo := max(0, start-context)
		end := start
		for end < len(ops) {
			if ops[end].k != equal {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].k == equal {
				run++
			}
			if run == len(ops) || run-end > 2*context {
				break
			}
			end = run
		}
		hi := min(len(ops), end+context)
		out = append(out, ops[lo:hi])
		start = hi
	}
	return out
}

func writeHunk(out *strings.Builder, h []op, x, y []string) {
	ai, bi := h[0].i, h[0].j
	var na, nb int
	for _, o := range h {
		if o.k != ins {
			na++
		}
		if o.k != del {
			nb++
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", span(ai, na), span(bi, nb))
	for _, o := range h {
		var l string
		if o.k == ins {
			l = y[o.j]
		} else {
			l = x[o.i]
		}
		out.WriteByte(byte(o.k))
		out.WriteString(l)
		if !strings.HasSuffix(l, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// span formats a hunk range as diff -u does: the start is 1-based, and an
// empty range names the line before it.
func span(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}
