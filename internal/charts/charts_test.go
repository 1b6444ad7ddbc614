package charts

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/chart"

	"github.com/dorgu/dorgu-gen/internal/chartlock"
	"github.com/dorgu/dorgu-gen/internal/charts/chartstest"
)

var (
	demoDir  = filepath.Join("testdata", "charts", "demo")
	otherDir = filepath.Join("testdata", "charts", "other")
)

func demoRef(repoURL string) Ref { return Ref{RepoURL: repoURL, Chart: "demo", Version: "1.2.3"} }

func newClient(t testing.TB, o Options) *Client {
	t.Helper()
	if o.RegistryConfig == "" {
		o.RegistryConfig = filepath.Join(t.TempDir(), "registry.json")
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func pull(t testing.TB, c *Client, old *chartlock.Lock, refs ...Ref) *PullResult {
	t.Helper()
	res, err := c.Pull(context.Background(), old, refs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestPullFromAnHTTPRepositoryThenFromTheCache(t *testing.T) {
	srv, archives := chartstest.Repo(t, "", demoDir, otherDir)
	dir := t.TempDir()
	c := newClient(t, Options{Dir: dir})
	refs := []Ref{demoRef(srv.URL), {RepoURL: srv.URL, Chart: "other", Version: "0.1.0"}}
	res := pull(t, c, nil, refs...)
	want := []chartlock.Entry{refs[0].Entry(chartstest.Digest(archives[0])), refs[1].Entry(chartstest.Digest(archives[1]))}
	if len(res.Lock.Entries) != 2 || res.Lock.Entries[0] != want[0] || res.Lock.Entries[1] != want[1] {
		t.Fatalf("lock %v, want %v", res.Lock.Entries, want)
	}
	for _, p := range res.Charts {
		if !p.Downloaded || !p.New || p.Unverified {
			t.Errorf("%+v: want downloaded, new and verified", p)
		}
	}
	if n := srv.Hits("/index.yaml"); n != 1 {
		t.Errorf("the index was downloaded %d times for two charts of one repository", n)
	}
	for _, a := range archives {
		data, err := os.ReadFile(filepath.Join(dir, strings.TrimPrefix(chartstest.Digest(a), "sha256:")+".tgz"))
		if err != nil || !bytes.Equal(data, a) {
			t.Fatalf("the cache does not hold the archive: %v", err)
		}
	}

	// A second pull with the lock needs no network at all.
	srv.Forbid(t)
	c2 := newClient(t, Options{Dir: dir})
	res2 := pull(t, c2, res.Lock, refs...)
	if string(res2.Lock.Marshal()) != string(res.Lock.Marshal()) {
		t.Fatal("the lock changed")
	}
	for _, p := range res2.Charts {
		if p.Downloaded || p.New {
			t.Errorf("%+v: want from the cache", p)
		}
	}
}

func TestLockIsTheSameWhateverTheOrderOfTheCharts(t *testing.T) {
	srv, _ := chartstest.Repo(t, "", demoDir, otherDir)
	a, b := demoRef(srv.URL), Ref{RepoURL: srv.URL, Chart: "other", Version: "0.1.0"}
	l1 := pull(t, newClient(t, Options{}), nil, a, b, a).Lock.Marshal()
	l2 := pull(t, newClient(t, Options{}), nil, b, a).Lock.Marshal()
	if !bytes.Equal(l1, l2) {
		t.Fatalf("%s\n---\n%s", l1, l2)
	}
	if n := strings.Count(string(l1), "repoURL:"); n != 2 {
		t.Fatalf("%d entries for two charts:\n%s", n, l1)
	}
}

func TestDigestMismatchWithTheIndex(t *testing.T) {
	srv, archives := chartstest.Repo(t, "", demoDir)
	other := chartstest.Package(t, otherDir)
	// The index publishes the digest of another archive.
	idx := strings.Replace(string(chartstest.Index(t, "", archives[0])), strings.TrimPrefix(chartstest.Digest(archives[0]), "sha256:"), strings.TrimPrefix(chartstest.Digest(other), "sha256:"), 1)
	srv.Set("/index.yaml", []byte(idx))
	dir := t.TempDir()
	_, err := newClient(t, Options{Dir: dir}).Pull(context.Background(), nil, []Ref{demoRef(srv.URL)})
	var me *MismatchError
	if !errors.As(err, &me) || me.Against != "the repository" || me.Got != chartstest.Digest(archives[0]) || me.Want != chartstest.Digest(other) {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "chart demo 1.2.3 from "+srv.URL) {
		t.Errorf("the message does not name the chart: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a mismatching archive was kept: %v", entries)
	}
}

func TestLockMismatchIsAnErrorNotAnUpdate(t *testing.T) {
	srv, archives := chartstest.Repo(t, "", demoDir)
	ref := demoRef(srv.URL)
	locked := ref.Entry("sha256:" + strings.Repeat("ab", 32))
	old, _ := chartlock.New([]chartlock.Entry{locked})
	dir := t.TempDir()
	c := newClient(t, Options{Dir: dir})
	_, err := c.Pull(context.Background(), old, []Ref{ref})
	var me *MismatchError
	if !errors.As(err, &me) || me.Against != chartlock.FileName || me.Want != locked.Digest || me.Got != chartstest.Digest(archives[0]) {
		t.Fatalf("pull: got %v", err)
	}
	if !strings.Contains(err.Error(), "never updates a locked chart silently") {
		t.Errorf("the message does not say what to do: %v", err)
	}
	// The same for render and vet, which read the lock.
	if _, err := c.Archive(context.Background(), locked); !errors.As(err, &me) {
		t.Fatalf("archive: got %v", err)
	}
	if _, err := c.Locked(context.Background(), old, "dorgu.lock", []Ref{ref}); !errors.As(err, &me) {
		t.Fatalf("locked: got %v", err)
	}
}

func TestOfflineWithAWarmCache(t *testing.T) {
	srv, archives := chartstest.Repo(t, "", demoDir)
	dir := t.TempDir()
	res := pull(t, newClient(t, Options{Dir: dir}), nil, demoRef(srv.URL))
	srv.Forbid(t)
	before := srv.Total()
	c := newClient(t, Options{Dir: dir, Offline: true})
	res2 := pull(t, c, res.Lock, demoRef(srv.URL))
	if res2.Charts[0].Downloaded {
		t.Fatal("downloaded while offline")
	}
	entries, err := c.Locked(context.Background(), res.Lock, "dorgu.lock", []Ref{demoRef(srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	data, err := c.Archive(context.Background(), entries[0])
	if err != nil || !bytes.Equal(data, archives[0]) {
		t.Fatalf("archive: %v", err)
	}
	ch, err := c.Load(context.Background(), entries[0])
	if err != nil {
		t.Fatal(err)
	}
	acc, err := chart.NewDefaultAccessor(ch)
	if err != nil || acc.Name() != "demo" || len(acc.Templates()) != 1 {
		t.Fatalf("loaded %v, %v", acc, err)
	}
	if srv.Total() != before {
		t.Fatal("the network was used")
	}
}

func TestOfflineWithAColdCache(t *testing.T) {
	srv, archives := chartstest.Repo(t, "", demoDir)
	srv.Forbid(t)
	ref := demoRef(srv.URL)
	c := newClient(t, Options{Dir: t.TempDir(), Offline: true})
	_, err := c.Pull(context.Background(), nil, []Ref{ref})
	var ue *UnavailableError
	if !errors.As(err, &ue) || !ue.Offline || ue.Ref != ref {
		t.Fatalf("got %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"chart demo 1.2.3 from " + srv.URL, "--offline", "charts pull", "--chart-mirror"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the message lacks %q:\n%s", want, msg)
		}
	}
	lock, _ := chartlock.New([]chartlock.Entry{ref.Entry(chartstest.Digest(archives[0]))})
	_, err = c.Locked(context.Background(), lock, "dorgu.lock", []Ref{ref})
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--no-charts") {
		t.Fatalf("locked: got %v", err)
	}
}

func TestUnreachableRepositoryNamesChartURLAndRemedy(t *testing.T) {
	hs := httptest.NewServer(http.NotFoundHandler())
	url := hs.URL
	hs.Close() // nothing listens there any more
	_, err := newClient(t, Options{}).Pull(context.Background(), nil, []Ref{demoRef(url)})
	var ue *UnavailableError
	if !errors.As(err, &ue) || ue.Offline {
		t.Fatalf("got %v", err)
	}
	for _, want := range []string{"chart demo 1.2.3 from " + url, "cannot be downloaded from " + url, "chartMirrors"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the message lacks %q:\n%s", want, err)
		}
	}
}

func TestMirrorNeverContactsTheUpstream(t *testing.T) {
	upstream, archives := chartstest.Repo(t, "", demoDir, otherDir)
	upstream.Forbid(t)
	// A mirror that copied the upstream's index as is: its chart URLs are
	// absolute, under the upstream. One chart URL is relative.
	idx := chartstest.Index(t, upstream.URL, archives[0])
	idx2 := chartstest.Index(t, "", archives[1])
	mirror := chartstest.NewServer(t, map[string][]byte{
		"/jetstack/index.yaml":                               merge(t, idx, idx2),
		"/jetstack/" + chartstest.FileName("demo", "1.2.3"):  archives[0],
		"/jetstack/" + chartstest.FileName("other", "0.1.0"): archives[1],
	})
	c := newClient(t, Options{Dir: t.TempDir(), Mirrors: Mirrors{upstream.URL: mirror.URL + "/jetstack"}})
	refs := []Ref{demoRef(upstream.URL), {RepoURL: upstream.URL, Chart: "other", Version: "0.1.0"}}
	res := pull(t, c, nil, refs...)
	if res.Lock.Entries[0].RepoURL != upstream.URL {
		t.Fatalf("the lock names the mirror: %v", res.Lock.Entries)
	}
	for _, p := range res.Charts {
		if !strings.HasPrefix(p.URL, mirror.URL+"/jetstack/") {
			t.Errorf("%s came from %s", p.Entry, p.URL)
		}
	}
	if mirror.Hits("/jetstack/index.yaml") != 1 {
		t.Error("the mirror's index was not read")
	}
}

// merge joins the entries of two indexes.
func merge(t *testing.T, a, b []byte) []byte {
	t.Helper()
	s := string(a)
	i := strings.Index(string(b), "entries:\n") + len("entries:\n")
	j := strings.Index(string(b), "generated:")
	return []byte(strings.Replace(s, "entries:\n", "entries:\n"+string(b)[i:j], 1))
}

func TestMirrorRefusesChartURLsOutsideIt(t *testing.T) {
	upstream := chartstest.NewServer(t, nil)
	upstream.Forbid(t)
	elsewhere := chartstest.NewServer(t, nil)
	elsewhere.Forbid(t)
	a := chartstest.Package(t, demoDir)
	mirror := chartstest.NewServer(t, map[string][]byte{"/index.yaml": chartstest.Index(t, elsewhere.URL+"/releases", a)})
	_, err := newClient(t, Options{Mirrors: Mirrors{upstream.URL: mirror.URL}}).Pull(context.Background(), nil, []Ref{demoRef(upstream.URL)})
	if err == nil || !strings.Contains(err.Error(), "outside the mirror") {
		t.Fatalf("got %v", err)
	}
}

func TestMirrorOfAnOCIRegistry(t *testing.T) {
	reg := chartstest.NewRegistry(t)
	a := chartstest.Package(t, demoDir)
	mirrorURL := reg.Push(t, "mirror/acme", a)
	upstream := "oci://registry.invalid/acme"
	c := newClient(t, Options{Dir: t.TempDir(), Transport: reg.Transport, Mirrors: Mirrors{"oci://registry.invalid": strings.TrimSuffix(mirrorURL, "/acme")}})
	res := pull(t, c, nil, demoRef(upstream))
	if e := res.Lock.Entries[0]; e.RepoURL != upstream || e.Digest != chartstest.Digest(a) {
		t.Fatalf("%v", e)
	}
}

func TestOCIUpstreamBehindAnHTTPMirror(t *testing.T) {
	mirror, archives := chartstest.Repo(t, "/ghcr", demoDir)
	upstream := "oci://ghcr.invalid/acme"
	c := newClient(t, Options{Mirrors: Mirrors{"oci://ghcr.invalid": mirror.URL + "/ghcr"}})
	if got := c.Source(demoRef(upstream)); got != mirror.URL+"/ghcr/acme" {
		t.Fatalf("source %s", got)
	}
	// The mirror serves the charts of oci://ghcr.invalid/acme at /ghcr/acme.
	mirror.Set("/ghcr/acme/index.yaml", chartstest.Index(t, "", archives[0]))
	mirror.Set("/ghcr/acme/"+chartstest.FileName("demo", "1.2.3"), archives[0])
	res := pull(t, c, nil, demoRef(upstream))
	if e := res.Lock.Entries[0]; e.RepoURL != upstream || e.Digest != chartstest.Digest(archives[0]) {
		t.Fatalf("%v", e)
	}
}

func TestPullFromAnOCIRegistry(t *testing.T) {
	reg := chartstest.NewRegistry(t)
	a := chartstest.Package(t, demoDir)
	repoURL := reg.Push(t, "charts", a)
	dir := t.TempDir()
	c := newClient(t, Options{Dir: dir, Transport: reg.Transport})
	res := pull(t, c, nil, demoRef(repoURL))
	p := res.Charts[0]
	if p.Entry.Digest != chartstest.Digest(a) || !p.Downloaded || p.Unverified || p.URL != repoURL+"/demo:1.2.3" {
		t.Fatalf("%+v", p)
	}
	if !newClient(t, Options{Dir: dir, Offline: true}).Cached(p.Entry) {
		t.Fatal("not cached")
	}
	// A version the registry does not have.
	_, err := c.Pull(context.Background(), nil, []Ref{{RepoURL: repoURL, Chart: "demo", Version: "9.9.9"}})
	var ue *UnavailableError
	if !errors.As(err, &ue) {
		t.Fatalf("got %v", err)
	}
}

func TestExactVersionOnly(t *testing.T) {
	srv, _ := chartstest.Repo(t, "", demoDir)
	// Helm's own lookup would take "1.2" as a constraint and pick 1.2.3.
	_, err := newClient(t, Options{}).Pull(context.Background(), nil, []Ref{{RepoURL: srv.URL, Chart: "demo", Version: "1.2"}})
	if err == nil || !strings.Contains(err.Error(), `has no version "1.2" of demo (newest: 1.2.3)`) {
		t.Fatalf("got %v", err)
	}
	_, err = newClient(t, Options{}).Pull(context.Background(), nil, []Ref{{RepoURL: srv.URL, Chart: "demoo", Version: "1.2.3"}})
	if err == nil || !strings.Contains(err.Error(), `has no chart "demoo" (it has demo)`) {
		t.Fatalf("got %v", err)
	}
}

func TestDroppedEntries(t *testing.T) {
	srv, _ := chartstest.Repo(t, "", demoDir, otherDir)
	dir := t.TempDir()
	other := Ref{RepoURL: srv.URL, Chart: "other", Version: "0.1.0"}
	res := pull(t, newClient(t, Options{Dir: dir}), nil, demoRef(srv.URL), other)
	res2 := pull(t, newClient(t, Options{Dir: dir}), res.Lock, demoRef(srv.URL))
	if len(res2.Dropped) != 1 || RefOf(res2.Dropped[0]) != other || len(res2.Lock.Entries) != 1 {
		t.Fatalf("%+v", res2)
	}
}

func TestLockedNeedsEveryChartLocked(t *testing.T) {
	srv, _ := chartstest.Repo(t, "", demoDir)
	srv.Forbid(t)
	_, err := newClient(t, Options{}).Locked(context.Background(), nil, "conf/dorgu.lock", []Ref{demoRef(srv.URL)})
	if err == nil || !strings.Contains(err.Error(), "chart demo 1.2.3 from "+srv.URL+" is not in conf/dorgu.lock; run dorgu-gen charts pull") {
		t.Fatalf("got %v", err)
	}
}

func TestCorruptCacheEntryIsAMiss(t *testing.T) {
	srv, archives := chartstest.Repo(t, "", demoDir)
	dir := t.TempDir()
	res := pull(t, newClient(t, Options{Dir: dir}), nil, demoRef(srv.URL))
	p := filepath.Join(dir, strings.TrimPrefix(res.Lock.Entries[0].Digest, "sha256:")+".tgz")
	if err := os.WriteFile(p, []byte("not the archive"), 0o600); err != nil {
		t.Fatal(err)
	}
	off := newClient(t, Options{Dir: dir, Offline: true})
	if off.Cached(res.Lock.Entries[0]) {
		t.Fatal("a corrupt entry counts as cached")
	}
	res2 := pull(t, newClient(t, Options{Dir: dir}), res.Lock, demoRef(srv.URL))
	if !res2.Charts[0].Downloaded {
		t.Fatal("the corrupt entry was used")
	}
	if data, _ := os.ReadFile(p); !bytes.Equal(data, archives[0]) {
		t.Fatal("the entry was not repaired")
	}
}

func TestNoIndexDigestIsLockedOnFirstUse(t *testing.T) {
	srv, archives := chartstest.Repo(t, "", demoDir)
	idx := strings.Replace(string(chartstest.Index(t, "", archives[0])), "digest: "+strings.TrimPrefix(chartstest.Digest(archives[0]), "sha256:"), "", 1)
	srv.Set("/index.yaml", []byte(idx))
	res := pull(t, newClient(t, Options{}), nil, demoRef(srv.URL))
	if !res.Charts[0].Unverified || res.Lock.Entries[0].Digest != chartstest.Digest(archives[0]) {
		t.Fatalf("%+v", res.Charts[0])
	}
}

func TestProgressLines(t *testing.T) {
	srv, _ := chartstest.Repo(t, "", demoDir)
	var buf bytes.Buffer
	pull(t, newClient(t, Options{Progress: &buf}), nil, demoRef(srv.URL))
	out := buf.String()
	if !strings.Contains(out, "pulling demo 1.2.3 from "+srv.URL+"/demo-1.2.3.tgz\n") || !strings.Contains(out, "pulled demo 1.2.3 from ") {
		t.Fatalf("progress:\n%s", out)
	}
}

func TestNewRefusesABadMirror(t *testing.T) {
	if _, err := New(Options{Mirrors: Mirrors{"ftp://x": "https://y"}}); err == nil {
		t.Fatal("no error")
	}
}

// Hostile repositories.

type tarEntry struct {
	name     string
	typ      byte
	body     string
	linkname string
}

func tgz(t *testing.T, entries ...tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Typeflag: typ, Mode: 0o644, Size: int64(len(e.body)), Linkname: e.linkname}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

const demoChartYAML = "apiVersion: v2\nname: demo\nversion: 1.2.3\n"

// serveArchive serves an index listing demo 1.2.3 with archive's digest.
func serveArchive(t *testing.T, archive []byte) *chartstest.Server {
	t.Helper()
	idx := `apiVersion: v1
entries:
  demo:
    - apiVersion: v2
      name: demo
      version: 1.2.3
      urls: [demo-1.2.3.tgz]
      digest: ` + strings.TrimPrefix(digestOf(archive), "sha256:") + "\n"
	return chartstest.NewServer(t, map[string][]byte{"/index.yaml": []byte(idx), "/demo-1.2.3.tgz": archive})
}

func TestHostileArchives(t *testing.T) {
	many := []tarEntry{{name: "demo/Chart.yaml", body: demoChartYAML}}
	for i := 0; i <= maxEntries; i++ {
		many = append(many, tarEntry{name: "demo/templates/x", body: ""})
	}
	for _, tc := range []struct {
		name    string
		archive []byte
		want    string
	}{
		{"symlink", tgz(t, tarEntry{name: "demo/Chart.yaml", body: demoChartYAML}, tarEntry{name: "demo/templates/passwd", typ: tar.TypeSymlink, linkname: "/etc/passwd"}), "is a link to /etc/passwd"},
		{"hard link", tgz(t, tarEntry{name: "demo/Chart.yaml", body: demoChartYAML}, tarEntry{name: "demo/x", typ: tar.TypeLink, linkname: "demo/Chart.yaml"}), "is a link"},
		{"fifo", tgz(t, tarEntry{name: "demo/Chart.yaml", body: demoChartYAML}, tarEntry{name: "demo/fifo", typ: tar.TypeFifo}), "not a regular file"},
		{"dot-dot", tgz(t, tarEntry{name: "demo/Chart.yaml", body: demoChartYAML}, tarEntry{name: "demo/../../etc/x", body: "x"}), "parent directory"},
		{"absolute", tgz(t, tarEntry{name: "demo/Chart.yaml", body: demoChartYAML}, tarEntry{name: "demo//etc/passwd", body: "x"}), "absolute"},
		{"too many entries", tgz(t, many...), "more than 20000 entries"},
		{"not gzip", []byte("<html>hello</html>"), "not a valid chart archive"},
		{"another chart", tgz(t, tarEntry{name: "demo/Chart.yaml", body: "apiVersion: v2\nname: evil\nversion: 1.2.3\n"}), "holds chart evil 1.2.3, not demo 1.2.3"},
		{"another version", tgz(t, tarEntry{name: "demo/Chart.yaml", body: "apiVersion: v2\nname: demo\nversion: 6.6.6\n"}), "holds chart demo 6.6.6, not demo 1.2.3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := serveArchive(t, tc.archive)
			dir := t.TempDir()
			_, err := newClient(t, Options{Dir: dir}).Pull(context.Background(), nil, []Ref{demoRef(srv.URL)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("a hostile archive was kept: %v", entries)
			}
		})
	}
}

func TestDecompressionBomb(t *testing.T) {
	// 129 MiB of zeros in one file compresses to a few hundred KiB.
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Name: "demo/Chart.yaml", Mode: 0o644, Size: int64(len(demoChartYAML)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write([]byte(demoChartYAML)); err != nil {
		t.Fatal(err)
	}
	const n = 129 << 20
	if err := tw.WriteHeader(&tar.Header{Name: "demo/templates/big", Mode: 0o644, Size: n, Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	for range n >> 20 {
		if _, err := tw.Write(zeros); err != nil {
			t.Fatal(err)
		}
	}
	tw.Close()
	zw.Close()
	srv := serveArchive(t, buf.Bytes())
	_, err := newClient(t, Options{}).Pull(context.Background(), nil, []Ref{demoRef(srv.URL)})
	if err == nil || !strings.Contains(err.Error(), "once decompressed") {
		t.Fatalf("got %v", err)
	}
}

func TestSizeBounds(t *testing.T) {
	srv, _ := chartstest.Repo(t, "", demoDir)
	_, err := newClient(t, Options{MaxArchiveSize: 100}).Pull(context.Background(), nil, []Ref{demoRef(srv.URL)})
	var tl *TooLargeError
	if !errors.As(err, &tl) || !strings.Contains(err.Error(), "demo-1.2.3.tgz is larger than 100 B") {
		t.Fatalf("archive: got %v", err)
	}
	_, err = newClient(t, Options{MaxIndexSize: 100}).Pull(context.Background(), nil, []Ref{demoRef(srv.URL)})
	if !errors.As(err, &tl) || !strings.Contains(err.Error(), "index.yaml is larger than") {
		t.Fatalf("index: got %v", err)
	}
	// Without a Content-Length, the bound holds while reading.
	chunked := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for range 64 {
			_, _ = w.Write(bytes.Repeat([]byte("#"), 1024))
			w.(http.Flusher).Flush()
		}
	}))
	defer chunked.Close()
	_, err = newClient(t, Options{MaxIndexSize: 10 << 10}).Pull(context.Background(), nil, []Ref{demoRef(chunked.URL)})
	if !errors.As(err, &tl) {
		t.Fatalf("chunked: got %v", err)
	}
}

func TestRedirects(t *testing.T) {
	srv, _ := chartstest.Repo(t, "", demoDir)
	for _, tc := range []struct {
		location, want string
	}{
		{"file:///etc/passwd", `refusing a redirect to "file:///etc/passwd"`},
		{"gopher://x/", `refusing a redirect to "gopher://x/"`},
	} {
		redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, tc.location, http.StatusFound)
		}))
		_, err := newClient(t, Options{}).Pull(context.Background(), nil, []Ref{demoRef(redirect.URL)})
		redirect.Close()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v", tc.location, err)
		}
	}
	// A redirect to another http(s) server is followed.
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+r.URL.Path, http.StatusFound)
	}))
	defer redirect.Close()
	res := pull(t, newClient(t, Options{}), nil, demoRef(redirect.URL))
	if res.Lock.Entries[0].RepoURL != redirect.URL {
		t.Fatal(res.Lock.Entries)
	}
	// From https down to plain http is not.
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+r.URL.Path, http.StatusFound)
	}))
	defer tlsSrv.Close()
	_, err := newClient(t, Options{Transport: tlsSrv.Client().Transport}).Pull(context.Background(), nil, []Ref{demoRef(tlsSrv.URL)})
	if err == nil || !strings.Contains(err.Error(), "from https to plain http") {
		t.Fatalf("downgrade: got %v", err)
	}
}

