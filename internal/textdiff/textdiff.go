// Package textdiff produces unified diffs of text files, the form reviewers
// read in pull requests, and bounds how much of them one run shows.
package textdiff

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/rogpeppe/go-internal/diff"
)

// context is the number of unchanged lines shown around a change, as in
// `diff -u`.
const context = 3

// work bounds the steps of the search for a shortest diff, a few tens of
// milliseconds: two versions of a file of 8,000 lines that differ in every
// tenth line take under 2 million; files with little in common go to the
// anchored diff instead of a search that grows with their size squared.
const work = 10_000_000

// Unified returns the unified diff turning a into b, labelled with the two
// names, or "" when they are equal, in the form `diff -u` prints.
//
// It is a shortest diff, found by Myers' algorithm in linear space; when
// that would take too long (the files have little in common), it is
// go-internal's anchored diff, O(n log n) in time, which matches only the
// lines that occur once in each file. A table of the longest common
// subsequence would take n×m space: 251 MiB for two versions of a file of
// 8,000 lines.
func Unified(nameA, nameB string, a, b []byte) string {
	if bytes.Equal(a, b) {
		return ""
	}
	x, y := lines(string(a)), lines(string(b))
	ops, ok := script(x, y, work)
	if !ok {
		return anchored(nameA, nameB, a, b)
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", nameA, nameB)
	for _, h := range hunks(deletionsFirst(ops)) {
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

// deletionsFirst orders each run of changes as diff -u prints it: the
// deleted lines, then the inserted ones.
func deletionsFirst(ops []op) []op {
	out := make([]op, 0, len(ops))
	for start := 0; start < len(ops); {
		if ops[start].k == equal {
			out = append(out, ops[start])
			start++
			continue
		}
		end := start
		for end < len(ops) && ops[end].k != equal {
			end++
		}
		i, j := ops[start].i, ops[start].j
		for _, o := range ops[start:end] {
			if o.k == del {
				out = append(out, op{del, o.i, j})
			}
		}
		for _, o := range ops[start:end] {
			if o.k == del {
				i = o.i + 1
			}
		}
		for _, o := range ops[start:end] {
			if o.k == ins {
				out = append(out, op{ins, i, o.j})
			}
		}
		start = end
	}
	return out
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
	fmt.Fprintf(out, "@@ -%s +%s @@\n", gnuSpan(ai, na), gnuSpan(bi, nb))
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

// gnuSpan formats a hunk range from a 0-based start, as diff -u does: an
// empty range names the line before it, a range of one line is just that
// line.
func gnuSpan(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	return span(start+1, n)
}

// anchored is go-internal's anchored diff, printed as diff -u prints: no
// leading "diff" line, a range of one line without its count, and hunks
// whose context lines touch joined into one.
func anchored(nameA, nameB string, a, b []byte) string {
	d := diff.Diff(nameA, a, nameB, b)
	// Past its header ("diff A B", "--- A", "+++ B"), counted rather
	// than searched for: the names may hold anything.
	first := fmt.Sprintf("diff %s %s\n", nameA, nameB)
	header := fmt.Sprintf("--- %s\n+++ %s\n", nameA, nameB)
	var out strings.Builder
	out.WriteString(header)
	writeHunks(&out, string(d[len(first)+len(header):]))
	return out.String()
}

// hunk is one hunk of a unified diff: where it starts on each side, how
// many lines it covers there, and its lines.
type hunk struct {
	a, na, b, nb int
	body         []string
}

// writeHunks rewrites go-internal's hunks as diff -u prints them.
func writeHunks(out *strings.Builder, d string) {
	var hs []*hunk
	for _, l := range strings.SplitAfter(d, "\n") {
		switch {
		case l == "":
		case strings.HasPrefix(l, "@@ "):
			// go-internal always writes all four numbers; a header it
			// did not write is not in d.
			h := &hunk{}
			_, _ = fmt.Sscanf(l, "@@ -%d,%d +%d,%d @@", &h.a, &h.na, &h.b, &h.nb)
			if n := len(hs); n > 0 && hs[n-1].touches(h) {
				// diff -u joins hunks that 2×context unchanged
				// lines separate; go-internal starts a new one.
				hs[n-1].na += h.na
				hs[n-1].nb += h.nb
				continue
			}
			hs = append(hs, h)
		default:
			hs[len(hs)-1].body = append(hs[len(hs)-1].body, l)
		}
	}
	for _, h := range hs {
		fmt.Fprintf(out, "@@ -%s +%s @@\n", span(h.a, h.na), span(h.b, h.nb))
		for _, l := range h.body {
			out.WriteString(l)
		}
	}
}

// touches reports whether next starts on the line after the one h ends
// at, on the old side.
func (h *hunk) touches(next *hunk) bool {
	return h.na > 0 && next.na > 0 && h.a+h.na == next.a
}

// span formats a hunk range from a 1-based start: a range of one line is
// just that line.
func span(start, n int) string {
	if n == 1 {
		return fmt.Sprintf("%d", start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}
