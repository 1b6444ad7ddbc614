package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/dorgu/dorgu-gen/internal/charts/chartstest"
)

// chartRepos are the Helm repositories a script started, by the name of
// the variable that holds their URL. Each script runs in its own
// goroutine with its own values, so the map lives in the script's values.
type chartRepos map[string]*chartstest.Server

type reposKey struct{}

// noNetwork is a proxy that nothing listens on.
const noNetwork = "http://127.0.0.1:1"

func reposOf(ts *testscript.TestScript) chartRepos {
	r, _ := ts.Value(reposKey{}).(chartRepos)
	if r == nil {
		ts.Fatalf("chartrepo: no repository started (the script's setup did not run)")
	}
	return r
}

// cmdChartRepo runs a Helm repository on a loopback port for the script:
//
//	chartrepo serve [-prefix /path] VAR DIR
//	    package every chart folder in DIR (with fixed modification times,
//	    so the same files give the same digest), serve them with an
//	    index.yaml at $VAR (plus the prefix), and set DIGEST_<chart>_<version>
//	    (non-alphanumerics as _) to each archive's sha256: digest
//	chartrepo hits VAR
//	    print how many requests the repository answered so far
//	chartrepo set VAR PATH FILE
//	    serve the bytes of FILE at PATH from now on
func cmdChartRepo(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: chartrepo serve [-prefix /path] VAR DIR | chartrepo hits VAR | chartrepo set VAR PATH FILE")
	}
	repos := reposOf(ts)
	switch args[0] {
	case "serve":
		prefix := ""
		args = args[1:]
		if len(args) > 2 && args[0] == "-prefix" {
			prefix, args = args[1], args[2:]
		}
		if len(args) != 2 {
			ts.Fatalf("usage: chartrepo serve [-prefix /path] VAR DIR")
		}
		files := map[string][]byte{}
		var archives [][]byte
		entries, err := os.ReadDir(ts.MkAbs(args[1]))
		ts.Check(err)
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			a, err := chartstest.PackageDir(filepath.Join(ts.MkAbs(args[1]), e.Name()))
			ts.Check(err)
			name, version := chartOf(ts, a)
			files[prefix+"/"+chartstest.FileName(name, version)] = a
			archives = append(archives, a)
			ts.Setenv("DIGEST_"+envName(name+"_"+version), chartstest.Digest(a))
		}
		idx, err := chartstest.IndexOf("", archives...)
		ts.Check(err)
		files[prefix+"/index.yaml"] = idx
		srv, stop := chartstest.Start(files)
		ts.Defer(stop)
		repos[args[0]] = srv
		ts.Setenv(args[0], srv.URL+prefix)
	case "hits":
		srv := repos[args[1]]
		if srv == nil {
			ts.Fatalf("chartrepo: no repository %s", args[1])
		}
		fmt.Fprintf(ts.Stdout(), "requests: %d\n", srv.Total())
	case "set":
		if len(args) != 4 {
			ts.Fatalf("usage: chartrepo set VAR PATH FILE")
		}
		srv := repos[args[1]]
		if srv == nil {
			ts.Fatalf("chartrepo: no repository %s", args[1])
		}
		srv.Set(args[2], []byte(ts.ReadFile(args[3])))
	default:
		ts.Fatalf("chartrepo: unknown subcommand %q", args[0])
	}
}

// chartOf reads the name and version of a packaged chart.
func chartOf(ts *testscript.TestScript, archive []byte) (string, string) {
	ch, err := chartstest.Metadata(archive)
	ts.Check(err)
	return ch.Name, ch.Version
}

var nonAlnum = regexp.MustCompile(`[^A-Za-z0-9]`)

func envName(s string) string { return nonAlnum.ReplaceAllString(s, "_") }

// cmdExpandEnv replaces $VAR and ${VAR} in files with the script's
// variables, so that a config can name a repository started by the
// script: `expandenv FILE...`.
func cmdExpandEnv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: expandenv FILE...")
	}
	for _, f := range args {
		data := os.Expand(ts.ReadFile(f), ts.Getenv)
		ts.Check(os.WriteFile(ts.MkAbs(f), []byte(data), 0o644))
	}
}

// cmdCachedCharts prints the chart archives a cache holds: `cachedcharts DIR`.
func cmdCachedCharts(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: cachedcharts DIR")
	}
	entries, _ := os.ReadDir(filepath.Join(ts.MkAbs(args[0]), "charts"))
	var b bytes.Buffer
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tgz") {
			fmt.Fprintf(&b, "sha256:%s\n", strings.TrimSuffix(e.Name(), ".tgz"))
		}
	}
	fmt.Fprintf(ts.Stdout(), "%s", b.String())
}

// cmdChartRegistry runs an OCI registry on a loopback port for the script:
//
//	chartregistry serve VAR DIR
//	    package every chart folder in DIR, push each to repository
//	    "charts", set VAR to its oci:// URL, and SSL_CERT_FILE to the
//	    registry's certificate, which dorgu-gen then trusts (Go reads
//	    SSL_CERT_FILE on Linux and the BSDs, not on macOS or Windows)
func cmdChartRegistry(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 || args[0] != "serve" {
		ts.Fatalf("usage: chartregistry serve VAR DIR")
	}
	reg, stop := chartstest.StartRegistry()
	ts.Defer(stop)
	entries, err := os.ReadDir(ts.MkAbs(args[2]))
	ts.Check(err)
	var repoURL string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		a, err := chartstest.PackageDir(filepath.Join(ts.MkAbs(args[2]), e.Name()))
		ts.Check(err)
		repoURL, err = reg.PushArchive("charts", a, ts.MkAbs(".registry-credentials.json"))
		ts.Check(err)
	}
	cert := ts.MkAbs(".registry-cert.pem")
	ts.Check(os.WriteFile(cert, reg.CertPEM, 0o644))
	ts.Setenv("SSL_CERT_FILE", cert)
	ts.Setenv(args[1], repoURL)
}
