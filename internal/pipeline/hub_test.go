package pipeline

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
)

// A production hub that manages a development and a staging cluster, with
// a promotion order, renders: its argocd, which no earlier environment
// runs, is a note, and its root of roots syncs exactly the root
// Applications of the hub and of the clusters it manages.
func TestHubRootOfRoots(t *testing.T) {
	dir, err := filepath.Abs("testdata/configs/hub")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Render(context.Background(), config.Options{Dir: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var notes []finding.Finding
	for _, f := range res.Findings {
		switch f.Severity {
		case finding.Error:
			t.Errorf("error: %s %s: %s", f.Rule, f.File, f.Message)
		case finding.Note:
			notes = append(notes, f)
		}
	}
	if len(notes) != 1 || notes[0].Rule != "version-promotion" || notes[0].File != scaffold.AppPath("hub", "argocd") {
		t.Errorf("notes %+v, want version-promotion's about the hub's argocd", notes)
	}

	f, ok := res.Tree.Lookup(scaffold.RootsPath("hub"))
	if !ok || f.Kind != scaffold.RootApplication || f.Cluster != "hub" {
		t.Fatalf("no root of roots for the hub: %+v", f)
	}
	for _, c := range []string{"dev", "staging"} {
		if _, ok := res.Tree.Lookup(scaffold.RootsPath(c)); ok {
			t.Errorf("cluster %s manages nothing but has a root of roots", c)
		}
	}
	var app struct {
		Spec struct {
			Project     string            `json:"project"`
			Destination map[string]string `json:"destination"`
			Source      struct {
				Path      string `json:"path"`
				Directory struct {
					Include string `json:"include"`
				} `json:"directory"`
			} `json:"source"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(f.JSON, &app); err != nil {
		t.Fatal(err)
	}
	if app.Spec.Project != "default" || app.Spec.Destination["namespace"] != "argocd" || app.Spec.Destination["server"] != "https://kubernetes.default.svc" {
		t.Errorf("project %q, destination %v: the roots are Applications in the hub's argocd namespace, in default", app.Spec.Project, app.Spec.Destination)
	}
	// The include pattern is {a,b,c} of file names under path: it must
	// name exactly the root Application files of the hub and its clusters.
	if app.Spec.Source.Path != "argocd" {
		t.Errorf("path %q, want argocd", app.Spec.Source.Path)
	}
	inc := app.Spec.Source.Directory.Include
	if !strings.HasPrefix(inc, "{") || !strings.HasSuffix(inc, "}") || strings.ContainsAny(inc[1:len(inc)-1], "{}*?[]") {
		t.Fatalf("include %q is not a plain {a,b} list", inc)
	}
	var got []string
	for _, n := range strings.Split(inc[1:len(inc)-1], ",") {
		got = append(got, "argocd/"+n)
	}
	var want []string
	for _, c := range []string{"hub", "dev", "staging"} {
		p := scaffold.RootAppPath(c, true)
		if rf, ok := res.Tree.Lookup(p); !ok || rf.Kind != scaffold.RootApplication || rf.Cluster != c {
			t.Errorf("%s: not the root Application of %s in the tree", p, c)
		}
		want = append(want, p)
	}
	if !slices.Equal(got, want) {
		t.Errorf("include names %v, want the roots %v", got, want)
	}
}
