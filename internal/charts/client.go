package charts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"helm.sh/helm/v4/pkg/chart"
	"helm.sh/helm/v4/pkg/registry"
	repo "helm.sh/helm/v4/pkg/repo/v1"

	"github.com/dorgu/dorgu-gen/internal/chartlock"
)

// Default bounds. A repository's index.yaml lists every version of every
// chart it serves: the largest public ones are tens of MiB. A chart archive
// is rarely over a MiB; Helm refuses one that unpacks to over 100 MiB.
const (
	DefaultMaxIndexSize   = 64 << 20
	DefaultMaxArchiveSize = 32 << 20
	DefaultTimeout        = 2 * time.Minute
)

const userAgent = "dorgu-gen"

// Options configure a Client. The zero value downloads with the default
// bounds and keeps nothing.
type Options struct {
	// Dir is where chart archives are kept, each named by its sha256;
	// "" keeps none, so every archive is downloaded again.
	Dir string
	// ListingDir is where the repository indexes and registry tag lists
	// read are kept, one file per URL, for listing releases offline; ""
	// keeps none.
	ListingDir string
	// Mirrors are downloaded from instead of the repositories they map.
	Mirrors Mirrors
	// Offline forbids the network: only the cache is read.
	Offline bool
	// Progress receives a line as each download starts and ends; nil
	// says nothing.
	Progress io.Writer
	// Transport carries every request; nil is a transport with bounded
	// phases that honours the proxy environment variables.
	Transport http.RoundTripper
	// RegistryConfig is the credentials file of OCI registries; "" is
	// Helm's (helm registry login), which falls back to Docker's.
	RegistryConfig string
	// Timeout bounds one download, index or archive; 0 is DefaultTimeout.
	Timeout time.Duration
	// MaxIndexSize and MaxArchiveSize bound what is read; 0 is the default.
	MaxIndexSize, MaxArchiveSize int64
}

// Client downloads, verifies and keeps charts. It is safe for concurrent
// use.
type Client struct {
	store          store
	mirrors        Mirrors
	offline        bool
	progress       io.Writer
	rt             http.RoundTripper
	http           *http.Client
	registryConfig string
	timeout        time.Duration
	maxIndex       int64
	maxArchive     int64

	mu sync.Mutex // guards what follows, and progress lines
	// indexes holds each repository's index, downloaded once per run
	// however many of its charts are pulled.
	indexes map[string]*indexResult
	// archives holds the verified archives read so far, by digest.
	archives map[string][]byte
}

type indexResult struct {
	once sync.Once
	idx  *repo.IndexFile
	err  error
}

