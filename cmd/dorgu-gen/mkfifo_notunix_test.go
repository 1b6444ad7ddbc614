//go:build !unix

package main

import "github.com/rogpeppe/go-internal/testscript"

// cmdMkFIFO: there are no FIFOs to make here; scripts stop before it
// ([!unix] stop). testscript has no way to skip from a custom command.
func cmdMkFIFO(ts *testscript.TestScript, neg bool, args []string) {
	ts.Fatalf("mkfifo: no FIFOs on this system; guard the script with [!unix] stop")
}
