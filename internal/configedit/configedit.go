// Package configedit changes a field of a user's CUE config in place,
// keeping every other byte: comments, formatting, the order of fields.
//
// It finds the field in the syntax of the config's files (cue/parser,
// cue/ast), through nested structs and the path shorthand alike
// (`clusters: "prod": components: demo: version: "1.2.3"`), and replaces
// the string literal there; where the config does not set the field, it
// adds it next to the nearest struct that holds its path, written with
// cue/format. It edits only what it can edit safely: a field set by an
// expression, or only reachable through one (a reference, a comprehension,
// a pattern), is refused with its file and line, never guessed at. The
// caller checks the result by evaluating it.
package configedit

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
)

// File is one CUE file of the user's config.
type File struct {
	// Name is how messages name it.
	Name string
	Data []byte
}

// Path is the labels of a field, from the top of a file.
type Path []string

func (p Path) String() string { return strings.Join(p, ".") }

// Set assigns the string Value to the field at Path.
type Set struct {
	Path  Path
	Value string
}

// Change is one edit made.
type Change struct {
	File string
	// Line is where the value now is (1-based).
	Line int
	Path Path
	// Old is the value replaced; "" when the field was added.
	Old   string
	Added bool
}

// Result is the files an edit changed, and how.
type Result struct {
	// Files holds the new content of every file that changed, by name.
	Files   map[string][]byte
	Changes []Change
}

// Error is a field that cannot be edited safely, at its file and line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Edit applies sets, in order, to files. A field that the files set is
// changed where they set it, every place alike; one they do not set is
// added, to the first file that holds part of its path (or the first
// file). Files holds only the files that changed.
func Edit(files []File, sets []Set) (*Result, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("the config has no file to edit")
	}
	cur := make([]File, len(files))
	copy(cur, files)
	res := &Result{Files: map[string][]byte{}}
	for _, s := range sets {
		changes, err := apply(cur, s)
		if err != nil {
			return nil, err
		}
		res.Changes = append(res.Changes, changes...)
	}
	for i, f := range cur {
		// cur is a copy of files: the same length (gosec G602).
		if !bytes.Equal(f.Data, files[i].Data) { //nolint:gosec
			res.Files[f.Name] = f.Data
		}
	}
	return res, nil
}

// apply makes one assignment to the files in cur, in place.
func apply(cur []File, s Set) ([]Change, error) {
	var found finds
	for i, f := range cur {
		af, err := parser.ParseFile(f.Name, f.Data, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("%s does not parse: %w", f.Name, err)
		}
		walker{file: i, path: s.Path, found: &found}.walk(af.Decls, 0, nil, 0, nil)
	}
	var (
		changes []Change
		err     error
	)
	if len(found.leaves) == 0 {
		changes, err = insert(cur, s, &found)
	} else {
		changes, err = replace(cur, s, found.leaves)
	}
	if err != nil {
		return nil, err
	}
	return changes, check(cur, s, changes)
}

// check reads the edited files back: each must parse, and every place
// that sets the field must now hold the value. It also gives each change
// the line its value ended on, formatting having moved it or not.
func check(cur []File, s Set, changes []Change) error {
	lines := map[string][]int{}
	for i, f := range cur {
		af, err := parser.ParseFile(f.Name, f.Data, parser.ParseComments)
		if err != nil {
			return fmt.Errorf("editing %s would break it, so it was left as it is: %w", f.Name, err)
		}
		var found finds
		walker{file: i, path: s.Path, found: &found}.walk(af.Decls, 0, nil, 0, nil)
		for _, l := range found.leaves {
			lit, _ := editable(l.field.Value)
			if lit == nil || lit.Value != quote(s.Value) {
				continue
			}
			lines[f.Name] = append(lines[f.Name], lit.Pos().Line())
		}
	}
	byFile := map[string][]int{}
	for i, c := range changes {
		byFile[c.File] = append(byFile[c.File], i)
	}
	for name, idx := range byFile {
		if len(lines[name]) < len(idx) {
			return fmt.Errorf("editing %s did not set %s as intended, so it was left as it is", name, s.Path)
		}
		if len(lines[name]) == len(idx) {
			for j, i := range idx {
				changes[i].Line = lines[name][j]
			}
		}
	}
	return nil
}