// New returns a client.
func New(opts Options) (*Client, error) {
	if err := opts.Mirrors.check(); err != nil {
		return nil, err
	}
	c := &Client{
		store:          store{dir: opts.Dir, docs: opts.ListingDir},
		mirrors:        opts.Mirrors,
		offline:        opts.Offline,
		progress:       opts.Progress,
		rt:             opts.Transport,
		registryConfig: opts.RegistryConfig,
		timeout:        cmpOr(opts.Timeout, DefaultTimeout),
		maxIndex:       cmpOr(opts.MaxIndexSize, DefaultMaxIndexSize),
		maxArchive:     cmpOr(opts.MaxArchiveSize, DefaultMaxArchiveSize),
		indexes:        map[string]*indexResult{},
		archives:       map[string][]byte{},
	}
	if c.rt == nil {
		c.rt = defaultTransport()
	}
	c.http = c.httpClient(c.rt)
	return c, nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Offline reports whether the client never touches the network.
func (c *Client) Offline() bool { return c.offline }

// Keeps reports whether the client keeps what it downloads.
func (c *Client) Keeps() bool { return c.store.dir != "" }

// Cached reports whether the cache holds the archive of e, intact.
func (c *Client) Cached(e chartlock.Entry) bool { return c.store.has(e.Digest, c.maxArchive) }

// Source is where a chart's repository is downloaded from: its mirror's
// URL, or its own.
func (c *Client) Source(r Ref) string {
	u, _ := c.mirrors.rewrite(r.RepoURL)
	return u
}

// Archive returns the chart archive that e locks: from the cache, or else
// downloaded (unless offline), verified and kept. Its sha256 is e.Digest,
// or it is an error. The bytes are shared: do not modify them.
func (c *Client) Archive(ctx context.Context, e chartlock.Entry) ([]byte, error) {
	if !chartlock.ValidDigest(e.Digest) {
		return nil, fmt.Errorf("%s: digest %q is not sha256: and 64 hex digits", e, e.Digest)
	}
	c.mu.Lock()
	data, ok := c.archives[e.Digest]
	c.mu.Unlock()
	if ok {
		return data, nil
	}
	if data, ok := c.store.get(e.Digest, c.maxArchive); ok {
		c.remember(e.Digest, data)
		return data, nil
	}
	f, err := c.download(ctx, RefOf(e))
	if err != nil {
		return nil, err
	}
	if got := f.Entry.Digest; got != e.Digest {
		return nil, &MismatchError{Ref: RefOf(e), URL: f.URL, Got: got, Want: e.Digest, Against: chartlock.FileName}
	}
	if err := c.keep(f); err != nil {
		return nil, err
	}
	return f.Archive, nil
}

// Load returns the chart that e locks, as Helm's loader reads it (a
// *v2.Chart for apiVersion v1 and v2 charts), from Archive's bytes. Each
// call loads anew: rendering may change a chart (Helm drops disabled
// subcharts from it), so a loaded chart is not shared.
func (c *Client) Load(ctx context.Context, e chartlock.Entry) (chart.Charter, error) {
	data, err := c.Archive(ctx, e)
	if err != nil {
		return nil, err
	}
	ch, err := validate(data, RefOf(e))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e, err)
	}
	return ch, nil
}

func (c *Client) remember(digest string, data []byte) {
	c.mu.Lock()
	c.archives[digest] = data
	c.mu.Unlock()
}

// fetched is a chart downloaded and verified against its repository.
type fetched struct {
	Entry chartlock.Entry
	// URL is where the archive came from.
	URL     string
	Archive []byte
	// Published is false when the repository published no digest to
	// check the archive against: it is then trusted on first use.
	Published bool
	Took      time.Duration
}

// keep stores a verified archive in the cache and in memory.
func (c *Client) keep(f *fetched) error {
	if err := c.store.put(f.Archive); err != nil {
		return fmt.Errorf("cannot keep %s in the cache (%s): %w", RefOf(f.Entry), c.store.dir, err)
	}
	c.remember(f.Entry.Digest, f.Archive)
	return nil
}

// download gets ref from its repository or mirror and verifies it: the
// digest the repository publishes, the archive's structure, and the chart
// and version it holds.
func (c *Client) download(ctx context.Context, ref Ref) (*fetched, error) {
	src, from := c.mirrors.rewrite(ref.RepoURL)
	if c.offline {
		return nil, &UnavailableError{Ref: ref, URL: src, Offline: true}
	}
	start := time.Now()
	var (
		f   *fetched
		err error
	)
	switch {
	case strings.HasPrefix(src, "oci://"):
		f, err = c.pullOCI(ctx, src, ref)
	case strings.HasPrefix(src, "https://"), strings.HasPrefix(src, "http://"):
		f, err = c.pullHTTP(ctx, src, from, ref)
	default:
		return nil, fmt.Errorf("%s: the repository URL is neither https://, http:// nor oci://", ref)
	}
	if err != nil {
		return nil, err
	}
	got := digestOf(f.Archive)
	if f.Entry.Digest != "" && f.Entry.Digest != got {
		return nil, &MismatchError{Ref: ref, URL: f.URL, Got: got, Want: f.Entry.Digest, Against: "the repository"}
	}
	f.Entry = ref.Entry(got)
	if _, err := validate(f.Archive, ref); err != nil {
		return nil, fmt.Errorf("%s, downloaded from %s: %w", ref, redact(f.URL), err)
	}
	f.Took = time.Since(start)
	c.say("pulled %s %s from %s (%s in %.1fs)\n", ref.Chart, ref.Version, redact(f.URL), size(int64(len(f.Archive))), f.Took.Seconds())
	return f, nil
}

