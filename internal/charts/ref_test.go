package charts

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

// TestMain keeps the tests off the network: a request to anything but the
// loopback (which is never proxied) goes to a proxy that is not there.
func TestMain(m *testing.M) {
	os.Setenv("HTTPS_PROXY", "http://127.0.0.1:1")
	os.Setenv("HTTP_PROXY", "http://127.0.0.1:1")
	os.Unsetenv("NO_PROXY")
	os.Exit(m.Run())
}

func TestRefsOfAStack(t *testing.T) {
	cfg, err := config.Load(config.Options{Dir: t.TempDir(), Path: "", Clusters: nil})
	if err != nil {
		t.Fatal(err)
	}
	cfg.CUE = append(cfg.CUE, config.Source{Name: "extra.cue", Data: []byte(`package dorgu
clusters: prod: {environment: "production", acmeEmail: "platform@acme.io", components: "cert-manager": version: "v1.20.3"}
chartMirrors: "https://charts.jetstack.io": "https://mirror.acme.io/jetstack"
`)})
	s, err := stack.Evaluate(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	refs := Refs(s)
	var certManager []string
	for _, r := range refs {
		if r.Chart == "cert-manager" {
			certManager = append(certManager, r.Version)
		}
	}
	if !slices.Equal(certManager, []string{"v1.20.3", "v1.21.1"}) {
		t.Fatalf("cert-manager versions %v: want the two clusters' versions, once each", certManager)
	}
	if len(refs) != 7 || !slices.IsSortedFunc(refs, compareRefs) {
		t.Fatalf("refs %v: want 7, sorted", refs)
	}
	if s.ChartMirrors["https://charts.jetstack.io"] != "https://mirror.acme.io/jetstack" {
		t.Fatalf("mirrors %v", s.ChartMirrors)
	}
}

func TestMirrorRewrite(t *testing.T) {
	m := Mirrors{
		"https://charts.acme.io":        "https://mirror.acme.io/all/",
		"https://charts.acme.io/stable": "https://mirror.acme.io/stable",
		"oci://ghcr.io/acme":            "oci://registry.acme.io/ghcr/acme",
	}
	for _, tc := range []struct{ in, want, from string }{
		{"https://charts.acme.io", "https://mirror.acme.io/all", "https://charts.acme.io"},
		{"https://charts.acme.io/", "https://mirror.acme.io/all", "https://charts.acme.io"},
		{"https://charts.acme.io/x", "https://mirror.acme.io/all/x", "https://charts.acme.io"},
		{"https://charts.acme.io/stable/y", "https://mirror.acme.io/stable/y", "https://charts.acme.io/stable"},
		{"https://charts.acme.io.evil.com", "https://charts.acme.io.evil.com", ""},
		{"https://charts.acme.iox", "https://charts.acme.iox", ""},
		{"oci://ghcr.io/acme/charts", "oci://registry.acme.io/ghcr/acme/charts", "oci://ghcr.io/acme"},
		{"oci://ghcr.io/acmex", "oci://ghcr.io/acmex", ""},
	} {
		got, from := m.rewrite(tc.in)
		if got != tc.want || from != tc.from {
			t.Errorf("%s: got %s (%s), want %s (%s)", tc.in, got, from, tc.want, tc.from)
		}
	}
}

func TestParseMirror(t *testing.T) {
	from, to, err := ParseMirror("https://charts.jetstack.io=https://artifactory.acme.io/jetstack")
	if err != nil || from != "https://charts.jetstack.io" || to != "https://artifactory.acme.io/jetstack" {
		t.Fatalf("%s %s %v", from, to, err)
	}
	for _, bad := range []string{"https://a", "https://a=", "=https://b", "ftp://a=https://b", "https://a=file:///x", "https://a=https://b?x=1"} {
		if _, _, err := ParseMirror(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	merged := Mirrors{"https://a": "https://1", "https://b": "https://2"}.Merge(Mirrors{"https://a": "https://3"})
	if merged["https://a"] != "https://3" || merged["https://b"] != "https://2" {
		t.Fatalf("%v", merged)
	}
}
