// Package finding holds what the checks report: one Finding per problem, in
// a form every output format can carry.
package finding

import (
	"fmt"
	"sort"
)

// Severity says whether a finding blocks: errors do, warnings do not.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Kind says which check a finding comes from. It is set where the finding
// is made, never derived from the rule id: a user policy may be called
// anything, and must not pass for a drift or YAML finding.
type Kind string

const (
	KindPolicy Kind = "policy"
	KindDrift  Kind = "drift"
	KindCUE    Kind = "cue"
	KindYAML   Kind = "yaml"
)

// Finding is one problem found in the sources or the scaffold.
type Finding struct {
	Severity  Severity `json:"severity"`
	Rule      string   `json:"rule"`
	Kind      Kind     `json:"kind"`
	File      string   `json:"file,omitempty"`
	Line      int      `json:"line,omitempty"`
	Column    int      `json:"column,omitempty"`
	Cluster   string   `json:"cluster,omitempty"`
	Component string   `json:"component,omitempty"`
	Message   string   `json:"message"`
	Hint      string   `json:"hint,omitempty"`
	// Diff is the unified diff of a drifted file: the rendered file (-)
	// against the one on disk (+).
	Diff string `json:"diff,omitempty"`
	// Waived is set when a waiver in the config turned this error into a
	// warning: the waiver's reason and where it is written.
	Waived string `json:"waived,omitempty"`
	// Field is the path of the offending field inside File, as the policy
	// reported it; it is how a position is found in a file on disk.
	Field []any `json:"field"`
}

// Location renders file:line:col, leaving out what is unknown.
func (f Finding) Location() string {
	switch {
	case f.File == "":
		return ""
	case f.Line == 0:
		return f.File
	case f.Column == 0:
		return fmt.Sprintf("%s:%d", f.File, f.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column)
	}
}

// HasErrors reports whether any finding blocks.
func HasErrors(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == Error {
			return true
		}
	}
	return false
}

// Sort orders findings by file, position, rule and message so that output is
// stable whatever order the policies produced them in.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
}

// Waiver is a config's decision to live with the findings of one rule,
// optionally in one cluster and for one component.
type Waiver struct {
	Rule      string `json:"rule"`
	Cluster   string `json:"cluster,omitempty"`
	Component string `json:"component,omitempty"`
	Reason    string `json:"reason"`
	// Source is file:line of the waiver in the config. The schema's
	// #Waiver is closed, so a config cannot set it.
	Source string `json:"source,omitempty"`
}

func (w Waiver) matches(f Finding) bool {
	return w.Rule == f.Rule &&
		(w.Cluster == "" || w.Cluster == f.Cluster) &&
		(w.Component == "" || w.Component == f.Component)
}

// Waive turns the findings a waiver matches into warnings that say so.
// They stay in the list: a waiver silences a rule's verdict, never the
// record that it applies.
func Waive(fs []Finding, ws []Waiver) []Finding {
	if len(ws) == 0 {
		return fs
	}
	out := make([]Finding, len(fs))
	for i, f := range fs {
		for _, w := range ws {
			// Waiving twice (render's findings, then vet's) is waiving once.
			if f.Waived == "" && w.matches(f) {
				f.Severity = Warning
				f.Waived = fmt.Sprintf("%s (waiver at %s)", w.Reason, w.Source)
				f.Message += " [waived: " + f.Waived + "]"
				break
			}
		}
		out[i] = f
	}
	return out
}
