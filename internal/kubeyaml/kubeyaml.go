// Package kubeyaml reads YAML and JSON files as Kubernetes, ArgoCD and Helm
// read them, and knows where each field is written.
//
// What a file means is decided by the readers those tools use:
// apimachinery's YAMLOrJSONDecoder for the manifests of an ArgoCD
// directory source (every document, or JSON objects one after another),
// encoding/json for a .json manifest, and sigs.k8s.io/yaml for a Helm
// values file. Those read YAML 1.1: `yes`, `on` and `y` are booleans, `<<`
// merges, a key given twice keeps its last value. Positions come from
// yaml.v3's nodes of the same documents, and yaml.v3 reads YAML 1.2. Where
// the two readers do not agree on a document, or yaml.v3 refuses what the
// other takes, the file is ambiguous: a Problem at the line, so that nobody
// reviews one meaning while ArgoCD deploys another.
package kubeyaml

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
	apiyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// Format says which tool reads a file, and so how.
type Format int

const (
	// Stream is a .yaml or .yml manifest of an ArgoCD directory source
	// (or of kubectl apply -f): every document is an object applied.
	Stream Format = iota
	// JSON is a .json manifest of an ArgoCD directory source: one object.
	JSON
	// Values is a Helm values file: Helm reads its first document.
	Values
)

// Doc is one document of a file.
type Doc struct {
	// Value is the document as Kubernetes reads it, in JSON's types
	// (numbers are json.Number); nil for an empty document.
	Value any
	// Node is yaml.v3's node of the document, with lines counted from
	// the top of the file; nil when yaml.v3 cannot read it.
	Node *yaml.Node
	// Line is the document's first line.
	Line int
}

// Problem is something wrong with a file, at a line (0: the whole file).
type Problem struct {
	Line, Column int
	Msg          string
	Hint         string
	// Unreadable is set when ArgoCD or Helm cannot read the file, or
	// dorgu-gen cannot tell what they read: its documents are not what
	// gets deployed, and checking them would mislead.
	Unreadable bool
}

// Hints of the problems.
const (
	HintSyntax    = "fix the YAML syntax (running dorgu-gen render again rewrites a generated file)"
	HintAmbiguous = "quote the key or value (\"yes\", \"on\", \"y\", \"~\", \"<<\") or write out what a merge key (<<) brings in, so that every YAML reader reads the same"
)

// Read reads data as the tool of format f does. Docs are the documents
// that tool reads, in order, empty ones included.
func Read(data []byte, f Format) ([]Doc, []Problem) {
	if bytes.HasPrefix(data, []byte{0xFE, 0xFF}) || bytes.HasPrefix(data, []byte{0xFF, 0xFE}) {
		return nil, []Problem{{Msg: "the file is UTF-16; dorgu-gen reads UTF-8 only", Hint: "save it as UTF-8", Unreadable: true}}
	}
	// ArgoCD reads manifests through a reader that drops a UTF-8 byte
	// order mark; yaml.v3 and sigs.k8s.io/yaml skip it too.
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	switch f {
	case JSON:
		return readJSON(data)
	case Values:
		return readValues(data)
	}
	return readStream(data)
}

// readStream reads the documents of a manifest file as ArgoCD's
// repo-server does (reposerver/repository splitYAMLOrJSON), and places
// each on the part of the file it comes from.
func readStream(data []byte) ([]Doc, []Problem) {
	var kube []json.RawMessage
	var kubeErr error
	dec := apiyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			kubeErr = err
			break
		}
		kube = append(kube, raw)
	}
	parts, splitErr := split(data)
	var docs []Doc
	var problems []Problem
	for i, p := range parts {
		node, more, err := parseNode(p.data, p.line)
		if err != nil {
			problems = append(problems, syntaxProblem(err, p.line))
			return docs, problems
		}
		if i >= len(kube) {
			break
		}
		v, err := decodeRaw(kube[i])
		if err != nil {
			problems = append(problems, Problem{Line: p.line, Msg: "Kubernetes cannot read the document: " + err.Error(), Hint: HintSyntax, Unreadable: true})
			return docs, problems
		}
		doc := Doc{Value: v, Node: node, Line: p.line}
		docs = append(docs, doc)
		if pr, ok := compare(doc); !ok {
			problems = append(problems, pr)
		}
		if more != nil {
			problems = append(problems, Problem{Line: more.Line, Column: more.Column, Msg: "Kubernetes ignores this YAML document: it follows a document end marker (...) without a --- line", Hint: "start each document with a --- line", Unreadable: true})
		}
	}
	switch {
	case splitErr != nil:
		problems = append(problems, Problem{Line: splitErr.line, Msg: "the file is not valid YAML as Kubernetes reads it: " + splitErr.msg, Hint: HintSyntax, Unreadable: true})
	case kubeErr != nil:
		line := 0
		if n := len(kube); n < len(parts) {
			line = parts[n].line
		}
		problems = append(problems, Problem{Line: kubeLine(kubeErr, line), Msg: "the file is not valid YAML as Kubernetes reads it: " + trimKube(kubeErr), Hint: HintSyntax, Unreadable: true})
	case len(kube) != len(parts):
		line := 0
		if n := min(len(kube), len(parts)); n < len(parts) {
			line = parts[n].line
		}
		problems = append(problems, Problem{Line: line, Msg: fmt.Sprintf("Kubernetes reads %d documents in this file where a YAML 1.2 reader finds %d", len(kube), len(parts)), Hint: "write one YAML document per --- line, or one JSON object", Unreadable: true})
	}
	return docs, problems
}

