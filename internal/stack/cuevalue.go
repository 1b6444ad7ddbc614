package stack

import (
	"slices"
	"strings"

	"cuelang.org/go/cue"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"

	"github.com/dorgu/dorgu-gen/internal/config"
)

// Helpers to read values of the config, and to find where the user, not the
// schema, wrote them: every message of dorgu-gen points at the user's file.

// fields lists the regular fields of a struct value in order.
func fields(v cue.Value) []cue.Value {
	it, err := v.Fields()
	if err != nil {
		return nil
	}
	var out []cue.Value
	for it.Next() {
		out = append(out, it.Value())
	}
	return out
}

func label(v cue.Value) string {
	s, _ := v.Label()
	return s
}

// labels lists the labels of a struct's regular fields, sorted.
func labels(v cue.Value) []string {
	var out []string
	for _, f := range fields(v) {
		out = append(out, label(f))
	}
	slices.Sort(out)
	return out
}

// userConjunct returns the first conjunct of v written outside the
// embedded files for which accept is true, evaluated on its own: what the
// user wrote, even when v is an error because it fails a constraint of
// the schema.
func userConjunct(v cue.Value, accept func(cue.Value) bool) (cue.Value, bool) {
	if !v.Exists() {
		return cue.Value{}, false
	}
	op, args := v.Expr()
	if op == cue.AndOp && len(args) > 1 {
		for _, a := range args {
			if u, ok := userConjunct(a, accept); ok {
				return u, true
			}
		}
		return cue.Value{}, false
	}
	if p := v.Pos(); !p.IsValid() || config.IsEmbedded(p.Filename()) || !accept(v) {
		return cue.Value{}, false
	}
	return v, true
}

func anyValue(cue.Value) bool { return true }

func isString(v cue.Value) bool { _, err := v.String(); return err == nil }

func isList(v cue.Value) bool { return v.IncompleteKind() == cue.ListKind }

// userPos returns where the user wrote v: the position of its first
// conjunct outside the embedded files, falling back to any position. A field
// that a schema pattern also constrains would otherwise point at the schema.
func userPos(v cue.Value) token.Pos {
	if u, ok := userConjunct(v, anyValue); ok {
		return u.Pos()
	}
	return v.Pos()
}

// userString returns the string the user wrote for v.
func userString(v cue.Value) (string, token.Pos, bool) {
	u, ok := userConjunct(v, isString)
	if !ok {
		return "", token.NoPos, false
	}
	s, _ := u.String()
	return s, u.Pos(), true
}

// firstUserPos returns the first valid position outside the embedded
// files among the values' user positions, or NoPos.
func firstUserPos(vs ...cue.Value) token.Pos {
	for _, v := range vs {
		if !v.Exists() {
			continue
		}
		if p := userPos(v); p.IsValid() && !config.IsEmbedded(p.Filename()) {
			return p
		}
	}
	return token.NoPos
}

// missing lists the leaves of v that have no concrete value (and no
// default), as dotted paths relative to v. Fields whose value is an error
// are left to CUE's own message.
func missing(v cue.Value, prefix string) []string {
	d, _ := v.Default()
	if d.IncompleteKind() == cue.StructKind {
		var out []string
		it, err := d.Fields()
		if err != nil {
			return nil
		}
		for it.Next() {
			out = append(out, missing(it.Value(), prefix+it.Selector().String()+".")...)
		}
		return out
	}
	if !d.IsConcrete() {
		return []string{strings.TrimSuffix(prefix, ".")}
	}
	return nil
}

// concrete validates that v is fully concrete and decodes it.
func concrete(v cue.Value) (map[string]any, error) {
	if err := v.Validate(cue.Concrete(true), cue.Final()); err != nil {
		return nil, err
	}
	var m map[string]any
	if err := v.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// problems collects the mistakes found in a config, so that one run
// reports all of them.
type problems struct{ errs cueerrors.Error }

func (p *problems) add(err cueerrors.Error) { p.errs = cueerrors.Append(p.errs, err) }

func (p *problems) addf(pos token.Pos, format string, args ...any) {
	p.add(cueerrors.Newf(pos, format, args...))
}

func (p *problems) empty() bool { return p.errs == nil }

// err returns the problems as one error, nil without any.
func (p *problems) err() error {
	if p.errs == nil {
		return nil
	}
	return p.errs
}

func errorf(pos token.Pos, format string, args ...any) cueerrors.Error {
	return cueerrors.Newf(pos, format, args...)
}
