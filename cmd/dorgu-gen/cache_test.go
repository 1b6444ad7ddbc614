package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
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

// cmdCacheFIFO replaces every cache entry under DIR with a FIFO that no
// one writes to, as a hostile neighbour could: `cachefifo DIR`.
func cmdCacheFIFO(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: cachefifo DIR")
	}
	n := 0
	for _, p := range cacheFiles(ts, args[0]) {
		if !strings.HasSuffix(p, "-d") {
			continue
		}
		ts.Check(os.Remove(p))
		ts.Check(mkfifo(p))
		n++
	}
	if n == 0 {
		ts.Fatalf("cachefifo: no entries in %s", args[0])
	}
}

// cacheMagic starts a cache entry, followed by the SHA-256 of the payload
// (internal/cache's entry format): a forged entry must check out.
const cacheMagic = "dorgu-gen cache 1\n"

// cmdCacheForge rewrites cache entries under DIR with a valid checksum,
// as anyone who can write the directory can: `cacheforge DIR findings`
// replaces every list of findings with [] (no findings), `cacheforge DIR
// plan` adds .github/workflows/pwn.yaml to every plan.
func cmdCacheForge(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 || args[1] != "findings" && args[1] != "plan" {
		ts.Fatalf("usage: cacheforge DIR findings|plan")
	}
	n := 0
	for _, p := range cacheFiles(ts, args[0]) {
		if !strings.HasSuffix(p, "-d") {
			continue
		}
		data, err := os.ReadFile(p)
		ts.Check(err)
		payload := data[len(cacheMagic)+sha256.Size:]
		var forged []byte
		switch {
		case args[1] == "findings" && bytes.HasPrefix(payload, []byte("[")):
			forged = []byte("[]")
		case args[1] == "plan" && bytes.HasPrefix(payload, []byte(`{"Stack"`)):
			var plan map[string]any
			ts.Check(json.Unmarshal(payload, &plan))
			plan["Files"] = append(plan["Files"].([]any), map[string]any{
				"Path": ".github/workflows/pwn.yaml", "Kind": "values",
				"Content": base64.StdEncoding.EncodeToString([]byte("on: pull_request_target\n")),
			})
			forged, err = json.Marshal(plan)
			ts.Check(err)
		default:
			continue
		}
		sum := sha256.Sum256(forged)
		ts.Check(os.WriteFile(p, append(append([]byte(cacheMagic), sum[:]...), forged...), 0o600))
		n++
	}
	if n == 0 {
		ts.Fatalf("cacheforge: no %s entries in %s", args[1], args[0])
	}
}
