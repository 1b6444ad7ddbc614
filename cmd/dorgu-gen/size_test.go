package main

import (
	"os"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/dorgu/dorgu-gen/bench/fleet"
)

// cmdMkValues writes the configs of the size benchmarks (bench/fleet):
// `mkvalues FILE N` one component whose values map holds N keys,
// `mkvalues -list FILE N` one whose values hold a list of N items.
func cmdMkValues(ts *testscript.TestScript, neg bool, args []string) {
	list := len(args) > 0 && args[0] == "-list"
	if list {
		args = args[1:]
	}
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mkvalues [-list] FILE N")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("mkvalues: %q is not a number", args[1])
	}
	data := fleet.ValuesConfig(n)
	if list {
		data = fleet.ListConfig(n, false)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o644))
}
