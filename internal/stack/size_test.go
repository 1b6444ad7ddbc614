package stack

import (
	"fmt"
	"strings"
	"testing"

	"cuelang.org/go/cue/ast"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/parser"
)

// A struct or list past MaxFields is refused before evaluation, at the
// field or element past the limit, naming the limit.
func TestSizeLimits(t *testing.T) {
	chart := "description: \"a\", chart: {repoURL: \"https://charts.example.com\", name: \"a\", version: \"1.0.0\"}"
	keys := func(from, n int) string {
		var b strings.Builder
		for i := from; i < from+n; i++ {
			fmt.Fprintf(&b, "\t\tk%d: %d\n", i, i)
		}
		return b.String()
	}
	list := func(n int) string {
		return "[" + strings.Repeat("1, ", n) + "]"
	}
	head := "clusters: dev: environment: \"development\"\n"
	for _, tc := range []struct {
		name, src, msg string
		line           int // 0: no error
	}{
		{"struct at the limit", head + "components: a: {" + chart + "\n\tvalues: {\n" + keys(0, MaxFields) + "\t}\n}\n", "", 0},
		{"struct past the limit", head + "components: a: {" + chart + "\n\tvalues: {\n" + keys(0, MaxFields+1) + "\t}\n}\n",
			fmt.Sprintf("components.a.values: more than %d fields in one struct, the limit", MaxFields), 4 + MaxFields},
		{"declarations of one struct count together", head + "components: a: {" + chart + "\n\tvalues: {\n" + keys(0, MaxFields/2) + "\t}\n}\n" +
			"components: a: values: {\n" + keys(MaxFields/2, MaxFields/2+1) + "}\n",
			"components.a.values: more than", 4 + MaxFields/2 + 3 + MaxFields/2},
		{"a name declared twice counts once", head + "components: a: {" + chart + "\n\tvalues: {\n" + keys(0, MaxFields) + "\t}\n}\n" +
			"components: a: values: {\n" + keys(0, 10) + "}\n", "", 0},
		{"list at the limit", head + "components: a: {" + chart + "\n\tvalues: l: " + list(MaxFields) + "\n}\n", "", 0},
		{"list past the limit", head + "components: a: {" + chart + "\n\tvalues: l: " + list(MaxFields+1) + "\n}\n",
			fmt.Sprintf("components.a.values.l: a list of %d elements, more than the limit of %d elements per list", MaxFields+1, MaxFields), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkSizes(mustParse(t, tc.src))
			if tc.line == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			e := cueerrors.Errors(err)[0]
			if !strings.Contains(e.Error(), tc.msg) || e.Position().Line() != tc.line {
				t.Fatalf("%v at %v, want %q at line %d", e, e.Position(), tc.msg, tc.line)
			}
		})
	}
}

func mustParse(t *testing.T, src string) []*ast.File {
	t.Helper()
	f, err := parser.ParseFile("dorgu.cue", src)
	if err != nil {
		t.Fatal(err)
	}
	return []*ast.File{f}
}
