package finding

import (
	"strings"
	"testing"
)

func policyFinding(sev Severity, rule, cluster string) Finding {
	return Finding{Severity: sev, Rule: rule, Kind: KindPolicy, Cluster: cluster, Message: "m"}
}

// opts says dev is a development cluster and prod a production one, and
// that rule r is built in.
func opts(today string) WaiveOptions {
	return WaiveOptions{
		Today:       today,
		Builtin:     func(rule string) bool { return rule == "r" },
		Environment: func(c string) string { return map[string]string{"dev": "development", "prod": "production"}[c] },
	}
}

func TestWaiveOnlyWhatMatches(t *testing.T) {
	ws := []Waiver{{Name: "w", Rule: "r", Cluster: "dev", Reason: "because", File: "dorgu.cue", Line: 3}}
	fs := []Finding{
		policyFinding(Error, "r", "dev"),
		policyFinding(Error, "r", "prod"),
		policyFinding(Error, "other", "dev"),
		policyFinding(Warning, "r", "dev"),
	}
	got := Waive(fs, ws, opts("2026-01-01"))
	if len(got) != 4 {
		t.Fatalf("got %d findings, want the 4 given: %+v", len(got), got)
	}
	if got[0].Severity != Warning || got[0].Message != `m [waived: because (waiver "w" at dorgu.cue:3)]` || got[0].Waived != `because (waiver "w" at dorgu.cue:3)` {
		t.Errorf("waived error: %+v", got[0])
	}
	if got[1].Severity != Error || got[2].Severity != Error || got[1].Waived != "" || got[2].Waived != "" {
		t.Errorf("a waiver applied beyond its rule and cluster: %+v", got[1:3])
	}
	// Warnings are waived too: still warnings, marked waived.
	if got[3].Severity != Warning || got[3].Waived == "" {
		t.Errorf("waived warning: %+v", got[3])
	}
	if fs[0].Severity != Error || fs[0].Message != "m" {
		t.Error("Waive changed its input")
	}
}

// TestWaiveNeverSilencesOwnChecks: drift, YAML, CUE and waiver findings
// are never waived, whatever a waiver names.
func TestWaiveNeverSilencesOwnChecks(t *testing.T) {
	var fs []Finding
	var ws []Waiver
	for _, k := range []struct {
		kind Kind
		rule string
	}{{KindDrift, "drift-modified"}, {KindDrift, "drift-unexpected"}, {KindYAML, "yaml"}, {KindCUE, "cue"}, {KindWaiver, RuleWaiverUnused}, {KindDrift, "chart-version-pinned"}} {
		fs = append(fs, Finding{Severity: Error, Rule: k.rule, Kind: k.kind, Message: "m"})
		ws = append(ws, Waiver{Name: k.rule, Rule: k.rule, Reason: "x", File: "dorgu.cue", Line: 1})
	}
	o := opts("2026-01-01")
	o.Complete = func(Waiver) bool { return false }
	for _, f := range Waive(fs, ws, o) {
		if f.Severity != Error || f.Waived != "" {
			t.Errorf("a %s finding was waived: %+v", f.Kind, f)
		}
	}
}

// TestWaiveExpiry: a waiver applies through its expires date, then it is
// an error of its own and its findings fail again.
func TestWaiveExpiry(t *testing.T) {
	ws := []Waiver{{Name: "until-june", Rule: "r", Cluster: "prod", Reason: "because", Expires: "2026-06-30", File: "dorgu.cue", Line: 7}}
	fs := []Finding{policyFinding(Error, "r", "prod")}

	got := Waive(fs, ws, opts("2026-06-30"))
	if len(got) != 1 || got[0].Severity != Warning || got[0].Waived == "" {
		t.Errorf("on its last day, the waiver does not apply: %+v", got)
	}

	got = Waive(fs, ws, opts("2026-07-01"))
	if len(got) != 2 {
		t.Fatalf("want the finding and the expired waiver: %+v", got)
	}
	if got[0].Severity != Error || !strings.Contains(got[0].Message, `[not waived: waiver "until-june" at dorgu.cue:7 expired on 2026-06-30]`) {
		t.Errorf("the finding of an expired waiver: %+v", got[0])
	}
	want := Finding{Severity: Error, Rule: RuleWaiverExpired, Kind: KindWaiver, File: "dorgu.cue", Line: 7, Message: `waiver "until-june" of rule r expired on 2026-06-30`}
	if g := got[1]; g.Severity != want.Severity || g.Rule != want.Rule || g.Kind != want.Kind || g.File != want.File || g.Line != want.Line || g.Message != want.Message {
		t.Errorf("expired waiver: %+v, want %+v", g, want)
	}
}