// finds is what a walk found of a path in the files.
type finds struct {
	// leaves are the fields at the whole path.
	leaves []match
	// prefixes are the fields at a part of it, with struct values.
	prefixes []match
}

// match is a field of the path.
type match struct {
	file  int
	depth int // the field is at path[:depth+1]
	field *ast.Field
	// container is the braced struct the field is written in, nil at the
	// top of the file, and cdepth the depth of the fields written there.
	container *ast.StructLit
	cdepth    int
	// decl is the element of container (or of the file) the field is in.
	decl ast.Decl
}

type walker struct {
	file  int
	path  Path
	found *finds
}

// walk walks the elements of a struct (or a file) whose fields are at
// depth. container is the nearest braced struct (nil: the file), whose
// fields are at cdepth, and top the element of it being walked (nil: each
// of ds is one).
func (w walker) walk(ds []ast.Decl, depth int, container *ast.StructLit, cdepth int, top ast.Decl) {
	for _, d := range ds {
		t := top
		if t == nil {
			t = d
		}
		switch d := d.(type) {
		case *ast.Field:
			w.field(d, depth, container, cdepth, t)
		case *ast.EmbedDecl:
			if st, ok := d.Expr.(*ast.StructLit); ok {
				w.value(st, depth, container, cdepth, t)
			}
		}
	}
}

func (w walker) field(f *ast.Field, depth int, container *ast.StructLit, cdepth int, top ast.Decl) {
	name, _, err := ast.LabelName(f.Label)
	if err != nil || name != w.path[depth] || f.Constraint != token.ILLEGAL {
		return
	}
	m := match{file: w.file, depth: depth, field: f, container: container, cdepth: cdepth, decl: top}
	if depth == len(w.path)-1 {
		w.found.leaves = append(w.found.leaves, m)
		return
	}
	if _, ok := structOf(f.Value); ok {
		w.found.prefixes = append(w.found.prefixes, m)
	}
	w.value(f.Value, depth+1, container, cdepth, top)
}

// value walks the fields of a value: a struct, or the structs of a
// unification (`#Base & {...}`).
func (w walker) value(v ast.Expr, depth int, container *ast.StructLit, cdepth int, top ast.Decl) {
	switch v := v.(type) {
	case *ast.StructLit:
		if v.Lbrace.IsValid() {
			w.walk(v.Elts, depth, v, depth, nil)
			return
		}
		w.walk(v.Elts, depth, container, cdepth, top)
	case *ast.BinaryExpr:
		if v.Op == token.AND {
			w.value(v.X, depth, container, cdepth, top)
			w.value(v.Y, depth, container, cdepth, top)
		}
	case *ast.ParenExpr:
		w.value(v.X, depth, container, cdepth, top)
	}
}

// structOf returns the struct literal a field's value is, if it is one.
func structOf(v ast.Expr) (*ast.StructLit, bool) {
	st, ok := v.(*ast.StructLit)
	return st, ok
}