// part is a stretch of a file that one document is read from.
type part struct {
	data []byte
	line int // its first line
}

type splitError struct {
	line int
	msg  string
}

// split cuts a manifest file where apimachinery's decoder does: at every
// line that starts with ---, or between the JSON objects of a file that
// starts with {. It mirrors YAMLReader and YAMLOrJSONDecoder in
// k8s.io/apimachinery/pkg/util/yaml; readStream checks that the two agree
// on the number of documents.
func split(data []byte) ([]part, *splitError) {
	peek := data[:min(len(data), 4096)]
	if !bytes.HasPrefix(bytes.TrimLeftFunc(peek, unicode.IsSpace), []byte("{")) {
		return splitYAML(data, 1)
	}
	var parts []part
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		start := int(dec.InputOffset())
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return parts, nil
		}
		if err != nil {
			if len(parts) > 1 {
				return parts, &splitError{line: lineAt(data, start), msg: "a JSON object does not parse"}
			}
			// Like the decoder: the rest is read as YAML, from after the
			// first object and the end of its line.
			rest := 0
			if len(parts) == 1 {
				rest = skipLine(data, start)
			}
			more, serr := splitYAML(data[rest:], lineAt(data, rest))
			return append(parts, more...), serr
		}
		end := int(dec.InputOffset())
		start += len(data[start:end]) - len(bytes.TrimLeftFunc(data[start:end], unicode.IsSpace))
		parts = append(parts, part{data: data[start:end], line: lineAt(data, start)})
	}
}

// skipLine returns the offset after the whitespace at off, up to and
// including the first line break, as the decoder skips it.
func skipLine(data []byte, off int) int {
	for off < len(data) {
		c := data[off]
		if !unicode.IsSpace(rune(c)) {
			return off
		}
		off++
		if c == '\n' {
			return off
		}
	}
	return off
}

// splitYAML cuts YAML at separator lines, as YAMLReader does: a line that
// starts with --- and holds nothing else but spaces or a comment.
func splitYAML(data []byte, first int) ([]part, *splitError) {
	var parts []part
	start, startLine := -1, 0
	off, line := 0, first
	for off < len(data) {
		end := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		text := data[off:]
		if end >= 0 {
			next = off + end + 1
			text = data[off : off+end]
		}
		text = bytes.TrimSuffix(text, []byte("\r"))
		if bytes.HasPrefix(text, []byte("---")) {
			rest := strings.TrimSpace(string(text[3:]))
			if rest != "" && rest[0] != '#' {
				return parts, &splitError{line: line, msg: "invalid document separator: " + rest}
			}
			if start >= 0 {
				parts = append(parts, part{data: data[start:off], line: startLine})
				start = -1
			}
		} else if start < 0 {
			start, startLine = off, line
		}
		off, line = next, line+1
	}
	if start >= 0 {
		parts = append(parts, part{data: data[start:], line: startLine})
	}
	return parts, nil
}

func lineAt(data []byte, off int) int { return 1 + bytes.Count(data[:off], []byte("\n")) }

// parseNode parses the first YAML document of data with yaml.v3 and moves
// its lines to where data starts in the file. more is the start of a
// second document, which the Kubernetes readers do not read.
func parseNode(data []byte, line int) (node, more *yaml.Node, err error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var n yaml.Node
	if err := dec.Decode(&n); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	shift(&n, line-1)
	var m yaml.Node
	if err := dec.Decode(&m); err == nil {
		shift(&m, line-1)
		more = &m
	} else if !errors.Is(err, io.EOF) {
		return nil, nil, err
	}
	return &n, more, nil
}

func shift(n *yaml.Node, by int) {
	if by == 0 {
		return
	}
	n.Line += by
	for _, c := range n.Content {
		shift(c, by)
	}
}