// TestWaiveBuiltinErrorsInProductionNeedExpiry: without an expiry date, a
// waiver does not apply to a built-in rule's error in production (nor in
// a cluster of unknown environment); it does elsewhere, and to a user
// rule or a warning.
func TestWaiveBuiltinErrorsInProductionNeedExpiry(t *testing.T) {
	w := Waiver{Name: "w", Rule: "r", Reason: "because", File: "dorgu.cue", Line: 2}
	for _, tc := range []struct {
		name   string
		f      Finding
		waived bool
	}{
		{"built-in error in production", policyFinding(Error, "r", "prod"), false},
		{"built-in error of unknown environment", policyFinding(Error, "r", "elsewhere"), false},
		{"built-in error in development", policyFinding(Error, "r", "dev"), true},
		{"built-in warning in production", policyFinding(Warning, "r", "prod"), true},
		{"user error in production", policyFinding(Error, "mine", "prod"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := w
			w.Rule = tc.f.Rule
			got := Waive([]Finding{tc.f}, []Waiver{w}, opts("2026-01-01"))
			if len(got) != 1 {
				t.Fatalf("the waiver matched, so no waiver finding: %+v", got)
			}
			if (got[0].Waived != "") != tc.waived {
				t.Errorf("waived = %q, want %v", got[0].Waived, tc.waived)
			}
			if !tc.waived && !strings.Contains(got[0].Message, `[not waived: waiver "w" at dorgu.cue:2 has no expires; a built-in rule's error in production is waived only until a date (expires: "YYYY-MM-DD")]`) {
				t.Errorf("message does not say why: %s", got[0].Message)
			}
			w.Expires = "2026-12-31"
			if got := Waive([]Finding{tc.f}, []Waiver{w}, opts("2026-01-01")); got[0].Waived == "" {
				t.Errorf("with an expiry date, the waiver does not apply: %+v", got[0])
			}
		})
	}
}

// TestWaiveUnused: a waiver that matches nothing is a warning at its
// position, unless not everything it could match was checked.
func TestWaiveUnused(t *testing.T) {
	ws := []Waiver{
		{Name: "used", Rule: "r", Reason: "x", File: "a.cue", Line: 1},
		{Name: "stale", Rule: "gone", Cluster: "dev", Reason: "x", File: "b.cue", Line: 9},
	}
	got := Waive([]Finding{policyFinding(Warning, "r", "dev")}, ws, opts("2026-01-01"))
	if len(got) != 2 {
		t.Fatalf("%+v", got)
	}
	u := got[1]
	if u.Severity != Warning || u.Rule != RuleWaiverUnused || u.Kind != KindWaiver || u.File != "b.cue" || u.Line != 9 || u.Message != `waiver "stale" matches no finding of rule gone in cluster dev` {
		t.Errorf("unused waiver: %+v", u)
	}
	o := opts("2026-01-01")
	o.Complete = func(w Waiver) bool { return w.Cluster != "dev" }
	if got := Waive([]Finding{policyFinding(Warning, "r", "dev")}, ws, o); len(got) != 1 {
		t.Errorf("a waiver whose findings were not all checked was called unused: %+v", got)
	}
}

func TestReservedRule(t *testing.T) {
	for id, want := range map[string]bool{"cue": true, "yaml": true, "drift-modified": true, "drift-x": true, "waiver-unused": true, "drift": false, "cuex": false, "chart-version-pinned": false,
		"values-schema": true, "values-unknown-key": true, "values-file-referenced": false, "values-schemas": false} {
		if ReservedRule(id) != want {
			t.Errorf("ReservedRule(%q) = %v", id, !want)
		}
	}
}

// A note needs no waiver: none applies to it, and a waiver that matches
// only notes is unused (the waiver that once worked around a rule's error
// can go once the rule says it is nothing).
func TestWaiveLeavesNotes(t *testing.T) {
	ws := []Waiver{{Name: "old", Rule: "r", Cluster: "prod", Reason: "x", Expires: "2026-12-31", File: "a.cue", Line: 1}}
	got := Waive([]Finding{policyFinding(Note, "r", "prod")}, ws, opts("2026-01-01"))
	if len(got) != 2 {
		t.Fatalf("%+v", got)
	}
	if got[0].Severity != Note || got[0].Waived != "" || got[0].Message != "m" {
		t.Errorf("a waiver applied to a note: %+v", got[0])
	}
	if got[1].Rule != RuleWaiverUnused {
		t.Errorf("the waiver of a note is not unused: %+v", got[1])
	}
}
