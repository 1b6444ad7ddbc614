package stack

import (
	"maps"
	"slices"
	"time"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"

	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/finding"
)

// waivers decodes the config's waivers, each with where it is written,
// sorted by name.
func (e *evaluator) waivers() ([]finding.Waiver, error) {
	return decodeWaivers(lookup(e.root, "waivers"))
}

func decodeWaivers(v cue.Value) ([]finding.Waiver, error) {
	byName := map[string]cue.Value{}
	for _, w := range fields(v) {
		byName[label(w)] = w
	}
	var out []finding.Waiver
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		w := byName[name]
		pos := userPos(w)
		for _, f := range []string{"rule", "reason"} {
			if _, err := lookup(w, f).String(); err != nil {
				return nil, errorf(pos, "%s: a waiver needs a %s: which rule it waives and why", w.Path(), f)
			}
		}
		var fw finding.Waiver
		if err := w.Decode(&fw); err != nil {
			return nil, err
		}
		fw.Name, fw.File, fw.Line = name, relName(pos.Filename()), pos.Line()
		out = append(out, fw)
	}
	return out, nil
}

// precheckWaivers reports, at the user's own field, the waiver mistakes
// whose CUE error would name only the schema's constraint: the old list
// form, a rule that is one of dorgu-gen's own checks, an expiry that is
// not a date of the calendar.
func precheckWaivers(root cue.Value) cueerrors.Error {
	v := lookup(root, "waivers")
	if !v.Exists() {
		return nil
	}
	if pos, ok := userList(v); ok {
		return errorf(pos, `waivers: a list is the old form; waivers are now a map keyed by a name, which several files can each add to: waivers: "staging-openobserve": {rule: "openobserve-credentials", cluster: "staging-eu", reason: "..."}`)
	}
	var errs cueerrors.Error
	for _, w := range fields(v) {
		if s, pos, ok := userString(lookup(w, "rule")); ok && finding.ReservedRule(s) {
			errs = cueerrors.Append(errs, errorf(pos, "%s.rule: %s findings cannot be waived: a waiver applies to policy findings only, and %s is one of dorgu-gen's own checks (the sources evaluate, the scaffold parses and matches them, the waivers hold), which a change must not be able to silence; fix what it reports instead", w.Path(), s, s))
		}
		if s, pos, ok := userString(lookup(w, "expires")); ok {
			if _, err := time.Parse(time.DateOnly, s); err != nil {
				errs = cueerrors.Append(errs, errorf(pos, "%s.expires: %q is not a date; write the last day the waiver applies as \"YYYY-MM-DD\" (UTC)", w.Path(), s))
			}
		}
	}
	return errs
}

// userList returns the position of a list the user wrote for v.
func userList(v cue.Value) (token.Pos, bool) {
	var walk func(cue.Value) (token.Pos, bool)
	walk = func(v cue.Value) (token.Pos, bool) {
		op, args := v.Expr()
		if op == cue.AndOp && len(args) > 1 {
			for _, a := range args {
				if p, ok := walk(a); ok {
					return p, ok
				}
			}
			return token.NoPos, false
		}
		p := v.Pos()
		if !p.IsValid() || config.IsEmbedded(p.Filename()) {
			return token.NoPos, false
		}
		return p, v.IncompleteKind() == cue.ListKind
	}
	return walk(v)
}

// Waivers reads the config's waivers alone, and the environments of the
// clusters that declare one, for vet when the config as a whole does not
// evaluate: the scaffold on disk is still checked, and the team's waivers
// still apply to it. It fails when the waivers themselves cannot be read.
func Waivers(cfg *config.Config) ([]finding.Waiver, map[string]string, error) {
	files, err := parse(cfg.CUE)
	if err != nil {
		return nil, nil, err
	}
	inst := build.NewContext().NewInstance("", nil)
	for _, f := range files {
		if err := inst.AddSyntax(f); err != nil {
			return nil, nil, err
		}
	}
	root := cuecontext.New().BuildInstance(inst)
	if err := precheckWaivers(root); err != nil {
		return nil, nil, err
	}
	v := lookup(root, "waivers")
	if err := v.Validate(cue.Concrete(true)); err != nil && v.Exists() {
		return nil, nil, err
	}
	ws, err := decodeWaivers(v)
	if err != nil {
		return nil, nil, err
	}
	envs := map[string]string{}
	for _, c := range fields(lookup(root, "clusters")) {
		if s, err := lookup(c, "environment").String(); err == nil {
			envs[label(c)] = s
		}
	}
	return ws, envs, nil
}

// Environment returns a cluster's environment, "" when the stack has no
// such cluster.
func (s *Stack) Environment(cluster string) string {
	for _, c := range s.Clusters {
		if c.Name == cluster {
			return c.Environment
		}
	}
	return ""
}