// say prints a progress line, whole.
func (c *Client) say(format string, args ...any) {
	if c.progress == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.progress, format, args...)
}

// pullHTTP finds ref in the index of the repository at src and downloads
// its archive. With a mirror (from is the upstream prefix it replaces), an
// absolute chart URL under the upstream is taken from the mirror instead,
// and a chart URL elsewhere is refused: the upstream is never contacted.
func (c *Client) pullHTTP(ctx context.Context, src, from string, ref Ref) (*fetched, error) {
	idx, err := c.index(ctx, src)
	if err != nil {
		return nil, &UnavailableError{Ref: ref, URL: src, Err: err}
	}
	cv := exactVersion(idx, ref.Chart, ref.Version)
	if cv == nil {
		return nil, notFound(idx, src, ref)
	}
	if len(cv.URLs) == 0 {
		return nil, fmt.Errorf("%s: the index of %s lists no URL to download it from", ref, redact(src))
	}
	u, err := repo.ResolveReferenceURL(src, cv.URLs[0])
	if err != nil {
		return nil, fmt.Errorf("%s: the index of %s: %w", ref, redact(src), err)
	}
	if from != "" {
		mirror := c.mirrors[from]
		if under(u, from) {
			u = strings.TrimSuffix(mirror, "/") + strings.TrimPrefix(u, strings.TrimSuffix(from, "/"))
		}
		if !under(u, mirror) {
			return nil, fmt.Errorf("%s: the index of mirror %s points at %s, outside the mirror; dorgu-gen downloads only from the mirror (make the mirror serve chart URLs relative or under %s)", ref, redact(src), redact(u), redact(mirror))
		}
	}
	c.say("pulling %s %s from %s\n", ref.Chart, ref.Version, redact(u))
	data, err := c.get(ctx, u, c.maxArchive)
	if err != nil {
		return nil, &UnavailableError{Ref: ref, URL: u, Err: err}
	}
	f := &fetched{URL: u, Archive: data}
	if d := strings.TrimPrefix(cv.Digest, "sha256:"); d != "" {
		f.Entry.Digest, f.Published = "sha256:"+strings.ToLower(d), true
	}
	return f, nil
}

// exactVersion returns the index entry of exactly that version. Helm's own
// lookup falls back to the closest version that satisfies the string read
// as a constraint; a pinned version must not.
func exactVersion(idx *repo.IndexFile, name, version string) *repo.ChartVersion {
	for _, cv := range idx.Entries[name] {
		if cv != nil && cv.Metadata != nil && cv.Version == version {
			return cv
		}
	}
	return nil
}

// notFound says what the index does hold, so that a typo is easy to see.
func notFound(idx *repo.IndexFile, src string, ref Ref) error {
	cvs := idx.Entries[ref.Chart]
	if len(cvs) == 0 {
		names := make([]string, 0, len(idx.Entries))
		for n := range idx.Entries {
			names = append(names, n)
		}
		slices.Sort(names)
		if len(names) > 10 {
			names = append(names[:10], "...")
		}
		return fmt.Errorf("%s: the repository at %s has no chart %q (it has %s)", ref, redact(src), ref.Chart, strings.Join(names, ", "))
	}
	var versions []string
	for _, cv := range cvs {
		if cv != nil && cv.Metadata != nil {
			versions = append(versions, cv.Version)
		}
	}
	if len(versions) > 5 {
		versions = append(versions[:5], "...")
	}
	return fmt.Errorf("%s: the repository at %s has no version %q of %s (newest: %s)", ref, redact(src), ref.Version, ref.Chart, strings.Join(versions, ", "))
}

