// Package chartstest serves charts to tests without the network: chart
// archives packaged at test time from chart folders under testdata/, a Helm
// repository (index.yaml and archives) on a loopback httptest server, and
// an in-memory OCI registry.
package chartstest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	"sigs.k8s.io/yaml"

	"helm.sh/helm/v4/pkg/chart/common"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	helmregistry "helm.sh/helm/v4/pkg/registry"
	repo "helm.sh/helm/v4/pkg/repo/v1"
)

// epoch is every packaged file's modification time, so that packaging the
// same folder twice gives the same bytes and the same digest.
var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Package packages the chart folder dir as `helm package` does, with fixed
// modification times.
func Package(t testing.TB, dir string) []byte {
	t.Helper()
	data, err := PackageDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// PackageDir is Package for callers without a testing.TB (a testscript
// command).
func PackageDir(dir string) ([]byte, error) {
	ch, err := loader.LoadDir(dir)
	if err != nil {
		return nil, err
	}
	fixTimes(ch)
	out, err := os.MkdirTemp("", "chartstest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(out)
	p, err := chartutil.Save(ch, out)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

func fixTimes(ch *chartv2.Chart) {
	ch.ModTime, ch.SchemaModTime = epoch, epoch
	for _, fs := range [][]*common.File{ch.Raw, ch.Templates, ch.Files} {
		for _, f := range fs {
			f.ModTime = epoch
		}
	}
	for _, d := range ch.Dependencies() {
		fixTimes(d)
	}
}

// Digest is the lock's form of the sha256 of an archive.
func Digest(archive []byte) string {
	sum := sha256.Sum256(archive)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Index returns the index.yaml of a repository serving archives. With
// baseURL "", chart URLs are relative to the repository, as `helm repo
// index` writes them; else they are absolute, under baseURL.
func Index(t testing.TB, baseURL string, archives ...[]byte) []byte {
	t.Helper()
	data, err := IndexOf(baseURL, archives...)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// IndexOf is Index without a testing.TB.
func IndexOf(baseURL string, archives ...[]byte) ([]byte, error) {
	idx := repo.NewIndexFile()
	idx.Generated = epoch
	for _, a := range archives {
		ch, err := loader.LoadArchive(bytes.NewReader(a))
		if err != nil {
			return nil, err
		}
		name := ch.Metadata.Name + "-" + ch.Metadata.Version + ".tgz"
		if err := idx.MustAdd(ch.Metadata, name, baseURL, strings.TrimPrefix(Digest(a), "sha256:")); err != nil {
			return nil, err
		}
	}
	for _, cvs := range idx.Entries {
		for _, cv := range cvs {
			cv.Created = epoch
		}
	}
	idx.SortEntries()
	return yaml.Marshal(idx)
}

// FileName is the name Index gives an archive of chart and version.
func FileName(chart, version string) string { return chart + "-" + version + ".tgz" }

// Server serves files at paths on a loopback HTTP server, and counts the
// requests it answers.
type Server struct {
	URL string

	mu    sync.Mutex
	files map[string][]byte
	hits  map[string]int
	// forbidden makes every request a test failure: a server that must
	// never be contacted (an upstream behind a mirror, the network offline).
	forbidden testing.TB
}

// NewServer starts a server of files (path → bytes, paths starting with
// "/"), closed when the test ends.
func NewServer(t testing.TB, files map[string][]byte) *Server {
	s, stop := Start(files)
	t.Cleanup(stop)
	return s
}

// Start is NewServer for callers without a testing.TB; stop closes it.
func Start(files map[string][]byte) (s *Server, stop func()) {
	if files == nil {
		files = map[string][]byte{}
	}
	s = &Server{files: files, hits: map[string]int{}}
	hs := httptest.NewServer(s)
	s.URL = hs.URL
	return s, hs.Close
}

// Metadata returns the Chart.yaml of an archive.
func Metadata(archive []byte) (*chartv2.Metadata, error) {
	ch, err := loader.LoadArchive(bytes.NewReader(archive))
	if err != nil {
		return nil, err
	}
	return ch.Metadata, nil
}

// Forbid makes any request to the server fail the test.
func (s *Server) Forbid(t testing.TB) {
	s.mu.Lock()
	s.forbidden = t
	s.mu.Unlock()
}

// Set serves data at path from now on; nil removes it.
func (s *Server) Set(path string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if data == nil {
		delete(s.files, path)
		return
	}
	s.files[path] = data
}

// Hits returns how many requests a path got.
func (s *Server) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// Total returns how many requests the server got.
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, h := range s.hits {
		n += h
	}
	return n
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	data, ok := s.files[r.URL.Path]
	forbidden := s.forbidden
	s.mu.Unlock()
	if forbidden != nil {
		forbidden.Errorf("a request to %s, which must never be contacted", r.URL)
		http.Error(w, "forbidden by the test", http.StatusForbidden)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	_, _ = w.Write(data) // the client hangs up when it has read enough
}

// Repo starts a Helm repository serving the chart folders dirs, packaged,
// under prefix (for example "" or "/jetstack"), with relative chart URLs.
// It returns the server and the archives, in the order of dirs.
func Repo(t testing.TB, prefix string, dirs ...string) (*Server, [][]byte) {
	t.Helper()
	files := map[string][]byte{}
	var archives [][]byte
	for _, d := range dirs {
		a := Package(t, d)
		ch, err := loader.LoadArchive(bytes.NewReader(a))
		if err != nil {
			t.Fatal(err)
		}
		files[prefix+"/"+FileName(ch.Metadata.Name, ch.Metadata.Version)] = a
		archives = append(archives, a)
	}
	files[prefix+"/index.yaml"] = Index(t, "", archives...)
	return NewServer(t, files), archives
}

// Registry is an in-memory OCI registry on a loopback TLS server.
type Registry struct {
	// Host is host:port, as oci:// URLs name it.
	Host string
	// Transport trusts the registry's certificate: give it to the client.
	Transport http.RoundTripper
	// CertPEM is the registry's certificate, PEM-encoded: a process that
	// cannot be given Transport trusts it through SSL_CERT_FILE.
	CertPEM []byte
}

// NewRegistry starts an OCI registry, closed when the test ends.
func NewRegistry(t testing.TB) *Registry {
	r, stop := StartRegistry()
	t.Cleanup(stop)
	return r
}

// StartRegistry is NewRegistry for callers without a testing.TB (a
// testscript command); stop closes it.
func StartRegistry() (r *Registry, stop func()) {
	hs := httptest.NewTLSServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hs.Certificate().Raw})
	return &Registry{Host: strings.TrimPrefix(hs.URL, "https://"), Transport: hs.Client().Transport, CertPEM: cert}, hs.Close
}

// Push pushes a chart archive to repository path (for example "charts")
// with Helm's registry client, as `helm push` does, and returns the
// archive's oci:// repository URL.
func (r *Registry) Push(t testing.TB, path string, archive []byte) string {
	t.Helper()
	u, err := r.PushArchive(path, archive, filepath.Join(t.TempDir(), "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// PushArchive is Push without a testing.TB; credentials is a credentials
// file for Helm's client, which need not exist.
func (r *Registry) PushArchive(path string, archive []byte, credentials string) (string, error) {
	ch, err := loader.LoadArchive(bytes.NewReader(archive))
	if err != nil {
		return "", err
	}
	c, err := helmregistry.NewClient(
		helmregistry.ClientOptHTTPClient(&http.Client{Transport: r.Transport}),
		helmregistry.ClientOptCredentialsFile(credentials),
	)
	if err != nil {
		return "", err
	}
	repoURL := r.Host + "/" + path
	ref := repoURL + "/" + ch.Metadata.Name + ":" + strings.ReplaceAll(ch.Metadata.Version, "+", "_")
	if _, err := c.Push(archive, ref, helmregistry.PushOptCreationTime(epoch.Format(time.RFC3339))); err != nil {
		return "", err
	}
	return "oci://" + repoURL, nil
}