// readJSON reads a .json manifest as ArgoCD does: one JSON object.
func readJSON(data []byte) ([]Doc, []Problem) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		line := 0
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line = lineAt(data, int(min(se.Offset, int64(len(data)))))
		}
		return nil, []Problem{{Line: line, Msg: "the file is not valid JSON: " + strings.TrimPrefix(err.Error(), "json: "), Hint: "fix the JSON syntax", Unreadable: true}}
	}
	if dec.More() {
		off := int(dec.InputOffset())
		return nil, []Problem{{Line: lineAt(data, off), Msg: "the file holds several JSON values; ArgoCD reads a .json manifest only when it holds one object", Hint: "keep one object per .json file", Unreadable: true}}
	}
	doc := Doc{Value: v, Line: 1}
	var problems []Problem
	// Positions: JSON is YAML. Where yaml.v3 cannot read it (a key
	// given twice), what ArgoCD reads is still certain; it is flagged, as
	// a reviewer reading the file would see two values.
	node, _, err := parseNode(data, 1)
	if err != nil {
		problems = append(problems, syntaxProblem(err, 1))
	} else {
		doc.Node = node
		if pr, ok := compare(doc); !ok {
			problems = append(problems, pr)
		}
	}
	return []Doc{doc}, problems
}

// readValues reads a values file as Helm does (sigs.k8s.io/yaml.Unmarshal
// of the file, which reads its first document).
func readValues(data []byte) ([]Doc, []Problem) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var n yaml.Node
	err := dec.Decode(&n)
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil {
		return nil, []Problem{syntaxProblem(err, 1)}
	}
	var problems []Problem
	var m yaml.Node
	switch err := dec.Decode(&m); {
	case err == nil:
		problems = append(problems, Problem{Line: m.Line, Column: m.Column, Msg: "the file holds several YAML documents; Helm reads only the first, and so does dorgu-gen", Hint: "keep one document per file: move the others to files of their own"})
	case !errors.Is(err, io.EOF):
		return nil, append(problems, syntaxProblem(err, 1))
	}
	raw, err := sigsyaml.YAMLToJSON(data)
	if err != nil {
		return nil, append(problems, Problem{Line: kubeLine(err, 1), Msg: "Helm cannot read the file: " + trimKube(err), Hint: HintSyntax, Unreadable: true})
	}
	v, err := decodeRaw(raw)
	if err != nil {
		return nil, append(problems, Problem{Msg: "Helm cannot read the file: " + err.Error(), Hint: HintSyntax, Unreadable: true})
	}
	doc := Doc{Value: v, Node: &n, Line: 1}
	if pr, ok := compare(doc); !ok {
		problems = append(problems, pr)
	}
	return []Doc{doc}, problems
}

// decodeRaw decodes one document's JSON with its numbers as written.
func decodeRaw(raw json.RawMessage) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// yamlLine finds the line in go-yaml's error messages ("yaml: line 7: ...").
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// syntaxProblem is a yaml.v3 error, at its line in the file.
func syntaxProblem(err error, first int) Problem {
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msgs = te.Errors
	}
	m := yamlLine.FindStringSubmatch(msgs[0])
	if m == nil {
		return Problem{Msg: "the file is not valid YAML: " + strings.TrimPrefix(msgs[0], "yaml: "), Hint: HintSyntax, Unreadable: true}
	}
	line, _ := strconv.Atoi(m[1])
	return Problem{Line: line + first - 1, Msg: "the file is not valid YAML: " + m[2], Hint: HintSyntax, Unreadable: true}
}

var kubeLineRE = regexp.MustCompile(`line (\d+): `)

// kubeLine returns the line a sigs.k8s.io/yaml error names, counted from
// first; first itself when it names none.
func kubeLine(err error, first int) int {
	if m := kubeLineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return max(first, 1) + n - 1
	}
	return first
}

// trimKube drops the wrapping of sigs.k8s.io/yaml's errors and the line,
// which the Problem carries.
func trimKube(err error) string {
	s := err.Error()
	for _, p := range []string{"error converting YAML to JSON: ", "yaml: "} {
		s = strings.TrimPrefix(s, p)
	}
	return kubeLineRE.ReplaceAllString(s, "")
}

// compare checks that yaml.v3 reads the document as Kubernetes does.
func compare(doc Doc) (Problem, bool) {
	if doc.Node == nil {
		if doc.Value == nil {
			return Problem{}, true
		}
		return Problem{Line: doc.Line, Msg: "Kubernetes reads a document here that a YAML 1.2 reader finds empty", Hint: HintAmbiguous, Unreadable: true}, false
	}
	mine, err := Value(doc.Node)
	if err != nil {
		return syntaxProblem(err, 1), false
	}
	path, ok := Equal(doc.Value, mine)
	if ok {
		return Problem{}, true
	}
	line, col := Position(doc.Node, path)
	if line == 0 {
		line = doc.Line
	}
	where := "the document"
	if len(path) > 0 {
		where = Dotted(path)
	}
	return Problem{
		Line: line, Column: col,
		Msg:        fmt.Sprintf("YAML readers disagree on this file: at %s, Kubernetes, ArgoCD and Helm (sigs.k8s.io/yaml, YAML 1.1) read %s, a YAML 1.2 reader (and dorgu-gen's positions) %s", where, show(doc.Value, path), show(mine, path)),
		Hint:       HintAmbiguous,
		Unreadable: true,
	}, false
}

