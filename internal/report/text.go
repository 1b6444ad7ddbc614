// Package report formats findings for people and for CI systems.
package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/dorgu/dorgu-gen/internal/finding"
)

// Text writes one line per finding, `file:line:col: severity rule: message`,
// with the hint indented below it, and a summary line.
func Text(w io.Writer, fs []finding.Finding, color bool) {
	for _, f := range fs {
		writeFinding(w, f, color)
	}
}

// writeFinding writes one finding, its hint and its diff, indented. Every
// string in it is escaped (see Escape): a file name or a message cannot
// start a line of its own, move the cursor or speak to a CI runner.
func writeFinding(w io.Writer, f finding.Finding, color bool) {
	loc := Escape(f.Location())
	if loc != "" {
		loc += ": "
	}
	sev := string(f.Severity)
	if color {
		code := "31"
		switch f.Severity {
		case finding.Warning:
			code = "33"
		case finding.Note:
			code = "36"
		}
		sev = "\x1b[" + code + "m" + sev + "\x1b[0m"
	}
	// One line per finding: a message that spans lines continues indented.
	msg := strings.Join(EscapeLines(crlf(f.Message)), "\n    ")
	fmt.Fprintf(w, "%s%s %s: %s\n", loc, sev, Escape(f.Rule), msg)
	if f.Hint != "" {
		fmt.Fprintf(w, "    hint: %s\n", strings.Join(EscapeLines(crlf(f.Hint)), "\n    "))
	}
	if f.Diff != "" {
		for _, l := range EscapeLines(f.Diff) {
			if color {
				l = colorDiffLine(l)
			}
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
}

// crlf turns a message's CRLF line ends into LF: a message from a policy
// written on Windows still prints one line per line.
func crlf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// colorDiffLine colours one (escaped) line of a unified diff.
func colorDiffLine(l string) string {
	switch {
	case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
		return "\x1b[1m" + l + "\x1b[0m"
	case strings.HasPrefix(l, "+"):
		return "\x1b[32m" + l + "\x1b[0m"
	case strings.HasPrefix(l, "-"):
		return "\x1b[31m" + l + "\x1b[0m"
	case strings.HasPrefix(l, "@@"):
		return "\x1b[36m" + l + "\x1b[0m"
	}
	return l
}

// TextFormatter writes findings for people: one line per finding, grouped
// by file with a blank line between files, then a summary line.
type TextFormatter struct {
	// Color turns on ANSI colours; the caller decides (a terminal, and no
	// NO_COLOR).
	Color bool
}

// Format implements Formatter.
func (t TextFormatter) Format(w io.Writer, r *Report) error {
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", strings.Join(EscapeLines(crlf(n)), "\n    "))
	}
	if len(r.Notes) > 0 && len(r.Findings) > 0 {
		fmt.Fprintln(w)
	}
	for i, f := range r.Findings {
		if i > 0 && f.File != r.Findings[i-1].File {
			fmt.Fprintln(w)
		}
		writeFinding(w, f, t.Color)
	}
	if len(r.Findings) > 0 {
		fmt.Fprintln(w)
	}
	_, err := fmt.Fprintln(w, r.SummaryLine())
	return err
}

// Count returns the number of errors and warnings; notes are neither.
func Count(fs []finding.Finding) (errors, warnings int) {
	for _, f := range fs {
		switch f.Severity {
		case finding.Error:
			errors++
		case finding.Warning:
			warnings++
		}
	}
	return errors, warnings
}

// Notes returns the number of notes.
func Notes(fs []finding.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Severity == finding.Note {
			n++
		}
	}
	return n
}

// Plural phrases n things.
func Plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
