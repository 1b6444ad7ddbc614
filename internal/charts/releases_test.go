package charts

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dorgu/dorgu-gen/internal/charts/chartstest"
)

var (
	demo2Dir   = filepath.Join("testdata", "charts", "demo-2.0.0")
	demoPreDir = filepath.Join("testdata", "charts", "demo-2.1.0-rc.1")
)

func releases(t *testing.T, c *Client, ch Chart) *Releases {
	t.Helper()
	r, err := c.Releases(context.Background(), ch)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// versions lists the releases as "version/appVersion".
func versions(r *Releases) string {
	var out []string
	for _, rel := range r.List {
		out = append(out, rel.Version.Raw+"/"+rel.AppVersion)
	}
	return strings.Join(out, " ")
}

func checkNewest(t *testing.T, r *Releases, pre bool, want string) {
	t.Helper()
	rel, ok := r.Newest(pre)
	if got := rel.Version.Raw + "/" + rel.AppVersion; !ok || got != want {
		t.Errorf("newest (pre-releases %v): %s, want %s", pre, got, want)
	}
}

func TestReleasesOfAnHTTPRepository(t *testing.T) {
	srv, _ := chartstest.Repo(t, "", demo2Dir, demoDir, demoPreDir, otherDir)
	c := newClient(t, Options{Dir: t.TempDir()})
	r := releases(t, c, Chart{RepoURL: srv.URL, Name: "demo"})
	if got, want := versions(r), "2.1.0-rc.1/2.1-rc 2.0.0/2.0 1.2.3/1.0"; got != want {
		t.Fatalf("releases %s, want %s", got, want)
	}
	checkNewest(t, r, false, "2.0.0/2.0")
	checkNewest(t, r, true, "2.1.0-rc.1/2.1-rc")
	// The index is read once per client, however many charts are listed.
	releases(t, c, Chart{RepoURL: srv.URL, Name: "other"})
	if n := srv.Hits("/index.yaml"); n != 1 {
		t.Errorf("the index was read %d times", n)
	}
	_, err := c.Releases(context.Background(), Chart{RepoURL: srv.URL, Name: "nope"})
	if err == nil || !strings.Contains(err.Error(), `has no chart "nope" (it has demo, other)`) {
		t.Errorf("an unknown chart: %v", err)
	}
}

func TestVersionsThatAreNotReleasesAreLeftOut(t *testing.T) {
	idx := chartstest.Index(t, "", chartstest.Package(t, demoDir), chartstest.Package(t, demo2Dir))
	srv := chartstest.NewServer(t, map[string][]byte{"/index.yaml": []byte(strings.Replace(string(idx), "version: 1.2.3", "version: \"1.2\"", 1))})
	r := releases(t, newClient(t, Options{}), Chart{RepoURL: srv.URL, Name: "demo"})
	if got := versions(r); got != "2.0.0/2.0" || r.Skipped != 1 {
		t.Fatalf("releases %s, %d skipped", got, r.Skipped)
	}
}

func TestPullKeepsTheIndexForOfflineListings(t *testing.T) {
	srv, _ := chartstest.Repo(t, "", demoDir, demo2Dir)
	dir, docs := t.TempDir(), t.TempDir()
	pull(t, newClient(t, Options{Dir: dir, ListingDir: docs}), nil, demoRef(srv.URL))
	srv.Forbid(t)
	r := releases(t, newClient(t, Options{Dir: dir, ListingDir: docs, Offline: true}), Chart{RepoURL: srv.URL, Name: "demo"})
	checkNewest(t, r, false, "2.0.0/2.0")

	// A damaged copy is a miss, never a listing.
	entries, err := os.ReadDir(filepath.Join(docs, kindIndex))
	if err != nil || len(entries) != 1 {
		t.Fatalf("kept indexes: %v %v", entries, err)
	}
	p := filepath.Join(docs, kindIndex, entries[0].Name())
	data, _ := os.ReadFile(p)
	if err := os.WriteFile(p, data[:len(data)-10], 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = newClient(t, Options{Dir: dir, ListingDir: docs, Offline: true}).Releases(context.Background(), Chart{RepoURL: srv.URL, Name: "demo"})
	var le *ListError
	if !errors.As(err, &le) || !le.Offline {
		t.Fatalf("a truncated index: got %v", err)
	}
}

func TestListingOfflineWithAColdCache(t *testing.T) {
	srv, _ := chartstest.Repo(t, "", demoDir)
	srv.Forbid(t)
	c := newClient(t, Options{Dir: t.TempDir(), ListingDir: t.TempDir(), Offline: true})
	_, err := c.ListReleases(context.Background(), []Chart{{RepoURL: srv.URL, Name: "demo"}})
	var le *ListError
	if !errors.As(err, &le) || !le.Offline {
		t.Fatalf("got %v", err)
	}
	want := "the releases of chart demo from " + srv.URL + " are not in the cache (no earlier dorgu-gen charts pull or outdated read " + srv.URL + "/index.yaml), and --offline forbids reading them\nTo list them: run dorgu-gen charts pull or dorgu-gen outdated without --offline"
	if !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got\n%s\nwant\n%s", err, want)
	}
}

func TestReleasesThroughAMirror(t *testing.T) {
	upstream := chartstest.NewServer(t, nil)
	upstream.Forbid(t)
	mirror, _ := chartstest.Repo(t, "/helm", demoDir, demo2Dir)
	c := newClient(t, Options{Mirrors: Mirrors{upstream.URL: mirror.URL + "/helm"}})
	r := releases(t, c, Chart{RepoURL: upstream.URL, Name: "demo"})
	checkNewest(t, r, false, "2.0.0/2.0")
	if r.Source != mirror.URL+"/helm" || r.Chart.RepoURL != upstream.URL {
		t.Errorf("source %s, chart %v", r.Source, r.Chart)
	}
}

func TestReleasesOfAnOCIRegistry(t *testing.T) {
	reg := chartstest.NewRegistry(t)
	var repoURL string
	for _, d := range []string{demoDir, demo2Dir, demoPreDir} {
		repoURL = reg.Push(t, "charts", chartstest.Package(t, d))
	}
	docs := t.TempDir()
	c := newClient(t, Options{ListingDir: docs, Transport: reg.Transport})
	r := releases(t, c, Chart{RepoURL: repoURL, Name: "demo"})
	// Only the releases a listing reports have their appVersion read.
	if got, want := versions(r), "2.1.0-rc.1/2.1-rc 2.0.0/2.0 1.2.3/"; got != want {
		t.Fatalf("releases %s, want %s", got, want)
	}
	if r.Source != repoURL {
		t.Errorf("source %s", r.Source)
	}

	// Offline, the tags the last listing read.
	off := newClient(t, Options{ListingDir: docs, Offline: true, Transport: failingTransport{t}})
	r = releases(t, off, Chart{RepoURL: repoURL, Name: "demo"})
	checkNewest(t, r, false, "2.0.0/2.0")
	checkNewest(t, r, true, "2.1.0-rc.1/2.1-rc")
	_, err := off.Releases(context.Background(), Chart{RepoURL: repoURL, Name: "other"})
	var le *ListError
	if !errors.As(err, &le) || !le.Offline || le.URL != repoURL+"/other" {
		t.Fatalf("never listed: got %v", err)
	}
}

func TestOCITagsWithBuildMetadataAndAPrefix(t *testing.T) {
	l := tagListing{Tags: []string{"1.0.0_build.1", "v1.1.0", "latest", "1.2"}}
	r := (&Client{}).ociList(Chart{Name: "demo"}, "oci://r/x", l)
	if got := versions(r); got != "v1.1.0/ 1.0.0+build.1/" || r.Skipped != 2 {
		t.Fatalf("releases %s, %d skipped", got, r.Skipped)
	}
}

// failingTransport fails the test on any request.
type failingTransport struct{ t *testing.T }

func (f failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("a request to %s", r.URL)
	return nil, errors.New("no network in this test")
}

func TestTagListIsBoundedAcrossPages(t *testing.T) {
	page := `{"name":"charts/demo","tags":["` + strings.Repeat("x", 600) + `"]}`
	hs := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Every page links to one more.
		w.Header().Set("Link", `</v2/charts/demo/tags/list?last=x>; rel="next"`)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(page))
	}))
	defer hs.Close()
	c := newClient(t, Options{Transport: hs.Client().Transport, MaxIndexSize: 4 << 10})
	_, err := c.Releases(context.Background(), Chart{RepoURL: "oci://" + strings.TrimPrefix(hs.URL, "https://") + "/charts", Name: "demo"})
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Max != 4<<10 {
		t.Fatalf("got %v", err)
	}
}

func TestVersions(t *testing.T) {
	for _, s := range []string{"1.2", "1", "latest", "^1.2.0", "01.2.3", ""} {
		if _, ok := ParseVersion(s); ok {
			t.Errorf("%q read as a version", s)
		}
	}
	for _, c := range []struct {
		from, to string
		major    bool
	}{
		{"1.2.3", "1.9.0", false},
		{"1.2.3", "2.0.0", true},
		{"v1.21.1", "v1.22.0", false},
		{"0.3.1", "0.3.9", false},
		{"0.3.1", "0.4.0", true},
		{"0.9.0", "1.0.0", true},
		{"2.0.0-rc.1", "2.0.0", false},
	} {
		a, ok1 := ParseVersion(c.from)
		b, ok2 := ParseVersion(c.to)
		if !ok1 || !ok2 || !b.Newer(a) || a.MajorStep(b) != c.major {
			t.Errorf("%s to %s: major step %v, want %v", c.from, c.to, a.MajorStep(b), c.major)
		}
	}
}