// replace sets the string literal of every leaf to s.Value.
func replace(cur []File, s Set, leaves []match) ([]Change, error) {
	type span struct {
		start, end int
		line       int
		old        string
	}
	spans := map[int][]span{}
	var errs []string
	for _, l := range leaves {
		lit, why := editable(l.field.Value)
		if lit == nil {
			p := l.field.Value.Pos()
			errs = append(errs, (&Error{File: cur[l.file].Name, Line: p.Line(), Msg: fmt.Sprintf("%s is set by %s, which dorgu-gen cannot change safely; change it by hand", s.Path, why)}).Error())
			continue
		}
		old, err := strconv.Unquote(lit.Value)
		if err != nil {
			old = lit.Value // a multi-line string: shown as written
		}
		spans[l.file] = append(spans[l.file], span{lit.Pos().Offset(), lit.End().Offset(), lit.Pos().Line(), old})
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	quoted := quote(s.Value)
	var changes []Change
	for _, i := range slices.Sorted(maps.Keys(spans)) {
		ss := spans[i]
		slices.SortFunc(ss, func(a, b span) int { return b.start - a.start })
		data := cur[i].Data
		for _, sp := range ss {
			if sp.old == s.Value && string(data[sp.start:sp.end]) == quoted {
				continue
			}
			data = splice(data, sp.start, sp.end, quoted)
			changes = append(changes, Change{File: cur[i].Name, Line: sp.line, Path: s.Path, Old: sp.old})
		}
		cur[i].Data = reformat(cur[i].Data, data)
	}
	slices.SortFunc(changes, func(a, b Change) int {
		if a.File != b.File {
			return strings.Compare(a.File, b.File)
		}
		return a.Line - b.Line
	})
	return changes, nil
}

// editable returns the string literal that gives a field its value: the
// value itself, or the default of a disjunction (`*"1.2.3" | string`, as
// the embedded components write versions). Otherwise it says what the
// value is.
func editable(v ast.Expr) (*ast.BasicLit, string) {
	switch v := v.(type) {
	case *ast.BasicLit:
		if v.Kind == token.STRING {
			return v, ""
		}
	case *ast.BinaryExpr:
		if v.Op == token.OR {
			var defaults []*ast.BasicLit
			for _, x := range disjuncts(v) {
				if u, ok := x.(*ast.UnaryExpr); ok && u.Op == token.MUL {
					lit, ok := u.X.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						return nil, "a disjunction whose default is not a string literal"
					}
					defaults = append(defaults, lit)
				}
			}
			if len(defaults) == 1 {
				return defaults[0], ""
			}
			return nil, "a disjunction without one default"
		}
	}
	return nil, "an expression (" + source(v) + ")"
}

func disjuncts(v ast.Expr) []ast.Expr {
	if b, ok := v.(*ast.BinaryExpr); ok && b.Op == token.OR {
		return append(disjuncts(b.X), disjuncts(b.Y)...)
	}
	return []ast.Expr{v}
}

// source prints an expression for a message, on one line and short.
func source(v ast.Expr) string {
	b, err := format.Node(v)
	s := strings.Join(strings.Fields(string(b)), " ")
	if err != nil || s == "" {
		return "an expression"
	}
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// quote writes a CUE string literal.
func quote(s string) string { return ast.NewString(s).Value }

// label writes a field label: an identifier where one can stand, else a
// quoted string, as cue fmt writes them.
func label(name string) string {
	b, err := format.Node(ast.NewStringLabel(name))
	if err != nil {
		return quote(name)
	}
	return string(b)
}

// fieldText writes the labels of path and the value with the path
// shorthand: `components: demo: version: "1.2.3"`.
func fieldText(path Path, value string) string {
	parts := make([]string, 0, len(path)+1)
	for _, p := range path {
		parts = append(parts, label(p))
	}
	return strings.Join(append(parts, quote(value)), ": ")
}

func splice(data []byte, start, end int, s string) []byte {
	out := make([]byte, 0, len(data)-(end-start)+len(s))
	out = append(out, data[:start]...)
	out = append(out, s...)
	return append(out, data[end:]...)
}

// insert adds the field of s, which the files do not set: inside the
// deepest struct literal of its path, else after the element that holds
// the deepest part of its path (below the top-level name), else at the
// end of the first file.
func insert(cur []File, s Set, found *finds) ([]Change, error) {
	// The top-level name alone (`components:`, `clusters:`) says little
	// about where a field belongs: it anchors an insertion only as a
	// braced struct of them all, `clusters: {...}`.
	var best *match
	for i := range found.prefixes {
		p := &found.prefixes[i]
		if p.depth == 0 {
			if st, _ := structOf(p.field.Value); !st.Lbrace.IsValid() {
				continue
			}
		}
		if best == nil || p.depth > best.depth {
			best = p
		}
	}
	if best == nil {
		f := &cur[0]
		data := f.Data
		if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
			data = append(data, '\n')
		}
		line := bytes.Count(data, []byte("\n")) + 2
		data = append(append(data, '\n'), fieldText(s.Path, s.Value)+"\n"...)
		f.Data = reformat(f.Data, data)
		return []Change{{File: f.Name, Line: line, Path: s.Path, Added: true}}, nil
	}
	f := &cur[best.file]
	st, _ := structOf(best.field.Value)
	var (
		data []byte
		line int
		ok   bool
	)
	if st.Lbrace.IsValid() {
		data, line, ok = appendTo(f.Data, st, fieldText(s.Path[best.depth+1:], s.Value))
	}
	if !ok {
		data, line, ok = after(f.Data, best, fieldText(s.Path[best.cdepth:], s.Value))
	}
	if !ok {
		p := best.field.Pos()
		return nil, &Error{File: f.Name, Line: p.Line(), Msg: fmt.Sprintf("cannot add %s next to %s here without rewriting the lines around it; add `%s` by hand", s.Path, Path(s.Path[:best.depth+1]), fieldText(s.Path, s.Value))}
	}
	f.Data = reformat(f.Data, data)
	return []Change{{File: f.Name, Line: line, Path: s.Path, Added: true}}, nil
}