func TestChartURLSchemes(t *testing.T) {
	idx := "apiVersion: v1\nentries:\n  demo:\n    - apiVersion: v2\n      name: demo\n      version: 1.2.3\n      urls: [\"file:///etc/passwd\"]\n"
	srv := chartstest.NewServer(t, map[string][]byte{"/index.yaml": []byte(idx)})
	_, err := newClient(t, Options{}).Pull(context.Background(), nil, []Ref{demoRef(srv.URL)})
	if err == nil || !strings.Contains(err.Error(), "only http and https URLs are downloaded") {
		t.Fatalf("got %v", err)
	}
}

func TestNotAnIndex(t *testing.T) {
	srv := chartstest.NewServer(t, map[string][]byte{"/index.yaml": []byte("<html>a login page</html>")})
	_, err := newClient(t, Options{}).Pull(context.Background(), nil, []Ref{demoRef(srv.URL)})
	if err == nil || !strings.Contains(err.Error(), srv.URL+"/index.yaml is not a Helm repository index") || strings.Contains(err.Error(), ".tmp-index") {
		t.Fatalf("got %v", err)
	}
}

func TestCancellation(t *testing.T) {
	stuck := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stuck:
		}
	}))
	defer hang.Close()
	defer close(stuck)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := newClient(t, Options{}).Pull(ctx, nil, []Ref{demoRef(hang.URL)})
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	// The client's own bound ends a download that never answers.
	_, err := newClient(t, Options{Timeout: 50e6}).Pull(context.Background(), nil, []Ref{demoRef(hang.URL)})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("timeout: got %v", err)
	}
}

