package stack

import (
	"strconv"
	"strings"

	"cuelang.org/go/cue"

	"github.com/dorgu/dorgu-gen/internal/config"
)

// valuesDecoder decodes a component's values layers and notes where the
// config's own files set each leaf, in one walk: CUE lists the fields of a
// struct in time that grows with the square of their number, so a large
// values map is listed once, not once to decode and once for positions.
type valuesDecoder struct {
	dir string // the working directory, which positions are relative to
	// record is whether the layer being decoded records positions.
	record bool
	// origins maps each values leaf (its path joined by OriginSep) that
	// a file outside the embedded ones sets to its position,
	// file:line:column; later layers win, as their values do.
	origins map[string]string
}

// OriginSep joins the keys of a values path in Component.ValueOrigins: no
// key of a values file holds it.
const OriginSep = "\x1f"

// layer decodes a concrete layer as cue.Value.Decode decodes it into a
// map[string]any.
func (d *valuesDecoder) layer(v cue.Value) (map[string]any, error) {
	x, err := d.value(v, nil)
	if err != nil {
		return nil, err
	}
	m, _ := x.(map[string]any)
	return m, nil
}

// value decodes v as cue's decoder does into an any, walking structs
// itself.
func (d *valuesDecoder) value(v cue.Value, path []string) (any, error) {
	dv, _ := v.Default()
	if dv.Kind() != cue.StructKind {
		var x any
		if err := dv.Decode(&x); err != nil {
			return nil, err
		}
		d.note(v, path)
		return x, nil
	}
	it, err := dv.Fields()
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	for it.Next() {
		key := it.Selector().Unquoted()
		if m[key], err = d.value(it.Value(), append(path, key)); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// note records where the user's files set the leaf v.
func (d *valuesDecoder) note(v cue.Value, path []string) {
	if !d.record || len(path) == 0 {
		return
	}
	p := userPos(v)
	if !p.IsValid() || config.IsEmbedded(p.Filename()) {
		return
	}
	if d.origins == nil {
		d.origins = map[string]string{}
	}
	d.origins[strings.Join(path, OriginSep)] = relName(d.dir, p.Filename()) + ":" + strconv.Itoa(p.Line()) + ":" + strconv.Itoa(p.Column())
}