// index returns the parsed index.yaml of the repository at src, read
// once per client: downloaded and kept in the cache, or, offline, the one
// the cache kept (errNotCached when there is none).
func (c *Client) index(ctx context.Context, src string) (*repo.IndexFile, error) {
	c.mu.Lock()
	r, ok := c.indexes[src]
	if !ok {
		r = &indexResult{}
		c.indexes[src] = r
	}
	c.mu.Unlock()
	r.once.Do(func() { r.idx, r.err = c.loadIndex(ctx, src) })
	return r.idx, r.err
}

// errNotCached is a document that --offline needs and the cache does not
// hold.
var errNotCached = errors.New("not in the cache")

func (c *Client) loadIndex(ctx context.Context, src string) (*repo.IndexFile, error) {
	u, err := repo.ResolveReferenceURL(src, "index.yaml")
	if err != nil {
		return nil, err
	}
	if c.offline {
		data, ok := c.store.getDoc(kindIndex, u, c.maxIndex)
		if !ok {
			return nil, errNotCached
		}
		return c.parseIndex(u, data)
	}
	data, err := c.get(ctx, u, c.maxIndex)
	if err != nil {
		return nil, err
	}
	idx, err := c.parseIndex(u, data)
	if err != nil {
		return nil, err
	}
	// Kept for --offline listings (dorgu-gen outdated); a cache that
	// cannot keep it costs those, not this run.
	_ = c.store.putDoc(kindIndex, u, data)
	return idx, nil
}

// parseIndex parses an index with Helm's parser, which reads a file: the
// bytes go through a temporary file next to the archives.
func (c *Client) parseIndex(u string, data []byte) (*repo.IndexFile, error) {
	dir := c.store.dir
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			dir = ""
		}
	}
	tmp, err := os.CreateTemp(dir, ".tmp-index-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr != nil || cerr != nil {
		return nil, fmt.Errorf("keeping the index %s: %v", redact(u), cmpOr(werr, cerr))
	}
	idx, err := repo.LoadIndexFile(tmp.Name())
	if err != nil {
		// Helm names the temporary file; the URL is what means something.
		msg := strings.ReplaceAll(err.Error(), "error loading "+tmp.Name()+": ", "")
		return nil, fmt.Errorf("%s is not a Helm repository index: %s", redact(u), msg)
	}
	return idx, nil
}

// pullOCI pulls ref from the registry at src with Helm's registry client.
// Helm's client makes its requests with a background context and reads
// blobs whole: the transport ties them to ctx and bounds each body.
func (c *Client) pullOCI(ctx context.Context, src string, ref Ref) (*fetched, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	// Helm's convention: "+" is not allowed in an OCI tag, so a version
	// 1.0.0+build is tagged 1.0.0_build.
	name := strings.TrimSuffix(strings.TrimPrefix(src, "oci://"), "/") + "/" + ref.Chart + ":" + strings.ReplaceAll(ref.Version, "+", "_")
	u := "oci://" + name
	hc := &http.Client{Transport: &boundTransport{ctx: ctx, base: c.rt, max: c.maxArchive}, CheckRedirect: checkRedirect}
	opts := []registry.ClientOption{registry.ClientOptHTTPClient(hc), registry.ClientOptWriter(io.Discard)}
	if c.registryConfig != "" {
		opts = append(opts, registry.ClientOptCredentialsFile(c.registryConfig))
	}
	rc, err := registry.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	c.say("pulling %s %s from %s\n", ref.Chart, ref.Version, u)
	res, err := rc.Pull(name, registry.PullOptWithChart(true))
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return nil, &UnavailableError{Ref: ref, URL: u, Err: err}
	}
	if res.Chart == nil || len(res.Chart.Data) == 0 {
		return nil, fmt.Errorf("%s: %s holds no chart layer", ref, u)
	}
	return &fetched{URL: u, Archive: bytes.Clone(res.Chart.Data), Entry: chartlock.Entry{Digest: res.Chart.Digest}, Published: true}, nil
}