func TestOCICancellation(t *testing.T) {
	stuck := make(chan struct{})
	hang := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stuck:
		}
	}))
	defer hang.Close()
	defer close(stuck)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newClient(t, Options{Transport: hang.Client().Transport}).Pull(ctx, nil, []Ref{demoRef("oci://" + strings.TrimPrefix(hang.URL, "https://") + "/charts")})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
}

func TestRedactsPasswords(t *testing.T) {
	hs := httptest.NewServer(http.NotFoundHandler())
	u := strings.Replace(hs.URL, "http://", "http://user:s3cret@", 1)
	hs.Close()
	_, err := newClient(t, Options{}).Pull(context.Background(), nil, []Ref{demoRef(u)})
	if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "user:xxxxx@") {
		t.Fatalf("got %v", err)
	}
}

func BenchmarkArchiveWarmCache(b *testing.B) {
	srv, _ := chartstest.Repo(b, "", demoDir, otherDir)
	dir := b.TempDir()
	refs := []Ref{demoRef(srv.URL), {RepoURL: srv.URL, Chart: "other", Version: "0.1.0"}}
	res := pull(b, newClient(b, Options{Dir: dir}), nil, refs...)
	srv.Forbid(b)
	b.ResetTimer()
	for b.Loop() {
		// A new client each time: every read goes to the disk and is
		// verified, as in a new process.
		c := newClient(b, Options{Dir: dir, Offline: true})
		if _, err := c.Locked(context.Background(), res.Lock, "dorgu.lock", refs); err != nil {
			b.Fatal(err)
		}
		for _, e := range res.Lock.Entries {
			if _, err := c.Load(context.Background(), e); err != nil {
				b.Fatal(err)
			}
		}
	}
}
