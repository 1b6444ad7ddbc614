package chartlock

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	d1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	d2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

func TestMarshalIsSortedAndDeterministic(t *testing.T) {
	a := Entry{RepoURL: "https://charts.jetstack.io", Chart: "cert-manager", Version: "v1.21.1", Digest: d1}
	b := Entry{RepoURL: "oci://ghcr.io/acme/charts", Chart: "app", Version: "1.0", Digest: d2}
	c := Entry{RepoURL: "https://charts.jetstack.io", Chart: "cert-manager", Version: "v1.20.3", Digest: d2}
	l1, err := New([]Entry{a, b, c})
	if err != nil {
		t.Fatal(err)
	}
	l2, err := New([]Entry{c, b, a})
	if err != nil {
		t.Fatal(err)
	}
	got := string(l1.Marshal())
	if got != string(l2.Marshal()) {
		t.Fatalf("the order of the entries changed the lock:\n%s\n---\n%s", got, l2.Marshal())
	}
	want := header + `version: 1
charts:
  - repoURL: https://charts.jetstack.io
    chart: cert-manager
    version: v1.20.3
    digest: ` + d2 + `
  - repoURL: https://charts.jetstack.io
    chart: cert-manager
    version: v1.21.1
    digest: ` + d1 + `
  - repoURL: oci://ghcr.io/acme/charts
    chart: app
    version: "1.0"
    digest: ` + d2 + `
`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	back, err := Parse("dorgu.lock", []byte(got))
	if err != nil {
		t.Fatal(err)
	}
	if string(back.Marshal()) != got {
		t.Fatalf("a lock read back encodes differently:\n%s", back.Marshal())
	}
	if e, ok := back.Find("oci://ghcr.io/acme/charts", "app", "1.0"); !ok || e.Digest != d2 {
		t.Fatalf("Find: %v %v", e, ok)
	}
	if _, ok := back.Find("oci://ghcr.io/acme/charts", "app", "1.0.0"); ok {
		t.Fatal("Find matched another version")
	}
}

func TestNewRefusesTwoDigestsForOneVersion(t *testing.T) {
	a := Entry{RepoURL: "https://r", Chart: "x", Version: "1", Digest: d1}
	b := a
	b.Digest = d2
	if _, err := New([]Entry{a, b}); err == nil {
		t.Fatal("no error")
	}
}

func TestEmptyLock(t *testing.T) {
	l, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	data := l.Marshal()
	if !strings.HasSuffix(string(data), "version: 1\ncharts: []\n") {
		t.Fatalf("%s", data)
	}
	back, err := Parse("dorgu.lock", data)
	if err != nil || len(back.Entries) != 0 {
		t.Fatalf("%v %v", back, err)
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	good := "  - repoURL: https://r\n    chart: x\n    version: \"1\"\n    digest: " + d1 + "\n"
	for _, tc := range []struct {
		name, data, want string
	}{
		{"syntax", "version: 1\ncharts:\n  - [\n", "dorgu.lock:3: not a lock file: did not find expected node content"},
		{"not a mapping", "- a\n", "dorgu.lock:1: not a lock file"},
		{"no version", "charts: []\n", "no version: field"},
		{"future version", "version: 2\ncharts: []\n", "dorgu.lock:1: lock format version 2"},
		{"unknown top-level", "version: 1\nchart: []\n", "dorgu.lock:2: unknown field \"chart\""},
		{"charts not a list", "version: 1\ncharts: x\n", "dorgu.lock:2: charts: expected a list"},
		{"bad digest", "version: 1\ncharts:\n  - repoURL: https://r\n    chart: x\n    version: \"1\"\n    digest: md5:abc\n", "dorgu.lock:6: digest \"md5:abc\""},
		{"upper-case digest", "version: 1\ncharts:\n" + strings.Replace(good, d1, "sha256:"+strings.Repeat("AB", 32), 1), "dorgu.lock:6: digest"},
		{"missing field", "version: 1\ncharts:\n  - repoURL: https://r\n    chart: x\n    digest: " + d1 + "\n", "dorgu.lock:3: a chart entry without version"},
		{"unknown field", "version: 1\ncharts:\n" + good + "    extra: 1\n", "dorgu.lock:7: unknown field \"extra\""},
		{"not a string", "version: 1\ncharts:\n  - repoURL: https://r\n    chart: [x]\n    version: \"1\"\n    digest: " + d1 + "\n", "dorgu.lock:4: chart: expected a string"},
		{"empty chart", "version: 1\ncharts:\n  - repoURL: https://r\n    chart: \"\"\n    version: \"1\"\n    digest: " + d1 + "\n", "dorgu.lock:4: chart: empty"},
		{"duplicate", "version: 1\ncharts:\n" + good + strings.Replace(good, d1, d2, 1), "dorgu.lock:7: chart x 1 from https://r is already locked at line 3"},
		{"twice", "version: 1\nversion: 1\n", "dorgu.lock:2: version is set twice"},
		{"empty", "", "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("dorgu.lock", []byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			var le *Error
			if !errors.As(err, &le) {
				t.Fatalf("%T is not an *Error", err)
			}
		})
	}
}

