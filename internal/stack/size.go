package stack

import (
	"fmt"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/token"
)

// MaxFields bounds the fields of one struct, and the elements of one list,
// written in the sources. CUE evaluates a struct or a list in time that
// grows with the square of its size (each field is looked up among the
// ones before it), and dorgu-gen evaluates a component's values more than
// once: a map of 20,000 keys takes seconds, one of 120,000 minutes. So a
// larger one is refused before anything is evaluated, at the field or
// element past the limit.
const MaxFields = 20_000

// checkSizes refuses a struct with more than MaxFields fields, or a list
// with more than MaxFields elements, as the files write them. The fields
// that several files (or several declarations) give one struct count
// together, each name once; lists are unified element by element, so each
// list counts on its own. Fields that comprehensions generate are not known
// before evaluation: the evaluation deadline bounds them.
func checkSizes(files []*ast.File) error {
	c := &sizes{declared: map[string]int{}}
	for _, f := range files {
		c.decls("", f.Decls)
	}
	var p problems
	for _, l := range c.lists {
		p.addf(l.pos, "%s: a list of %d elements, more than the limit of %d elements per list: CUE's evaluation of a list grows with the square of its length (see Limits in the README)", showPath(l.path), l.n, MaxFields)
	}
	if len(c.over) > 0 {
		// Declarations counted more than the limit: count the names.
		names := map[string]map[string]bool{}
		for path := range c.over {
			names[path] = map[string]bool{}
		}
		c.names = names
		c.elem = 0
		c.reported = map[string]bool{}
		c.problems = &p
		for _, f := range files {
			c.decls("", f.Decls)
		}
	}
	return p.err()
}

type sizes struct {
	// declared counts the field declarations of each struct, by path.
	declared map[string]int
	over     map[string]bool
	lists    []bigList
	// In the second pass: the names of the structs declared too often.
	names    map[string]map[string]bool
	reported map[string]bool
	problems *problems
	// elem numbers list elements, whose structs are each their own.
	elem int
}

type bigList struct {
	path string
	n    int
	pos  token.Pos
}

// wildcard stands for a label that is not known before evaluation: a
// pattern, an interpolation, a comprehension's.
const wildcard = "[_]"

func (c *sizes) decls(path string, decls []ast.Decl) {
	for _, d := range decls {
		switch d := d.(type) {
		case *ast.Field:
			c.field(path, d)
		case *ast.EmbedDecl:
			c.expr(path, d.Expr)
		case *ast.Comprehension:
			c.expr(path, d.Value)
		}
	}
}

func (c *sizes) field(path string, f *ast.Field) {
	name, _, err := ast.LabelName(f.Label)
	if err != nil {
		name = wildcard
	}
	if c.names == nil {
		c.declared[path]++
		if c.declared[path] > MaxFields {
			if c.over == nil {
				c.over = map[string]bool{}
			}
			c.over[path] = true
		}
	} else if set, ok := c.names[path]; ok && !set[name] {
		set[name] = true
		if len(set) > MaxFields && !c.reported[path] {
			c.reported[path] = true
			c.problems.addf(f.Label.Pos(), "%s: more than %d fields in one struct, the limit: CUE's evaluation of a struct grows with the square of its fields (see Limits in the README)", showPath(path), MaxFields)
		}
	}
	c.expr(path+"."+quoteLabel(name), f.Value)
}

func (c *sizes) expr(path string, e ast.Expr) {
	switch e := e.(type) {
	case *ast.StructLit:
		c.decls(path, e.Elts)
	case *ast.ListLit:
		if c.names == nil && len(e.Elts) > MaxFields {
			c.lists = append(c.lists, bigList{path, len(e.Elts), e.Elts[MaxFields].Pos()})
		}
		for _, x := range e.Elts {
			// Each element is a value of its own.
			c.elem++
			c.expr(fmt.Sprintf("%s[%d]", path, c.elem), x)
		}
	case *ast.BinaryExpr:
		c.expr(path, e.X)
		c.expr(path, e.Y)
	case *ast.ParenExpr:
		c.expr(path, e.X)
	case *ast.Comprehension:
		c.expr(path, e.Value)
	}
}

func quoteLabel(name string) string {
	if name == wildcard || ast.IsValidIdent(name) {
		return name
	}
	return fmt.Sprintf("%q", name)
}

// showPath prints a path for messages: element numbers are not the list's
// indexes, so they print as [_].
func showPath(path string) string {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		if path[i] == '[' && i+1 < len(path) && path[i+1] >= '0' && path[i+1] <= '9' {
			j := strings.IndexByte(path[i:], ']')
			b.WriteString("[_]")
			i += j
			continue
		}
		b.WriteByte(path[i])
	}
	s := strings.TrimPrefix(b.String(), ".")
	if s == "" {
		return "the top level"
	}
	return s
}
