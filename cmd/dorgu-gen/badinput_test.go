package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"
)

// crashRE matches what a crash leaves in stderr: a panic, a goroutine
// dump, or the file:line frames of a Go stack trace.
var crashRE = regexp.MustCompile(`(?m)panic|goroutine \d|^goroutine |\.go:\d+|runtime\.|fatal error:`)

// cmdExitCode runs a command and asserts its exact exit code, and that its
// stderr shows no panic or stack trace:
//
//	exitcode 2 dorgu-gen render --config bad.cue --out out
//
// Its stdout and stderr are then checked by stdout and stderr, as after
// exec.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exitcode")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode CODE COMMAND [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %q is not a number", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
	if m := crashRE.FindString(ts.ReadFile("stderr")); m != "" {
		ts.Fatalf("stderr shows a crash (%q)", m)
	}
}

// cmdMkBinary writes a config file with a NUL byte on its second line:
// `mkbinary FILE`.
func cmdMkBinary(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: mkbinary FILE")
	}
	data := []byte("clusters: dev: environment: \"development\"\n\x00\x01\x02\x7fELF\x00\x00\n")
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o644))
}

// cmdMkNonUTF8 writes a config file whose third line holds a Latin-1
// byte: `mknonutf8 FILE`.
func cmdMkNonUTF8(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: mknonutf8 FILE")
	}
	data := []byte("clusters: dev: {\n\tenvironment: \"development\"\n\tdomain: \"caf\xe9.example.com\"\n}\n")
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o644))
}

// cmdMkBig writes a valid config padded with comment lines to SIZE bytes:
// `mkbig FILE SIZE`.
func cmdMkBig(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mkbig FILE SIZE")
	}
	size, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("mkbig: %q is not a number", args[1])
	}
	var b bytes.Buffer
	b.WriteString("clusters: dev: environment: \"development\"\n")
	line := "// padding padding padding padding padding padding padding padding\n"
	for b.Len()+len(line) <= size {
		b.WriteString(line)
	}
	for b.Len() < size-1 {
		b.WriteByte(' ')
	}
	if b.Len() < size {
		b.WriteByte('\n')
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), b.Bytes(), 0o644))
}
