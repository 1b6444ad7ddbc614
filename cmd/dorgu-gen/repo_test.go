package main

import (
	"os"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdReplace replaces every occurrence of a string in a file, as a hand
// edit would: `replace OLD NEW FILE`. It fails when OLD is not there, so
// that a script never checks an edit that did not happen.
func cmdReplace(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: replace OLD NEW FILE")
	}
	p := ts.MkAbs(args[2])
	data, err := os.ReadFile(p)
	ts.Check(err)
	if !strings.Contains(string(data), args[0]) {
		ts.Fatalf("replace: %s does not contain %q", args[2], args[0])
	}
	ts.Check(os.WriteFile(p, []byte(strings.ReplaceAll(string(data), args[0], args[1])), 0o644))
}
