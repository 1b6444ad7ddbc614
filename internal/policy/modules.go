package policy

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	dorgugen "github.com/dorgu/dorgu-gen"
	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/finding"
)

// Set is the policy sources of one run.
type Set struct {
	// Sources are the Rego files, tests included: the embedded ones (named
	// with config.EmbeddedPrefix) unless the config is ejected, then the
	// config's and every --policy folder's.
	Sources []config.Source
	// Ejected says that the config carries its own copy of the built-in
	// policies (init --eject) instead of the embedded ones.
	Ejected bool
}

// SetOf returns the policy sources of a loaded config.
func SetOf(cfg *config.Config) Set {
	return Set{Sources: cfg.Policies, Ejected: cfg.Ejected}
}

// modules are one run's parsed policy modules, split by who wrote them:
// dorgu-gen's built-in modules (or, in an ejected config, the config's
// copies of them) and the user's. The two are compiled apart, so that no
// user module can add a rule to a built-in package, replace one of its
// helpers, or make a built-in import something of the user's.
type modules struct {
	builtin map[string]*ast.Module
	user    map[string]*ast.Module
}

// lib returns the built-in modules outside Namespace: the helpers user
// policies may import (data.dorgu.lib) and, for tests, their fixtures.
func (m *modules) lib() map[string]*ast.Module {
	out := map[string]*ast.Module{}
	for name, mod := range m.builtin {
		if _, ok := policyPackage(mod); !ok {
			out[name] = mod
		}
	}
	return out
}

// split parses a set and tells the built-in modules from the user's. With
// tests, the *_test.rego files are parsed too.
func split(set Set, tests bool) (*modules, error) {
	parsed, err := parseModules(set.Sources, tests)
	if err != nil {
		return nil, err
	}
	m := &modules{builtin: map[string]*ast.Module{}, user: map[string]*ast.Module{}}
	if set.Ejected {
		if err := m.ejected(set.Sources, parsed, tests); err != nil {
			return nil, err
		}
	} else {
		for name, mod := range parsed {
			if config.IsEmbedded(name) {
				m.builtin[name] = mod
			} else {
				m.user[name] = mod
			}
		}
	}
	ids := map[string]bool{}
	for _, mod := range m.builtin {
		if pkg, ok := policyPackage(mod); ok {
			ids[ruleID(pkg)] = true
		}
	}
	var errs []string
	for _, name := range slices.Sorted(maps.Keys(m.user)) {
		if err := checkUserPackage(m.user[name], ids); err != "" {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, &config.Error{Msg: "policy: " + strings.Join(errs, "\n")}
	}
	return m, nil
}

// ejected splits the modules of an ejected config. Its policies/ folder
// holds copies of the built-in files, under their names: each copy is that
// built-in, whatever it now says (the config owns it). A built-in file the
// config no longer has stays required: the embedded one runs in its place,
// so deleting a copy never switches a rule off.
func (m *modules) ejected(sources []config.Source, parsed map[string]*ast.Module, tests bool) error {
	embedded, err := embeddedModules(tests)
	if err != nil {
		return err
	}
	copies := map[string]string{} // base name -> the copy's name
	var errs []string
	for _, s := range sources {
		mod, ok := parsed[s.Name]
		if !ok {
			continue
		}
		base := path.Base(s.Name)
		orig, builtin := embedded[base]
		if !builtin || config.IsEmbedded(s.Name) {
			m.user[s.Name] = mod
			continue
		}
		if other, dup := copies[base]; dup {
			errs = append(errs, fmt.Sprintf("%s: a second copy of the built-in %s (the first is %s); keep one", s.Name, base, other))
			continue
		}
		if !mod.Package.Path.Equal(orig.Package.Path) {
			errs = append(errs, fmt.Sprintf("%s:%d: %s is this ejected config's copy of the built-in module %s and must keep its package; a policy of your own goes in a file of another name",
				s.Name, mod.Package.Location.Row, s.Name, pkgName(orig)))
			continue
		}
		copies[base] = s.Name
		m.builtin[s.Name] = mod
	}
	if len(errs) > 0 {
		return &config.Error{Msg: "policy: " + strings.Join(errs, "\n")}
	}
	for base, mod := range embedded {
		if _, ok := copies[base]; !ok {
			m.builtin[config.EmbeddedPrefix+"policies/"+base] = mod
		}
	}
	return nil
}

// embeddedModules parses the built-in policy files, by base name.
func embeddedModules(tests bool) (map[string]*ast.Module, error) {
	srcs, err := Embedded()
	if err != nil {
		return nil, err
	}
	parsed, err := parseModules(srcs, tests)
	if err != nil {
		return nil, err
	}
	out := map[string]*ast.Module{}
	for name, mod := range parsed {
		out[path.Base(name)] = mod
	}
	return out, nil
}

// Embedded returns the built-in policy files as sources, tests included.
func Embedded() ([]config.Source, error) {
	fsys := dorgugen.Defaults()
	names, err := fs.Glob(fsys, "policies/*.rego")
	if err != nil {
		return nil, err
	}
	var out []config.Source
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		out = append(out, config.Source{Name: config.EmbeddedPrefix + n, Data: data})
	}
	return out, nil
}