// Equal compares two documents in JSON's types as a consumer of them
// sees them: numbers by the value Kubernetes decodes (an int64 when the
// text is one, else a float64). It returns the path of the first
// difference.
func Equal(a, b any) ([]any, bool) { return EqualFunc(a, b, SameNumber) }

// EqualFunc is Equal with numbers compared by same.
func EqualFunc(a, b any, same func(a, b json.Number) bool) ([]any, bool) {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return nil, false
		}
		// A key that b has comes first: b is what positions are found
		// in, so the difference gets a line.
		for _, k := range sortedKeys(x, y) {
			xv, xok := x[k]
			yv, yok := y[k]
			if !yok {
				continue
			}
			if !xok {
				return []any{k}, false
			}
			if p, ok := EqualFunc(xv, yv, same); !ok {
				return append([]any{k}, p...), false
			}
		}
		for _, k := range sortedKeys(x, y) {
			if _, yok := y[k]; !yok {
				return []any{k}, false
			}
		}
		return nil, true
	case []any:
		y, ok := b.([]any)
		if !ok {
			return nil, false
		}
		for i := range max(len(x), len(y)) {
			if i >= len(x) || i >= len(y) {
				return []any{i}, false
			}
			if p, ok := EqualFunc(x[i], y[i], same); !ok {
				return append([]any{i}, p...), false
			}
		}
		return nil, true
	case json.Number:
		y, ok := b.(json.Number)
		return nil, ok && same(x, y)
	default:
		return nil, a == b
	}
}

// SameNumber reports whether two JSON numbers decode to the same value in
// Kubernetes (apimachinery's ConvertInterfaceNumbers): an int64 when the
// text is an integer that fits, else a float64. An int64 and a float64
// are the same when they are the same number.
func SameNumber(a, b json.Number) bool {
	av, aok := value(a)
	bv, bok := value(b)
	if !aok || !bok {
		return a == b
	}
	return av.Cmp(bv) == 0
}

// Deployed reports whether got, a number as Kubernetes decodes it, is the
// number want says: exactly its decimal value, or what Kubernetes decodes
// of want itself (for a number no int64 or float64 holds exactly).
func Deployed(want, got json.Number) bool {
	if r, ok := exact(want); ok {
		if g, ok := value(got); ok {
			if gr, _ := g.Rat(nil); gr != nil && gr.Cmp(r) == 0 {
				return true
			}
		}
	}
	return SameNumber(want, got)
}

// exact is the decimal value of a JSON number; false for an exponent so
// large that the value would take more memory than any config needs.
func exact(n json.Number) (*big.Rat, bool) {
	s := string(n)
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		if e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+")); err != nil || e > 400 || e < -400 {
			return nil, false
		}
	}
	return new(big.Rat).SetString(s)
}

// Whole returns a JSON number written as a decimal (1.0, 1e3) whose value
// is a whole number that fits an int.
func Whole(n json.Number) (int, bool) {
	r, ok := exact(n)
	if !ok || !r.IsInt() || !r.Num().IsInt64() {
		return 0, false
	}
	return int(r.Num().Int64()), true
}

// value is the number Kubernetes decodes, exactly; false when it decodes
// none (out of float64's range).
func value(n json.Number) (*big.Float, bool) {
	if i, err := n.Int64(); err == nil {
		return new(big.Float).SetInt64(i), true
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) {
		return nil, false
	}
	return new(big.Float).SetFloat64(f), true
}

func sortedKeys(x, y map[string]any) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []map[string]any{x, y} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sortStrings(out)
	return out
}

// show prints the value at path inside v for a message: "nothing" when
// there is none.
func show(v any, path []any) string {
	for _, seg := range path {
		switch x := v.(type) {
		case map[string]any:
			k, _ := seg.(string)
			e, ok := x[k]
			if !ok {
				return "nothing"
			}
			v = e
		case []any:
			i, _ := seg.(int)
			if i >= len(x) {
				return "nothing"
			}
			v = x[i]
		default:
			return "nothing"
		}
	}
	return short(v)
}

// short prints a value for a message, cut to a readable length.
func short(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if s := string(b); len(s) > 60 {
		return s[:57] + "..."
	}
	return string(b)
}

// Dotted prints a field path as a.b[0].c.
func Dotted(path []any) string {
	var b strings.Builder
	for _, seg := range path {
		switch s := seg.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		default:
			fmt.Fprintf(&b, "[%v]", s)
		}
	}
	return b.String()
}
