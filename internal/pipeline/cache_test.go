package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dorgu/dorgu-gen/internal/cache"
	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

// waived is a config whose findings carry field paths and a waiver with
// its position: the parts of a result that JSON would drop by default.
const waived = `package dorgu

repo: url: "https://github.com/acme/infra.git"
clusters: {
	dev: {environment: "development", provider: "aws"}
	prod: {environment: "production", provider: "aws", acmeEmail: "platform@acme.io"}
}
waivers: "prod-ingress": {
	rule:    "component-deprecated"
	cluster: "prod"
	reason:  "the Gateway API migration is planned for Q1"
}
`

func openStore(t *testing.T) *cache.Store {
	t.Helper()
	s, err := cache.Open(filepath.Join(t.TempDir(), "cache"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func cacheCases(t *testing.T) []goldenCase {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dorgu.cue"), []byte(waived), 0o644); err != nil {
		t.Fatal(err)
	}
	return append(goldenCases(t),
		goldenCase{"waived", config.Options{Dir: dir}},
		goldenCase{"waived-subset", config.Options{Dir: dir, Clusters: []string{"prod"}}},
	)
}

// A render that fills the cache and one served from it give exactly what
// a render without a cache gives: files, findings (with their fields) and
// the stack (with its waivers' positions).
func TestCachedRenderMatches(t *testing.T) {
	ctx := context.Background()
	for _, tc := range cacheCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			store := openStore(t)
			want, err := Render(ctx, tc.opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, pass := range []string{"filling the cache", "from the cache"} {
				got, err := Render(ctx, tc.opts, store)
				if err != nil {
					t.Fatalf("%s: %v", pass, err)
				}
				if !reflect.DeepEqual(got.Tree, want.Tree) {
					t.Errorf("%s: the files differ from an uncached render", pass)
				}
				if !reflect.DeepEqual(got.Findings, want.Findings) {
					t.Errorf("%s: findings\n%+v\nwant\n%+v", pass, got.Findings, want.Findings)
				}
				if !reflect.DeepEqual(got.Stack, want.Stack) {
					t.Errorf("%s: the stack differs from an uncached render", pass)
				}
			}
			if tc.name == "waived" {
				if len(want.Stack.Waivers) == 0 || want.Stack.Waivers[0].Line == 0 {
					t.Fatal("the waived case has no waiver with a position")
				}
				fields := 0
				for _, f := range want.Findings {
					if f.Field != nil {
						fields++
					}
				}
				if fields == 0 {
					t.Fatal("the waived case has no finding with a field")
				}
			}
		})
	}
}

// A second render is served from the cache: what the cache holds for the
// sources' key is what comes back, without evaluating them again.
func TestCacheServesPlan(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	opts := config.Options{Dir: t.TempDir()}
	first, err := Render(ctx, opts, store)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	// Plant a different plan under the key of these sources.
	files := append(first.Tree.Files[:0:0], first.Tree.Files...)
	files[0].Content = []byte("planted\n")
	cache.PutJSON(store, planKey(store, cfg), planEntry{Stack: first.Stack, Files: files})
	second, err := Render(ctx, opts, store)
	if err != nil {
		t.Fatal(err)
	}
	if string(second.Tree.Files[0].Content) != "planted\n" {
		t.Fatalf("the second render evaluated again instead of using the cache: %s", second.Tree.Files[0].Content)
	}
}

// The policies' findings come from the cache for the same policies and
// documents.
func TestCacheServesFindings(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	opts := config.Options{Dir: t.TempDir()}
	first, err := Render(ctx, opts, store)
	if err != nil {
		t.Fatal(err)
	}
	planted := []finding.Finding{{Severity: finding.Error, Rule: "planted", Message: "from the cache"}}
	cache.PutJSON(store, CheckKey(store, first.Config.Policies, Documents(first.all)), planted)
	second, err := Render(ctx, opts, store)
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Findings) != 1 || second.Findings[0].Rule != "planted" {
		t.Fatalf("findings %+v; want the planted one", second.Findings)
	}
}