func TestParseAcceptsAnyOrder(t *testing.T) {
	data := "version: 1\ncharts:\n  - repoURL: https://z\n    chart: x\n    version: \"1\"\n    digest: " + d1 + "\n  - repoURL: https://a\n    chart: x\n    version: \"1\"\n    digest: " + d2 + "\n"
	l, err := Parse("dorgu.lock", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if l.Entries[0].RepoURL != "https://a" {
		t.Fatalf("not sorted: %v", l.Entries)
	}
}

func TestReadMissingIsNoLock(t *testing.T) {
	l, err := Read(filepath.Join(t.TempDir(), FileName))
	if l != nil || err != nil {
		t.Fatalf("%v %v", l, err)
	}
}

func TestReadRefusesALinkAndAFIFO(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere")
	if err := os.WriteFile(target, []byte("version: 1\ncharts: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, FileName)
	if err := os.Symlink(target, link); err != nil {
		t.Skip(err)
	}
	if _, err := Read(link); err == nil {
		t.Fatal("a lock that is a symbolic link was read")
	}
}

func TestWriteOnlyWhenChanged(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, FileName)
	l, _ := New([]Entry{{RepoURL: "https://r", Chart: "x", Version: "1", Digest: d1}})
	wrote, err := Write(p, l)
	if err != nil || !wrote {
		t.Fatalf("first write: %v %v", wrote, err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	wrote, err = Write(p, l)
	if err != nil || wrote {
		t.Fatalf("unchanged write: %v %v", wrote, err)
	}
	info, _ := os.Stat(p)
	if !info.ModTime().Equal(old) {
		t.Fatal("an unchanged lock was rewritten")
	}
	l2, _ := New([]Entry{{RepoURL: "https://r", Chart: "x", Version: "1", Digest: d2}})
	if wrote, err := Write(p, l2); err != nil || !wrote {
		t.Fatalf("changed write: %v %v", wrote, err)
	}
	back, err := Read(p)
	if err != nil || back.Entries[0].Digest != d2 {
		t.Fatalf("%v %v", back, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
	if info, _ := os.Stat(p); info.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v", info.Mode())
	}
}

func TestOddStringsRoundTrip(t *testing.T) {
	for _, s := range []string{"1.0", "yes", "null", "a: b", "#x", "multi\nline", "tab\there", "quote\"s", " lead", "ünï", "\x00"} {
		l, err := New([]Entry{{RepoURL: "https://r", Chart: "c", Version: s, Digest: d1}})
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse("dorgu.lock", l.Marshal())
		if err != nil {
			t.Fatalf("%q: %v\n%s", s, err, l.Marshal())
		}
		if back.Entries[0].Version != s {
			t.Fatalf("%q read back as %q", s, back.Entries[0].Version)
		}
	}
}
