package vet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dorgu/dorgu-gen/internal/cache"
	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/pipeline"
	"github.com/dorgu/dorgu-gen/internal/write"
)

const twoClusters = `repo: url: "https://github.com/acme/infra.git"
clusters: {
	dev: {environment: "development", provider: "aws"}
	prod: {environment: "production", provider: "gcp", acmeEmail: "platform@acme.io"}
}
waivers: "prod-ingress": {rule: "component-deprecated", cluster: "prod", reason: "migration planned"}
`

// rendered writes the scaffold of opts into a new directory.
func rendered(t *testing.T, opts config.Options) string {
	t.Helper()
	ctx := context.Background()
	res, err := pipeline.Render(ctx, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	plan, err := write.Prepare(out, res.Tree, write.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	return out
}

// On an up-to-date scaffold vet takes the rendered tree's findings and
// parses only the files they are in; the report must be the one a check
// of every file on disk gives, lines included, with and without a cache.
func TestUpToDateShortcut(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dorgu.cue"), []byte(twoClusters), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]Options{
		"embedded":     {Sources: config.Options{Dir: t.TempDir(), Embedded: true}},
		"two clusters": {Sources: config.Options{Dir: dir}},
	}
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			opts.Out = rendered(t, opts.Sources)
			slow := opts
			slow.everyFile = true
			want, err := Run(context.Background(), slow)
			if err != nil {
				t.Fatal(err)
			}
			located := 0
			for _, f := range want.Findings {
				if f.Line > 0 {
					located++
				}
			}
			if located == 0 {
				t.Fatalf("no finding with a line to compare: %+v", want.Findings)
			}
			store, err := cache.Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []*cache.Store{nil, store, store} {
				opts.Cache = c
				got, err := Run(context.Background(), opts)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("the shortcut's report differs from a check of every file:\n got %+v\nwant %+v", got, want)
				}
			}
		})
	}
}

// A scaffold with one more file than the rendered tree is not up to date:
// vet checks every file and reports the extra one.
func TestExtraFileIsNotUpToDate(t *testing.T) {
	opts := Options{Sources: config.Options{Dir: t.TempDir(), Embedded: true}}
	opts.Out = rendered(t, opts.Sources)
	extra := filepath.Join(opts.Out, "clusters", "dev", "apps", "mine.yaml")
	if err := os.WriteFile(extra, []byte("apiVersion: argoproj.io/v1alpha1\nkind: Application\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings {
		if f.Rule == "drift-unexpected" && filepath.Base(f.File) == "mine.yaml" {
			return
		}
	}
	t.Fatalf("the extra Application is not reported: %+v", r.Findings)
}

// Waivers are applied after the cache: a changed waiver, or another day,
// shows at once although the sources and the scaffold are served from it.
func TestWaiversAfterTheCache(t *testing.T) {
	dir := t.TempDir()
	write := func(reason, expires string) {
		t.Helper()
		cfg := strings.Replace(twoClusters, `reason: "migration planned"}`, fmt.Sprintf("reason: %q, expires: %q}", reason, expires), 1)
		if err := os.WriteFile(filepath.Join(dir, "dorgu.cue"), []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("first reason", "2026-06-30")
	opts := Options{Sources: config.Options{Dir: dir}, Today: "2026-01-01"}
	opts.Out = rendered(t, opts.Sources)
	store, err := cache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	opts.Cache = store
	waivedWith := func(o Options) string {
		t.Helper()
		r, err := Run(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range r.Findings {
			if f.Rule == finding.RuleWaiverExpired {
				return "expired"
			}
			if f.Waived != "" {
				return f.Waived
			}
		}
		return ""
	}
	if got := waivedWith(opts); !strings.HasPrefix(got, "first reason") {
		t.Fatalf("waived = %q", got)
	}
	write("second reason", "2026-06-30")
	if got := waivedWith(opts); !strings.HasPrefix(got, "second reason") {
		t.Errorf("after the reason changed, waived = %q", got)
	}
	opts.Today = "2026-07-01"
	if got := waivedWith(opts); got != "expired" {
		t.Errorf("on a later day, waived = %q; want the waiver expired", got)
	}
}
