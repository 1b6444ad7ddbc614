package finding

import "testing"

func TestWaiveOnceAndOnlyWhatMatches(t *testing.T) {
	ws := []Waiver{{Rule: "r", Cluster: "dev", Reason: "because", Source: "dorgu.cue:3"}}
	fs := []Finding{
		{Severity: Error, Rule: "r", Cluster: "dev", Message: "m"},
		{Severity: Error, Rule: "r", Cluster: "prod", Message: "m"},
		{Severity: Error, Rule: "other", Cluster: "dev", Message: "m"},
	}
	got := Waive(Waive(fs, ws), ws)
	if got[0].Severity != Warning || got[0].Message != "m [waived: because (waiver at dorgu.cue:3)]" || got[0].Waived != "because (waiver at dorgu.cue:3)" {
		t.Errorf("waived finding: %+v", got[0])
	}
	if got[1].Severity != Error || got[2].Severity != Error || got[1].Waived != "" || got[2].Waived != "" {
		t.Errorf("a waiver applied beyond its rule and cluster: %+v", got[1:])
	}
	if fs[0].Severity != Error {
		t.Error("Waive changed its input")
	}
}
