package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/dorgu/dorgu-gen/internal/finding"
)

// GitHubFormatter writes GitHub Actions workflow commands, one per
// finding, so that findings appear as annotations on the pull request's
// diff:
//
//	::error file=infra-gitops/clusters/dev/apps/x.yaml,line=27,col=5,title=chart-version-pinned::message
//
// The message carries the hint and, for drift, the diff. Notes become
// ::notice:: commands. Every line written is a workflow command, and the
// only one on its line: a file name or a message can neither end it nor
// start another (see Escape).
type GitHubFormatter struct{}

// Format implements Formatter.
func (GitHubFormatter) Format(w io.Writer, r *Report) error {
	for _, n := range r.Notes {
		fmt.Fprintf(w, "::notice title=%s::%s\n", escapeProperty("dorgu-gen vet"), escapeData(escapeKeepNewlines(n)))
	}
	for _, f := range r.Findings {
		cmd := "error"
		switch {
		case f.Waived != "", f.Severity == finding.Note:
			// Decided on, or nothing to decide: kept on the record, out of
			// the reviewers' way.
			cmd = "notice"
		case f.Severity == finding.Warning:
			cmd = "warning"
		}
		var props []string
		if f.File != "" {
			props = append(props, "file="+escapeProperty(Escape(f.File)))
			if f.Line > 0 {
				props = append(props, fmt.Sprintf("line=%d", f.Line))
				if f.Column > 0 {
					props = append(props, fmt.Sprintf("col=%d", f.Column))
				}
			}
		}
		props = append(props, "title="+escapeProperty(Escape(f.Rule)))
		msg := f.Message
		if f.Hint != "" {
			msg += "\nhint: " + f.Hint
		}
		if f.Diff != "" {
			msg += "\n" + strings.TrimSuffix(f.Diff, "\n")
		}
		if _, err := fmt.Fprintf(w, "::%s %s::%s\n", cmd, strings.Join(props, ","), escapeData(escapeKeepNewlines(msg))); err != nil {
			return err
		}
	}
	return nil
}

// escapeData escapes a workflow command's message as the Actions runner
// (toolkit/core's escapeData) does.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value: a colon or
// a comma would end it.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
