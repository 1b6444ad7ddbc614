package chartlock

import (
	"bytes"
	"testing"
)

// FuzzParse: a lock file is a pull request's input. Parsing never panics,
// and a lock that parses encodes to bytes that parse back to the same lock.
func FuzzParse(f *testing.F) {
	good, _ := New([]Entry{
		{RepoURL: "https://charts.jetstack.io", Chart: "cert-manager", Version: "v1.21.1", Digest: d1},
		{RepoURL: "oci://ghcr.io/acme", Chart: "app", Version: "1.0", Digest: d2},
	})
	f.Add(good.Marshal())
	f.Add([]byte("version: 1\ncharts: []\n"))
	f.Add([]byte("version: 1\ncharts:\n  - {repoURL: x, chart: y, version: z, digest: " + d1 + "}\n"))
	f.Add([]byte("version: 1\ncharts:\n  - &a {repoURL: x, chart: y, version: z, digest: " + d1 + "}\n  - *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse("dorgu.lock", data)
		if err != nil {
			return
		}
		enc := l.Marshal()
		back, err := Parse("dorgu.lock", enc)
		if err != nil {
			t.Fatalf("a parsed lock encodes to one that does not parse: %v\n%s", err, enc)
		}
		if !bytes.Equal(back.Marshal(), enc) {
			t.Fatalf("not stable:\n%s\n---\n%s", enc, back.Marshal())
		}
		if len(back.Entries) != len(l.Entries) {
			t.Fatalf("%d entries became %d", len(l.Entries), len(back.Entries))
		}
	})
}
