package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"dorgu-gen": func() { os.Exit(run()) },
	})
}

// TestScripts runs the CLI scripts in testdata/script: each is one
// user-visible behaviour, as commands and the output they must give.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"treehash":  cmdTreeHash,
			"exitcode":  cmdExitCode,
			"mkbinary":  cmdMkBinary,
			"mknonutf8": cmdMkNonUTF8,
			"mkbig":     cmdMkBig,
		},
	})
}

// cmdTreeHash records or compares a hash of every file under a directory:
// `treehash save DIR NAME` then `treehash check DIR NAME` proves that a
// failing command left the tree byte-for-byte as it was, modification
// times included.
func cmdTreeHash(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 || (args[0] != "save" && args[0] != "check") {
		ts.Fatalf("usage: treehash save|check DIR NAME")
	}
	sum := treeHash(ts, ts.MkAbs(args[1]))
	key := "TREEHASH_" + args[2]
	if args[0] == "save" {
		ts.Setenv(key, sum)
		return
	}
	same := ts.Getenv(key) == sum
	if same == neg {
		if neg {
			ts.Fatalf("tree %s did not change", args[1])
		}
		ts.Fatalf("tree %s changed", args[1])
	}
}

func treeHash(ts *testscript.TestScript, dir string) string {
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		line := fmt.Sprintf("%s %v %d", rel, info.Mode(), info.ModTime().UnixNano())
		if d.Type().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h := sha256.Sum256(data)
			line += " " + hex.EncodeToString(h[:])
		}
		lines = append(lines, line)
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		ts.Fatalf("treehash: %v", err)
	}
	sort.Strings(lines)
	var b bytes.Buffer
	b.WriteString(strings.Join(lines, "\n"))
	h := sha256.Sum256(b.Bytes())
	return hex.EncodeToString(h[:])
}
