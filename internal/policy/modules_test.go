package policy

import (
	"context"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/finding"
)

// latestApp is an Application whose chart follows "latest": the built-in
// chart-version-pinned denies it.
func latestApp() []Document {
	return []Document{{
		Path: "clusters/prod/apps/cert-manager.yaml", Kind: "application",
		Cluster: "prod", Component: "cert-manager", Environment: "production",
		Content: map[string]any{"spec": map[string]any{"sources": []any{
			map[string]any{"repoURL": "https://charts.jetstack.io", "chart": "cert-manager", "targetRevision": "latest"},
		}}},
	}}
}

func embedded(t *testing.T) []config.Source {
	t.Helper()
	srcs, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return srcs
}

// ofRule keeps the findings of one rule.
func ofRule(fs []finding.Finding, rule string) []finding.Finding {
	return slices.DeleteFunc(slices.Clone(fs), func(f finding.Finding) bool { return f.Rule != rule })
}

func check(t *testing.T, set Set, docs []Document) ([]finding.Finding, error) {
	t.Helper()
	e, err := Compile(context.Background(), set)
	if err != nil {
		return nil, err
	}
	return e.Check(context.Background(), docs)
}

// TestBuiltinFires is the baseline the attacks below try to defeat.
func TestBuiltinFires(t *testing.T) {
	fs, err := check(t, Set{Sources: embedded(t)}, latestApp())
	if err != nil {
		t.Fatal(err)
	}
	if len(ofRule(fs, "chart-version-pinned")) != 1 {
		t.Fatalf("chart-version-pinned did not fire on latest: %+v", fs)
	}
}

// TestUserPoliciesCannotChangeBuiltins: no user module can add a rule to a
// built-in package, replace one of its helpers, or shadow what built-ins
// import, whichever package path it takes to get there. Each attempt is a
// configuration error at the package clause, and the built-in still fires
// without it.
func TestUserPoliciesCannotChangeBuiltins(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"same package", "package dorgu.policies.chart_version_pinned\n\npinned(_) := true\n",
			"package dorgu.policies.chart_version_pinned belongs to the built-in rule chart-version-pinned"},
		{"quoted id", "package dorgu.policies[\"chart-version-pinned\"]\n\ndeny := set()\n",
			"belongs to the built-in rule chart-version-pinned"},
		{"sub-package", "package dorgu.policies.chart_version_pinned.x\n\ny := 1\n",
			"belongs to the built-in rule chart-version-pinned"},
		{"test package", "package dorgu.policies.chart_version_pinned_test\n\ny := 1\n",
			"belongs to the built-in rule chart-version-pinned"},
		{"rule ref from the parent", "package dorgu.policies\n\nchart_version_pinned.pinned(_) := true\n",
			"the dorgu namespace belongs to dorgu-gen"},
		{"rule ref from the root", "package dorgu\n\npolicies.chart_version_pinned.pinned(_) := true\n",
			"the dorgu namespace belongs to dorgu-gen"},
		{"helpers", "package dorgu.lib\n\napplications := set()\n",
			"the dorgu namespace belongs to dorgu-gen"},
		{"helpers' sub-package", "package dorgu.lib.more\n\nx := 1\n",
			"the dorgu namespace belongs to dorgu-gen"},
		{"test fixtures", "package dorgu.lib_test\n\nx := 1\n",
			"the dorgu namespace belongs to dorgu-gen"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srcs := append(embedded(t), config.Source{Name: "policies/shadow.rego", Data: []byte("# shadow\n" + tc.src)})
			_, err := check(t, Set{Sources: srcs}, latestApp())
			if err == nil {
				t.Fatal("a user module in a built-in's namespace compiled")
			}
			if !strings.Contains(err.Error(), "policies/shadow.rego:2: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error does not name the file, line and reason (%q): %v", tc.want, err)
			}
		})
	}
}

// TestUserPoliciesUseTheHelpers: a user policy may import data.dorgu.lib,
// and reads the built-in helpers (not a copy it could change).
func TestUserPoliciesUseTheHelpers(t *testing.T) {
	srcs := append(embedded(t), config.Source{Name: "policies/mine.rego", Data: []byte(`package dorgu.policies.mine

import data.dorgu.lib

deny contains lib.finding(file, ["spec"], sprintf("%s is mine", [lib.subject(file)]), "") if {
	some file in lib.component_applications
}
`)})
	fs, err := check(t, Set{Sources: srcs}, latestApp())
	if err != nil {
		t.Fatal(err)
	}
	mine := ofRule(fs, "mine")
	if len(mine) != 1 || mine[0].Message != `cert-manager in cluster "prod" is mine` || len(ofRule(fs, "chart-version-pinned")) != 1 {
		t.Errorf("findings %+v", fs)
	}
}