// appendTo adds text as the last field of the braced struct st: on a line
// of its own before the closing brace, indented one more than it, or,
// when the struct closes on a line with other fields (`{a: 1}`), after
// them. It returns the line of the field.
func appendTo(data []byte, st *ast.StructLit, text string) ([]byte, int, bool) {
	rb := st.Rbrace.Offset()
	if !st.Rbrace.IsValid() || rb <= 0 || rb >= len(data) || data[rb] != '}' {
		return nil, 0, false
	}
	start := lineStart(data, rb)
	if strings.TrimSpace(string(data[start:rb])) == "" {
		indent := string(data[start:rb])
		return splice(data, start, start, indent+"\t"+text+"\n"), st.Rbrace.Line(), true
	}
	if st.Lbrace.Line() != st.Rbrace.Line() {
		// A multi-line struct closed after its last field: `a: 1}`.
		return nil, 0, false
	}
	sep := ", "
	if !hasFields(st) {
		sep = ""
	}
	return splice(data, rb, rb, sep+text), st.Rbrace.Line(), true
}

func hasFields(st *ast.StructLit) bool {
	for _, d := range st.Elts {
		if _, ok := d.(*ast.CommentGroup); !ok {
			return true
		}
	}
	return false
}

// after adds text on a line of its own after the element that holds m,
// in the struct (or file) it is written in, with that element's
// indentation. The element must end its line.
func after(data []byte, m *match, text string) ([]byte, int, bool) {
	end := m.decl.End()
	if !end.IsValid() {
		return nil, 0, false
	}
	e := end.Offset()
	nl := bytes.IndexByte(data[e:], '\n')
	var rest string
	if nl < 0 {
		rest = string(data[e:])
		nl = len(data) - e
	} else {
		rest = string(data[e : e+nl])
	}
	if r := strings.TrimSpace(rest); r != "" && !strings.HasPrefix(r, "//") && r != "," {
		return nil, 0, false
	}
	if m.container != nil && m.container.Rbrace.Line() == end.Line() {
		return nil, 0, false
	}
	start := lineStart(data, m.decl.Pos().Offset())
	indent := data[start:m.decl.Pos().Offset()]
	if strings.TrimSpace(string(indent)) != "" {
		return nil, 0, false
	}
	at := e + nl
	ins := "\n" + string(indent) + text
	if at == len(data) {
		ins += "\n"
		if len(data) > 0 && data[len(data)-1] != '\n' {
			at = len(data)
		}
	}
	return splice(data, at, at, ins), end.Line() + 1, true
}

func lineStart(data []byte, off int) int {
	return bytes.LastIndexByte(data[:off], '\n') + 1
}

// reformat formats the edited file as cue fmt does when the original was
// formatted so (an inserted field then lines up with its neighbours, as
// the next cue fmt would have it), and only when that keeps every
// comment; otherwise the splice stands as it is.
func reformat(orig, edited []byte) []byte {
	fo, err := format.Source(orig)
	if err != nil || !bytes.Equal(fo, orig) {
		return edited
	}
	fe, err := format.Source(edited)
	if err != nil || !slices.Equal(comments(fe), comments(edited)) {
		return edited
	}
	return fe
}

// comments lists the comments of a file, in order.
func comments(data []byte) []string {
	f, err := parser.ParseFile("", data, parser.ParseComments)
	if err != nil {
		return nil
	}
	var out []string
	ast.Walk(f, func(n ast.Node) bool {
		for _, cg := range ast.Comments(n) {
			for _, c := range cg.List {
				out = append(out, c.Text)
			}
		}
		return true
	}, nil)
	slices.Sort(out)
	return out
}
