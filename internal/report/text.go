// Package report formats findings for people and for CI systems.
package report

import (
	"fmt"
	"io"

	"github.com/dorgu/dorgu-gen/internal/finding"
)

// Text writes one line per finding, `file:line:col: severity rule: message`,
// with the hint indented below it, and a summary line.
func Text(w io.Writer, fs []finding.Finding, color bool) {
	for _, f := range fs {
		loc := f.Location()
		if loc != "" {
			loc += ": "
		}
		sev := string(f.Severity)
		if color {
			code := "31"
			if f.Severity == finding.Warning {
				code = "33"
			}
			sev = "\x1b[" + code + "m" + sev + "\x1b[0m"
		}
		fmt.Fprintf(w, "%s%s %s: %s\n", loc, sev, f.Rule, f.Message)
		if f.Hint != "" {
			fmt.Fprintf(w, "    hint: %s\n", f.Hint)
		}
	}
}

// Count returns the number of errors and warnings.
func Count(fs []finding.Finding) (errors, warnings int) {
	for _, f := range fs {
		if f.Severity == finding.Error {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}

// Plural phrases n things.
func Plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