// TestUserPoliciesSeeNoBuiltinPolicy: the user's compiler holds the helpers
// and the user's modules only; a built-in package is not there to read.
func TestUserPoliciesSeeNoBuiltinPolicy(t *testing.T) {
	srcs := append(embedded(t), config.Source{Name: "policies/peek.rego", Data: []byte(`package dorgu.policies.peek

warn contains {"msg": "a built-in policy is visible"} if data.dorgu.policies.chart_version_pinned

warn contains {"msg": "the helpers are visible"} if data.dorgu.lib.app_kinds
`)})
	fs, err := check(t, Set{Sources: srcs}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if peek := ofRule(fs, "peek"); len(peek) != 1 || peek[0].Message != "the helpers are visible" {
		t.Errorf("the user's compiler does not hold exactly the helpers and the user's policies: %+v", peek)
	}
}

// ejectedCopy returns the embedded policies as an ejected config holds
// them: named policies/<file>, without the prefix.
func ejectedCopy(t *testing.T, edit func(base string, data []byte) ([]byte, bool)) Set {
	t.Helper()
	var out []config.Source
	for _, s := range embedded(t) {
		base := path.Base(s.Name)
		data, keep := s.Data, true
		if edit != nil {
			data, keep = edit(base, data)
		}
		if keep {
			out = append(out, config.Source{Name: "cfg/policies/" + base, Data: data})
		}
	}
	return Set{Sources: out, Ejected: true}
}

// TestEjectedBuiltinsStayRequired: in an ejected config, deleting the copy
// of a built-in policy does not switch its rule off: the embedded one runs.
func TestEjectedBuiltinsStayRequired(t *testing.T) {
	set := ejectedCopy(t, func(base string, data []byte) ([]byte, bool) {
		return data, base != "chart_version_pinned.rego" && base != "lib.rego"
	})
	fs, err := check(t, set, latestApp())
	if err != nil {
		t.Fatal(err)
	}
	if len(ofRule(fs, "chart-version-pinned")) != 1 {
		t.Errorf("a deleted ejected copy switched its rule off: %+v", fs)
	}
	if notes := EjectedNotes(set); len(notes) != 0 {
		t.Errorf("notes about unchanged copies: %q", notes)
	}
}

// TestEjectedCopiesAreTheBuiltins: an ejected config owns its copies: a
// changed copy is what runs, it is said so, and it is still compiled apart
// from the user's other policies. A copy that changes its package is an
// error: the file name says which built-in it is.
func TestEjectedCopiesAreTheBuiltins(t *testing.T) {
	set := ejectedCopy(t, func(base string, data []byte) ([]byte, bool) {
		if base == "chart_version_pinned.rego" {
			data = []byte(strings.Replace(string(data), "not pinned(src.source)", `src.source.targetRevision != "latest"`, 1))
		}
		return data, true
	})
	fs, err := check(t, set, latestApp())
	if err != nil {
		t.Fatal(err)
	}
	if got := ofRule(fs, "chart-version-pinned"); len(got) != 0 {
		t.Errorf("the config's changed copy did not run: %+v", got)
	}
	notes := EjectedNotes(set)
	if len(notes) != 1 || !strings.HasPrefix(notes[0], "cfg/policies/chart_version_pinned.rego differs from dorgu-gen's built-in chart_version_pinned.rego: the built-in rule chart-version-pinned runs as this copy says") {
		t.Errorf("notes = %q", notes)
	}

	// A user module beside the copies still may not touch them.
	set.Sources = append(set.Sources, config.Source{Name: "cfg/policies/shadow.rego", Data: []byte("package dorgu.policies.chart_version_pinned\n\npinned(_) := true\n")})
	if _, err := check(t, set, latestApp()); err == nil || !strings.Contains(err.Error(), "cfg/policies/shadow.rego:1: package dorgu.policies.chart_version_pinned belongs to the built-in rule") {
		t.Errorf("err = %v", err)
	}

	renamed := ejectedCopy(t, func(base string, data []byte) ([]byte, bool) {
		if base == "chart_version_pinned.rego" {
			data = []byte(strings.Replace(string(data), "package dorgu.policies.chart_version_pinned", "package dorgu.policies.mine", 1))
		}
		return data, true
	})
	if _, err := check(t, renamed, latestApp()); err == nil || !strings.Contains(err.Error(), "cfg/policies/chart_version_pinned.rego:12: cfg/policies/chart_version_pinned.rego is this ejected config's copy of the built-in module dorgu.policies.chart_version_pinned and must keep its package") {
		t.Errorf("err = %v", err)
	}
}
