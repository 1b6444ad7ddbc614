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

	"github.com/dorgu/dorgu-gen/internal/startup"
)

func TestMain(m *testing.M) {
	// The tests run in this process too, not only the scripts' commands.
	startup.Done()
	testscript.Main(m, map[string]func(){
		"dorgu-gen": func() { os.Exit(run()) },
	})
}

// TestScripts runs the CLI scripts in testdata/script: each is one
// user-visible behaviour, as commands and the output they must give. The
// cache is off unless a script turns it on.
func TestScripts(t *testing.T) { runScripts(t, "off") }

// TestScriptsCached runs every script again with one cache that all of
// them share, concurrently: whatever a run takes from the cache, and
// whatever other scripts put there, its output must be what the script
// expects of an uncached run.
func TestScriptsCached(t *testing.T) {
	if testing.Short() {
		t.Skip("the uncached run covers the behaviour; -short leaves out the second pass")
	}
	runScripts(t, t.TempDir())
}

func runScripts(t *testing.T, cacheDir string) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			env.Setenv("DORGU_CACHE", cacheDir)
			env.Values[reposKey{}] = chartRepos{}
			// Scripts never use the network: whatever is not on the
			// loopback (never proxied) goes to a proxy that is not there.
			env.Setenv("HTTPS_PROXY", noNetwork)
			env.Setenv("HTTP_PROXY", noNetwork)
			env.Setenv("NO_PROXY", "")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"treehash":      cmdTreeHash,
			"exitcode":      cmdExitCode,
			"mkbinary":      cmdMkBinary,
			"mknonutf8":     cmdMkNonUTF8,
			"mkbig":         cmdMkBig,
			"cacheentries":  cmdCacheEntries,
			"scramble":      cmdScramble,
			"mkfifo":        cmdMkFIFO,
			"cachefifo":     cmdCacheFIFO,
			"cacheforge":    cmdCacheForge,
			"chartrepo":     cmdChartRepo,
			"chartregistry": cmdChartRegistry,
			"expandenv":     cmdExpandEnv,
			"cachedcharts":  cmdCachedCharts,
			"mkvalues":      cmdMkValues,
			"replace":       cmdReplace,
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