// Any change to the sources, the options or the policies is a miss: the
// cache never serves a stale scaffold.
func TestCacheFollowsChanges(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "dorgu.cue")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(cfgPath, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	render := func(opts config.Options) *Result {
		t.Helper()
		res, err := Render(ctx, opts, store)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	appOf := func(res *Result) []byte {
		t.Helper()
		f, ok := res.Tree.Lookup("clusters/dev/apps/cert-manager.yaml")
		if !ok {
			t.Fatal("no cert-manager Application")
		}
		return f.Content
	}
	write(waived)
	before := appOf(render(config.Options{Dir: dir}))

	// The config changes.
	write(strings.Replace(waived, "acme/infra", "acme/platform", 1))
	if after := appOf(render(config.Options{Dir: dir})); !bytes.Contains(after, []byte("acme/platform")) {
		t.Fatalf("a changed config rendered the cached scaffold:\n%s", after)
	}

	// An option changes.
	write(waived)
	other := render(config.Options{Dir: dir, Revision: "release-1"})
	if bytes.Equal(appOf(other), before) || !bytes.Contains(appOf(other), []byte("release-1")) {
		t.Fatal("a changed --revision rendered the cached scaffold")
	}

	// A policy is added: the findings follow.
	pol := filepath.Join(dir, "policies")
	if err := os.MkdirAll(pol, 0o755); err != nil {
		t.Fatal(err)
	}
	rego := `package dorgu.policies.no_dev

import rego.v1

deny contains {"msg": "no dev clusters", "path": f.path} if {
	some f in input.files
	f.cluster == "dev"
	f.kind == "root-application"
}
`
	if err := os.WriteFile(filepath.Join(pol, "no_dev.rego"), []byte(rego), 0o644); err != nil {
		t.Fatal(err)
	}
	res := render(config.Options{Dir: dir})
	found := false
	for _, f := range res.Findings {
		found = found || f.Rule == "no-dev"
	}
	if !found {
		t.Fatalf("a new policy's finding is missing: %+v", res.Findings)
	}
}

// A cached plan that names a file the layout does not give its stack is a
// miss: the sources are evaluated again, and the planted file is neither
// planned nor written (and so never owned by the ledger).
func TestCachedPlanOutsideLayout(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	opts := config.Options{Dir: t.TempDir()}
	first, err := Render(ctx, opts, store)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	withFile := func(f scaffold.File) []scaffold.File {
		files := append(first.Tree.Files[:0:0], first.Tree.Files...)
		files = append(files, f)
		slices.SortFunc(files, func(a, b scaffold.File) int { return strings.Compare(a.Path, b.Path) })
		return files
	}
	renamed := func(i int, p string) []scaffold.File {
		files := append(first.Tree.Files[:0:0], first.Tree.Files...)
		files[i].Path = p
		return files
	}
	badStack := func(name string) *stack.Stack {
		s := *first.Stack
		c := *s.Clusters[0]
		c.Name = name
		s.Clusters = []*stack.Cluster{&c}
		return &s
	}
	workflow := scaffold.File{Path: ".github/workflows/pwn.yaml", Kind: scaffold.Values, Content: []byte("on: push\n")}
	for name, entry := range map[string]planEntry{
		"extra workflow file":  {Stack: first.Stack, Files: withFile(workflow)},
		"extra values file":    {Stack: first.Stack, Files: withFile(scaffold.File{Path: "clusters/dev/values/zz.yaml", Kind: scaffold.Values, Cluster: "dev", Component: "zz"})},
		"path out of the tree": {Stack: first.Stack, Files: renamed(0, "../outside.yaml")},
		"kind of another path": {Stack: first.Stack, Files: renamed(len(first.Tree.Files)-1, "README.md")},
		"cluster name":         {Stack: badStack("../../.github"), Files: first.Tree.Files},
		"missing file":         {Stack: first.Stack, Files: first.Tree.Files[1:]},
		"duplicate file":       {Stack: first.Stack, Files: append(first.Tree.Files[:1:1], first.Tree.Files[:len(first.Tree.Files)-1]...)},
		"no stack":             {Files: first.Tree.Files},
	} {
		t.Run(name, func(t *testing.T) {
			if entry.Validate() == nil {
				t.Fatal("the entry validates")
			}
			cache.PutJSON(store, planKey(store, cfg), entry)
			got, err := Render(ctx, opts, store)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Tree, first.Tree) || !reflect.DeepEqual(got.Stack, first.Stack) {
				t.Fatal("the invalid entry was used instead of evaluating again")
			}
		})
	}
	if err := (planEntry{Stack: first.Stack, Files: first.Tree.Files}).Validate(); err != nil {
		t.Fatalf("a plan as render makes it does not validate: %v", err)
	}
}
