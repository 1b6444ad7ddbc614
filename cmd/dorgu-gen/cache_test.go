package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdCacheEntries prints how many entries a cache directory holds:
// `cacheentries DIR`.
func cmdCacheEntries(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: cacheentries DIR")
	}
	n := 0
	for _, p := range cacheFiles(ts, args[0]) {
		if strings.HasSuffix(p, "-d") {
			n++
		}
	}
	fmt.Fprintf(ts.Stdout(), "entries: %d\n", n)
}

// cmdScramble overwrites every cache entry under DIR with the same number
// of other bytes, as a disk error or a foreign writer would:
// `scramble DIR`.
func cmdScramble(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: scramble DIR")
	}
	for _, p := range cacheFiles(ts, args[0]) {
		if !strings.HasSuffix(p, "-d") {
			continue
		}
		data, err := os.ReadFile(p)
		ts.Check(err)
		for i := range data {
			data[i] = 'z'
		}
		ts.Check(os.WriteFile(p, data, 0o600))
	}
}

func cacheFiles(ts *testscript.TestScript, dir string) []string {
	var out []string
	err := filepath.WalkDir(ts.MkAbs(dir), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			out = append(out, p)
		}
		return err
	})
	ts.Check(err)
	return out
}
