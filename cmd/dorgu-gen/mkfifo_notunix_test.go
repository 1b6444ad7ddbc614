//go:build !unix

package main

import "github.com/rogpeppe/go-internal/testscript"

// cmdMkFIFO: there are no FIFOs to make here.
func cmdMkFIFO(ts *testscript.TestScript, neg bool, args []string) {
	ts.Skip("no FIFOs on this system")
}