// checkUserPackage says what is wrong with a user module's package, or "".
// The dorgu namespace is dorgu-gen's: a user module is either in a package
// dorgu.policies.<id> whose id no built-in rule or check has, or outside
// dorgu altogether. Anything else could add rules to a built-in package
// (package dorgu.policies.chart_version_pinned), reach into one through a
// rule ref (package dorgu.policies with chart_version_pinned.pinned(_)),
// or shadow what the built-ins import (package dorgu.lib).
func checkUserPackage(mod *ast.Module, builtinIDs map[string]bool) string {
	at := fmt.Sprintf("%s:%d: package %s", mod.Package.Location.File, mod.Package.Location.Row, pkgName(mod))
	segs, ok := segments(mod.Package.Path)
	if !ok || len(segs) == 0 || segs[0] != "dorgu" {
		return ""
	}
	if len(segs) < 3 || segs[1] != "policies" {
		return at + ": the dorgu namespace belongs to dorgu-gen; a policy of your own goes in a package dorgu.policies.<id>, and a helper in a package outside dorgu"
	}
	id := ruleID(segs[2])
	builtin := builtinIDs[id] || builtinIDs[strings.TrimSuffix(id, "-test")]
	switch {
	case builtin:
		return fmt.Sprintf("%s belongs to the built-in rule %s: a user policy may not add rules to a built-in package or replace its helpers; give your policy a package of its own (dorgu.policies.<id>), and live with a built-in finding through a waiver in the config", at, strings.TrimSuffix(id, "-test"))
	case id == finding.RuleValuesSchema || id == finding.RuleValuesUnknownKey:
		return fmt.Sprintf("%s would report as rule %s, the id of dorgu-gen's check of the values against the charts; choose another package name", at, id)
	case finding.ReservedRule(id):
		return fmt.Sprintf("%s would report as rule %s, an id reserved for dorgu-gen's own checks (%s); choose another package name", at, id, strings.Join(finding.ReservedRules(), ", "))
	}
	return ""
}

// segments returns the names of a package path after data, when they are
// all strings.
func segments(p ast.Ref) ([]string, bool) {
	var out []string
	for _, t := range p[1:] {
		s, ok := t.Value.(ast.String)
		if !ok {
			return nil, false
		}
		out = append(out, string(s))
	}
	return out, true
}

func pkgName(m *ast.Module) string { return strings.TrimPrefix(m.Package.Path.String(), "data.") }

// BuiltinIDs lists the ids of the built-in rules, from the names of the
// embedded files (policies/<package>.rego, a contract TestEveryPolicyHasTests
// keeps). In an ejected config the copies keep those ids.
func BuiltinIDs() []string {
	names, _ := fs.Glob(dorgugen.Defaults(), "policies/*.rego")
	var out []string
	for _, n := range names {
		stem := strings.TrimSuffix(path.Base(n), ".rego")
		if IsTest(n) || stem == "lib" {
			continue
		}
		out = append(out, ruleID(stem))
	}
	return out
}

// IsBuiltin reports whether a rule id is a built-in rule's.
func IsBuiltin(id string) bool { return slices.Contains(BuiltinIDs(), id) }

// EjectedNotes says which built-in files an ejected config has changed:
// its copy is then what runs, and a reader of the check's output should
// know that the rule is not dorgu-gen's. It compares bytes only, so it is
// cheap enough for a run served from the cache.
func EjectedNotes(set Set) []string {
	if !set.Ejected {
		return nil
	}
	srcs, err := Embedded()
	if err != nil {
		return nil
	}
	orig := map[string][]byte{}
	for _, s := range srcs {
		orig[path.Base(s.Name)] = s.Data
	}
	var out []string
	for _, s := range set.Sources {
		base := path.Base(s.Name)
		want, ok := orig[base]
		if !ok || IsTest(base) || config.IsEmbedded(s.Name) || bytes.Equal(want, s.Data) {
			continue
		}
		what := "the built-in rule " + ruleID(strings.TrimSuffix(base, ".rego"))
		if base == "lib.rego" {
			what = "the helpers of every built-in rule"
		}
		out = append(out, fmt.Sprintf("%s differs from dorgu-gen's built-in %s: %s runs as this copy says", s.Name, base, what))
	}
	slices.Sort(out)
	return out
}
