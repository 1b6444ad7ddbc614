package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/dorgu/dorgu-gen/internal/finding"
)

// The modes of a vet run.
const (
	// ModeFull checks the sources, the drift between them and the
	// scaffold, and the scaffold on disk.
	ModeFull = "full"
	// ModeScaffoldOnly checks the scaffold on disk alone: there are no
	// sources to render.
	ModeScaffoldOnly = "scaffold-only"
)

// The checks a run can make, as Report.Checks lists them.
const (
	CheckSources  = "sources"
	CheckDrift    = "drift"
	CheckScaffold = "scaffold"
	// CheckCharts is the charts step: the values checked against the
	// charts, and the objects they render checked by the policies.
	CheckCharts = "charts"
)

// Rule describes one rule a finding can come from: a policy, or one of
// the built-in checks (cue, yaml, drift-*).
type Rule struct {
	ID          string
	Kind        finding.Kind
	Title       string
	Description string
}

// Report is the outcome of one vet run, as every format receives it.
type Report struct {
	// Tool and Version name the program, for formats that record it.
	Tool    string
	Version string
	Mode    string
	// Config is where the sources came from ("" in scaffold-only mode).
	Config string
	// Scaffold is the scaffold directory as the user named it.
	Scaffold string
	// Checks lists the checks that ran (CheckSources, ...).
	Checks []string
	// Notes are sentences a person should read (the mode, a check that
	// could not run).
	Notes []string
	// Rules lists every rule that was applied, policies first.
	Rules []Rule
	// Files lists the scaffold files checked, as findings name them.
	Files []string
	// Findings are sorted (finding.Sort), paths relative to the working
	// directory.
	Findings []finding.Finding
	// FailOnWarn makes warnings fail the run.
	FailOnWarn bool
}

// Failed reports whether the run fails: any error, or any warning with
// FailOnWarn that no waiver covers.
func (r *Report) Failed() bool {
	e, w := Count(r.Findings)
	return e > 0 || (r.FailOnWarn && w > Waived(r.Findings))
}

// Waived counts the findings a waiver covers (all of them warnings).
func Waived(fs []finding.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Waived != "" {
			n++
		}
	}
	return n
}

// filesWithFindings counts the distinct files findings name.
func (r *Report) filesWithFindings() int {
	var files []string
	for _, f := range r.Findings {
		if f.File != "" && !slices.Contains(files, f.File) {
			files = append(files, f.File)
		}
	}
	return len(files)
}

// SummaryLine says in one line what was checked and found.
func (r *Report) SummaryLine() string {
	e, w := Count(r.Findings)
	checked := fmt.Sprintf("%s checked (%s, %s)", Plural(len(r.Files), "scaffold file", "scaffold files"), r.Mode, strings.Join(r.Checks, ", "))
	notes := ""
	if n := Notes(r.Findings); n > 0 {
		notes = ", " + Plural(n, "note", "notes")
	}
	if e == 0 && w == 0 && notes == "" {
		return "vet: no findings; " + checked
	}
	result := "passed"
	if r.Failed() {
		result = "failed"
	}
	warnings := Plural(w, "warning", "warnings")
	if n := Waived(r.Findings); n > 0 {
		warnings += fmt.Sprintf(" (%d waived)", n)
	}
	return fmt.Sprintf("vet %s: %s, %s%s in %s; %s", result,
		Plural(e, "error", "errors"), warnings, notes,
		Plural(r.filesWithFindings(), "file", "files"), checked)
}

// Formatter writes a report in one output format.
type Formatter interface {
	Format(w io.Writer, r *Report) error
}

// Formats lists the names New accepts, the default first.
var Formats = []string{"text", "json", "github", "sarif", "junit"}

// New returns the formatter of a format name; color applies to text.
func New(name string, color bool) (Formatter, error) {
	switch name {
	case "text":
		return TextFormatter{Color: color}, nil
	case "json":
		return JSONFormatter{}, nil
	case "github":
		return GitHubFormatter{}, nil
	case "sarif":
		return SARIFFormatter{}, nil
	case "junit":
		return JUnitFormatter{}, nil
	}
	return nil, fmt.Errorf("unknown output format %q: expected one of %s", name, strings.Join(Formats, ", "))
}
