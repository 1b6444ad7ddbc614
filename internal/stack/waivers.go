package stack

import (
	"maps"
	"slices"
	"time"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"

	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/finding"
)

// waivers decodes the config's waivers, each with where it is written,
// sorted by name.
func (e *evaluator) waivers() ([]finding.Waiver, error) {
	return decodeWaivers(e.root.LookupPath(pathWaivers), e.cfg.WorkDir)
}

func decodeWaivers(v cue.Value, dir string) ([]finding.Waiver, error) {
	byName := map[string]cue.Value{}
	for _, w := range fields(v) {
		byName[label(w)] = w
	}
	var out []finding.Waiver
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		w := byName[name]
		pos := userPos(w)
		for _, f := range []cue.Path{waiverRule, waiverReason} {
			if _, err := w.LookupPath(f).String(); err != nil {
				return nil, errorf(pos, "%s: a waiver needs a %s: which rule it waives and why", w.Path(), f)
			}
		}
		var fw finding.Waiver
		if err := w.Decode(&fw); err != nil {
			return nil, err
		}
		fw.Name, fw.File, fw.Line = name, relName(dir, pos.Filename()), pos.Line()
		out = append(out, fw)
	}
	return out, nil
}

// precheckWaivers reports, at the user's own field, the waiver mistakes
// whose CUE error would name only the schema's constraint: the old list
// form, a rule that is one of dorgu-gen's own checks, an expiry that is
// not a date of the calendar.
func precheckWaivers(root cue.Value) cueerrors.Error {
	v := root.LookupPath(pathWaivers)
	if !v.Exists() {
		return nil
	}
	if u, ok := userConjunct(v, isList); ok {
		pos := u.Pos()
		return errorf(pos, `waivers: a list is the old form; waivers are now a map keyed by a name, which several files can each add to: waivers: "staging-openobserve": {rule: "openobserve-credentials", cluster: "staging-eu", reason: "..."}`)
	}
	var errs cueerrors.Error
	for _, w := range fields(v) {
		if s, pos, ok := userString(w.LookupPath(waiverRule)); ok && (s == finding.RuleValuesSchema || s == finding.RuleValuesUnknownKey) {
			errs = cueerrors.Append(errs, errorf(pos, "%s.rule: %s findings cannot be waived: they say how the chart takes the values (a value its values.schema.json refuses stops Helm, so ArgoCD renders nothing; a key it does not have is ignored); fix the value, or declare a subtree the chart copies as it is in the component's freeformValues", w.Path(), s))
		} else if ok && finding.ReservedRule(s) {
			errs = cueerrors.Append(errs, errorf(pos, "%s.rule: %s findings cannot be waived: a waiver applies to policy findings only, and %s is one of dorgu-gen's own checks (the sources evaluate, the scaffold parses and matches them, the waivers hold), which a change must not be able to silence; fix what it reports instead", w.Path(), s, s))
		}
		if s, pos, ok := userString(w.LookupPath(waiverExpires)); ok {
			if _, err := time.Parse(time.DateOnly, s); err != nil {
				errs = cueerrors.Append(errs, errorf(pos, "%s.expires: %q is not a date; write the last day the waiver applies as \"YYYY-MM-DD\" (UTC)", w.Path(), s))
			}
		}
	}
	return errs
}

// Waivers reads the config's waivers alone, and the environments of the
// clusters that declare one, for vet when the config as a whole does not
// evaluate: the scaffold on disk is still checked, and the team's waivers
// still apply to it. It fails when the waivers themselves cannot be read.
func Waivers(cfg *config.Config) ([]finding.Waiver, map[string]string, error) {
	root, err := buildInstance(cuecontext.New(), cfg.CUE)
	if err != nil {
		return nil, nil, err
	}
	if err := precheckWaivers(root); err != nil {
		return nil, nil, err
	}
	v := root.LookupPath(pathWaivers)
	if err := v.Validate(cue.Concrete(true)); err != nil && v.Exists() {
		return nil, nil, err
	}
	ws, err := decodeWaivers(v, cfg.WorkDir)
	if err != nil {
		return nil, nil, err
	}
	envs := map[string]string{}
	for _, c := range fields(root.LookupPath(pathClusters)) {
		if s, err := c.LookupPath(clusterEnvironment).String(); err == nil {
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
