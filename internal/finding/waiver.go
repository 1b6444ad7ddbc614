package finding

import (
	"fmt"
	"strings"
)

// The rules of the findings about waivers.
const (
	RuleWaiverUnused  = "waiver-unused"
	RuleWaiverExpired = "waiver-expired"
)

// Waiver is a config's decision to live with the findings of one policy,
// optionally in one cluster and for one component, possibly until a date.
type Waiver struct {
	// Name is the waiver's key in the config's waivers map.
	Name      string `json:"name"`
	Rule      string `json:"rule"`
	Cluster   string `json:"cluster,omitempty"`
	Component string `json:"component,omitempty"`
	Reason    string `json:"reason"`
	// Expires is the last day (YYYY-MM-DD, UTC) the waiver applies; ""
	// for no end.
	Expires string `json:"expires,omitempty"`
	// File and Line are where the waiver is written in the config. The
	// schema's #Waiver is closed, so a config cannot set them.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

// Source is file:line of the waiver.
func (w Waiver) Source() string { return fmt.Sprintf("%s:%d", w.File, w.Line) }

func (w Waiver) matches(f Finding) bool {
	return f.Kind == KindPolicy && w.Rule == f.Rule &&
		(w.Cluster == "" || w.Cluster == f.Cluster) &&
		(w.Component == "" || w.Component == f.Component)
}

// Production is the environment whose built-in errors are waived only
// until a date.
const Production = "production"

// WaiveOptions is what applying waivers needs to know beyond the findings.
type WaiveOptions struct {
	// Today is the date expiry is checked against (YYYY-MM-DD, UTC). It is
	// passed in, never read from the clock here: waivers apply after any
	// cache, and a test says what day it is.
	Today string
	// Builtin reports whether a rule is one of dorgu-gen's built-in
	// policies: waiving one of their errors in production needs Expires.
	Builtin func(rule string) bool
	// Environment returns a cluster's environment as the config declares
	// it, or "" when it does not know; the finding's own is used then.
	Environment func(cluster string) string
	// Complete reports whether every finding a waiver could match was
	// checked, so that a waiver matching none is unused. Nil means all
	// were; with --cluster, the other clusters' findings were not.
	Complete func(Waiver) bool
}

// Waive applies waivers to the policy findings among fs and reports on the
// waivers themselves. A finding a waiver matches stays in the list, marked
// waived (an error becomes a warning): a waiver silences a rule's verdict,
// never the record that it applies. Drift, YAML and CUE findings are never
// waived. A waiver does not apply when it has expired, nor to a built-in
// rule's error in a production cluster unless it has an expiry date; the
// finding then says why. An expired waiver is an error of its own, and one
// that matches nothing a warning, both at the waiver's position.
func Waive(fs []Finding, ws []Waiver, o WaiveOptions) []Finding {
	if len(ws) == 0 {
		return fs
	}
	expired := make([]bool, len(ws))
	for i, w := range ws {
		expired[i] = w.Expires != "" && w.Expires < o.Today
	}
	used := make([]bool, len(ws))
	out := make([]Finding, 0, len(fs)+len(ws))
	for _, f := range fs {
		if f.Severity == Note {
			// Nothing to live with: a waiver that only matches notes is
			// unused, which tells the reader it can go.
			out = append(out, f)
			continue
		}
		var refused []string
		for i, w := range ws {
			if f.Waived != "" || !w.matches(f) {
				continue
			}
			used[i] = true
			if expired[i] {
				refused = append(refused, fmt.Sprintf("waiver %q at %s expired on %s", w.Name, w.Source(), w.Expires))
				continue
			}
			if w.Expires == "" && f.Severity == Error && o.production(f) && o.Builtin != nil && o.Builtin(f.Rule) {
				refused = append(refused, fmt.Sprintf("waiver %q at %s has no expires; a built-in rule's error in production is waived only until a date (expires: \"YYYY-MM-DD\")", w.Name, w.Source()))
				continue
			}
			f.Severity = Warning
			f.Waived = fmt.Sprintf("%s (waiver %q at %s)", w.Reason, w.Name, w.Source())
			f.Message += " [waived: " + f.Waived + "]"
			break
		}
		if f.Waived == "" && len(refused) > 0 {
			f.Message += " [not waived: " + strings.Join(refused, "; ") + "]"
		}
		out = append(out, f)
	}
	for i, w := range ws {
		switch {
		case expired[i]:
			out = append(out, Finding{
				Severity: Error, Rule: RuleWaiverExpired, Kind: KindWaiver, File: w.File, Line: w.Line,
				Message: fmt.Sprintf("waiver %q of rule %s expired on %s", w.Name, w.Rule, w.Expires),
				Hint:    "fix what it waives and remove the waiver, or, if its reason still holds, set a later expires date",
			})
		case !used[i] && (o.Complete == nil || o.Complete(w)):
			out = append(out, Finding{
				Severity: Warning, Rule: RuleWaiverUnused, Kind: KindWaiver, File: w.File, Line: w.Line,
				Message: fmt.Sprintf("waiver %q matches no finding of rule %s%s", w.Name, w.Rule, w.scope()),
				Hint:    "remove it, or correct its rule, cluster or component",
			})
		}
	}
	return out
}

// production reports whether a finding may be about a production cluster:
// an unknown environment counts as production, so that a file stripped of
// its environment label is held to the stricter rule.
func (o WaiveOptions) production(f Finding) bool {
	env := ""
	if o.Environment != nil {
		env = o.Environment(f.Cluster)
	}
	if env == "" {
		env = f.Environment
	}
	return env == Production || env == ""
}

func (w Waiver) scope() string {
	var s []string
	if w.Cluster != "" {
		s = append(s, "cluster "+w.Cluster)
	}
	if w.Component != "" {
		s = append(s, "component "+w.Component)
	}
	if len(s) == 0 {
		return ""
	}
	return " in " + strings.Join(s, ", ")
}
