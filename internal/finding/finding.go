// Package finding holds what the checks report: one Finding per problem, in
// a form every output format can carry.
package finding

import (
	"fmt"
	"sort"
	"strings"
)

// Severity says whether a finding blocks: errors do, warnings do not
// (unless --fail-on-warn), notes never do.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
	// Note is something a reviewer should know that is not a problem: a
	// check that had nothing to check, and why. It never fails a run,
	// --fail-on-warn included, and no waiver applies to it. A policy
	// reports one with a `note` rule, as it reports warnings with `warn`.
	Note Severity = "note"
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
	// KindWaiver is a finding about a waiver of the config: one that
	// expired, or that matches nothing.
	KindWaiver Kind = "waiver"
	// KindValues is a values file checked against its chart: a value the
	// chart's values.schema.json refuses (Helm then refuses to render, so
	// ArgoCD cannot sync: never waivable) or a key the chart does not
	// have (ignored by Helm; a subtree the chart copies as it is goes in
	// the component's freeformValues instead).
	KindValues Kind = "values"
)

// The rules of the values checks against the charts.
const (
	RuleValuesSchema     = "values-schema"
	RuleValuesUnknownKey = "values-unknown-key"
)

// ReservedRule reports whether a rule id names one of dorgu-gen's own
// checks (cue, yaml, drift-*, waiver-*, values-schema, values-unknown-key)
// rather than a policy: no policy may take such an id, and no waiver may
// name one.
func ReservedRule(id string) bool {
	return id == "cue" || id == "yaml" || strings.HasPrefix(id, "drift-") || strings.HasPrefix(id, "waiver-") ||
		id == RuleValuesSchema || id == RuleValuesUnknownKey
}

// ReservedRules lists the reserved ids of the checks of the scaffold and
// the sources, for messages; the values checks' ids are named apart.
func ReservedRules() []string { return []string{"cue", "yaml", "drift-*", "waiver-*"} }

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
	// Environment is the environment of the file a policy finding is
	// about, as the policies saw it; "" when unknown.
	Environment string `json:"environment,omitempty"`
	Message     string `json:"message"`
	Hint        string `json:"hint,omitempty"`
	// Diff is the unified diff of a drifted file: the rendered file (-)
	// against the one on disk (+).
	Diff string `json:"diff,omitempty"`
	// Waived is set when a waiver in the config applies to this finding
	// (an error is then a warning): the waiver's reason and where it is
	// written. A waived finding never fails a check, --fail-on-warn
	// included.
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
