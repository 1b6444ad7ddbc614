package outdated

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dorgu/dorgu-gen/internal/charts"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

// fakeLister publishes the same versions for every chart.
type fakeLister []string

func (f fakeLister) ListReleases(_ context.Context, chs []charts.Chart) ([]*charts.Releases, error) {
	var out []*charts.Releases
	for _, ch := range chs {
		r := &charts.Releases{Chart: ch}
		for _, s := range f {
			v, ok := charts.ParseVersion(s)
			if !ok {
				panic(s)
			}
			r.List = append(r.List, charts.Release{Version: v, AppVersion: "app-" + s})
		}
		out = append(out, r)
	}
	return out, nil
}

func TestStatuses(t *testing.T) {
	s := &stack.Stack{Clusters: []*stack.Cluster{{Name: "c", Environment: "development"}}}
	for _, pinned := range []string{"2.0.0", "1.9.0", "0.1.0", "3.0.0-rc.1", "latest", "2.0.0-rc.1"} {
		s.Clusters[0].Components = append(s.Clusters[0].Components, &stack.Component{Name: "c-" + pinned, RepoURL: "https://r", Chart: "x", Version: pinned})
	}
	// Newest first, as the client lists them.
	r, err := Check(context.Background(), s, fakeLister{"3.0.0-rc.1", "2.0.0", "1.9.0"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"2.0.0":      "current 2.0.0 false",
		"1.9.0":      "outdated 2.0.0 true",
		"0.1.0":      "outdated 2.0.0 true",
		"3.0.0-rc.1": "ahead 2.0.0 false",
		"latest":     "unknown 2.0.0 false",
		"2.0.0-rc.1": "outdated 2.0.0 false",
	}
	for _, e := range r.Entries {
		got := string(e.Status) + " " + e.Newest + " " + map[bool]string{true: "true", false: "false"}[e.Major]
		if got != want[e.Pinned] || e.AppVersion != "app-2.0.0" {
			t.Errorf("%s: %s (appVersion %s), want %s", e.Pinned, got, e.AppVersion, want[e.Pinned])
		}
	}
	if r.Summary != (Summary{Entries: 6, Outdated: 3, Major: 2}) || r.Version != 1 {
		t.Errorf("summary %+v, version %d", r.Summary, r.Version)
	}

	// With --pre, the release candidate is the newest.
	r, _ = Check(context.Background(), s, fakeLister{"3.0.0-rc.1", "2.0.0"}, Options{Prereleases: true})
	for _, e := range r.Entries {
		if e.Newest != "3.0.0-rc.1" {
			t.Errorf("%s: newest %s with pre-releases", e.Pinned, e.Newest)
		}
	}

	// A repository without a release: unknown, nothing newest.
	r, _ = Check(context.Background(), s, fakeLister{}, Options{})
	if e := r.Entries[0]; e.Status != Unknown || e.Newest != "" {
		t.Errorf("no releases: %+v", e)
	}
}

// A repository decides the versions and appVersions printed: what a CI log
// or a terminal acts on is escaped, in the table and in JSON alike.
func TestHostileAppVersionIsEscaped(t *testing.T) {
	r := &Report{Version: 1, Entries: []Entry{{Component: "demo", Cluster: "c", Pinned: "1.0.0", Newest: "2.0.0", AppVersion: "##[add-mask]x\u202e\n::error::y", Status: Outdated}}}
	var text, js strings.Builder
	if err := WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "json": js.String()} {
		if strings.Contains(out, "##") || strings.ContainsRune(out, 0x202e) {
			t.Errorf("%s output acts:\n%s", name, out)
		}
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "::") {
				t.Errorf("%s output starts a line with '::':\n%s", name, out)
			}
		}
	}
	var back Report
	if err := json.Unmarshal([]byte(js.String()), &back); err != nil || back.Entries[0].AppVersion != r.Entries[0].AppVersion {
		t.Errorf("the JSON does not decode to the same string: %v %q", err, back.Entries[0].AppVersion)
	}
}
