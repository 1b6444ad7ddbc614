package charts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
	"helm.sh/helm/v4/pkg/helmpath"
	"helm.sh/helm/v4/pkg/registry"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/credentials"
)

// Bounds on listing a registry's tags. A chart released weekly for twenty
// years has about a thousand; the registry answers in pages of at most
// 4 MiB (oras's bound on a response), and all of them together are held
// to the bound of an index.
const (
	maxTags     = 100_000
	maxTagPages = 1000
)

// Chart names a chart of a repository, all its releases.
type Chart struct {
	RepoURL string `json:"repoURL"`
	Name    string `json:"chart"`
}

func (ch Chart) String() string { return fmt.Sprintf("chart %s from %s", ch.Name, redact(ch.RepoURL)) }

// Release is one version of a chart that its repository publishes.
type Release struct {
	Version Version
	// AppVersion is the Chart.yaml's appVersion: for every release of an
	// HTTP repository; for an OCI registry, only for the newest release and
	// the newest pre-release, each of which costs a request. "" otherwise,
	// or when the chart has none.
	AppVersion string
}

// Releases are the releases of one chart, newest first.
type Releases struct {
	Chart Chart
	// Source is where they were listed: the repository's index or the
	// registry's repository, the mirror's when there is one.
	Source string
	// List holds the SemVer releases, newest first (see ParseVersion);
	// others are left out and counted in Skipped.
	List    []Release
	Skipped int
}

// Newest returns the newest release, a pre-release only when pre is true.
func (r *Releases) Newest(pre bool) (Release, bool) {
	for _, rel := range r.List {
		if pre || !rel.Version.Prerelease() {
			return rel, true
		}
	}
	return Release{}, false
}

// Find returns the release of exactly version v.
func (r *Releases) Find(v string) (Release, bool) {
	for _, rel := range r.List {
		if rel.Version.Raw == v {
			return rel, true
		}
	}
	return Release{}, false
}

// ListError is a chart whose releases could not be listed: offline, with
// no listing in the cache, or a repository that cannot be reached.
type ListError struct {
	Chart Chart
	// URL is what would have been read: the index or the registry
	// repository, the mirror's when there is one.
	URL     string
	Offline bool
	Err     error
}

func (e *ListError) Error() string {
	if e.Offline {
		return fmt.Sprintf("the releases of %s are not in the cache (no earlier dorgu-gen charts pull or outdated read %s), and --offline forbids reading them", e.Chart, redact(e.URL))
	}
	return fmt.Sprintf("the releases of %s cannot be listed from %s: %v", e.Chart, redact(e.URL), e.Err)
}

func (e *ListError) Unwrap() error { return e.Err }

// ListReleases lists the releases of every chart, several at a time, each
// repository's index read once. Every chart is tried and every failure
// reported, in the order of charts.
func (c *Client) ListReleases(ctx context.Context, charts []Chart) ([]*Releases, error) {
	out := make([]*Releases, len(charts))
	errs := make([]error, len(charts))
	var g errgroup.Group
	g.SetLimit(parallel)
	for i, ch := range charts {
		g.Go(func() error {
			out[i], errs[i] = c.Releases(ctx, ch)
			return nil
		})
	}
	_ = g.Wait()
	e := &Errors{}
	for _, err := range errs {
		if err == nil {
			continue
		}
		e.Errs = append(e.Errs, err)
		var le *ListError
		if errors.As(err, &le) {
			e.Remedy = "To list them: run dorgu-gen charts pull or dorgu-gen outdated without --offline where the repositories are reachable, or set a mirror (chartMirrors in the config, or --chart-mirror FROM=TO)."
		}
	}
	if len(e.Errs) > 0 {
		return nil, e
	}
	return out, nil
}

// Releases lists the releases of ch: from its repository's index.yaml, or
// its registry's tags, through the mirror where one is set. Offline, it
// reads what the cache kept of the last listing: the index the last pull
// or listing downloaded, the tags the last listing read.
func (c *Client) Releases(ctx context.Context, ch Chart) (*Releases, error) {
	src, _ := c.mirrors.rewrite(ch.RepoURL)
	switch {
	case strings.HasPrefix(src, "oci://"):
		return c.ociReleases(ctx, src, ch)
	case strings.HasPrefix(src, "https://"), strings.HasPrefix(src, "http://"):
		return c.httpReleases(ctx, src, ch)
	}
	return nil, fmt.Errorf("%s: the repository URL is neither https://, http:// nor oci://", ch)
}

func (c *Client) httpReleases(ctx context.Context, src string, ch Chart) (*Releases, error) {
	idx, err := c.index(ctx, src)
	if err != nil {
		u := strings.TrimSuffix(src, "/") + "/index.yaml"
		return nil, &ListError{Chart: ch, URL: u, Offline: errors.Is(err, errNotCached), Err: err}
	}
	cvs, ok := idx.Entries[ch.Name]
	if !ok {
		return nil, notFound(idx, src, Ref{RepoURL: ch.RepoURL, Chart: ch.Name})
	}
	r := &Releases{Chart: ch, Source: src}
	for _, cv := range cvs {
		if cv == nil || cv.Metadata == nil || cv.Removed {
			continue
		}
		v, ok := ParseVersion(cv.Version)
		if !ok {
			r.Skipped++
			continue
		}
		r.List = append(r.List, Release{Version: v, AppVersion: cv.AppVersion})
	}
	sortReleases(r.List)
	return r, nil
}

func sortReleases(list []Release) {
	slices.SortFunc(list, func(a, b Release) int { return b.Version.Compare(a.Version) })
}

// tagListing is what the cache keeps of a registry repository's tags.
type tagListing struct {
	Tags        []string          `json:"tags"`
	AppVersions map[string]string `json:"appVersions"`
}

func (c *Client) ociReleases(ctx context.Context, src string, ch Chart) (*Releases, error) {
	name := strings.TrimSuffix(strings.TrimPrefix(src, "oci://"), "/") + "/" + ch.Name
	u := "oci://" + name
	var l tagListing
	if c.offline {
		data, ok := c.store.getDoc(kindTags, u, c.maxIndex)
		if !ok || json.Unmarshal(data, &l) != nil {
			return nil, &ListError{Chart: ch, URL: u, Offline: true, Err: errNotCached}
		}
	} else {
		tags, err := c.tags(ctx, name)
		if err != nil {
			return nil, &ListError{Chart: ch, URL: u, Err: err}
		}
		l = tagListing{Tags: tags, AppVersions: map[string]string{}}
		r := c.ociList(ch, src, l)
		// The appVersion lives in each tag's config: read it for the
		// releases a listing is asked about.
		for _, pre := range []bool{false, true} {
			rel, ok := r.Newest(pre)
			if !ok {
				continue
			}
			if _, done := l.AppVersions[rel.Version.Raw]; done {
				continue
			}
			av, err := c.ociAppVersion(ctx, name, rel.Version.Raw)
			if err != nil {
				return nil, &ListError{Chart: ch, URL: u, Err: err}
			}
			l.AppVersions[rel.Version.Raw] = av
		}
		if data, err := json.Marshal(l); err == nil {
			_ = c.store.putDoc(kindTags, u, data)
		}
	}
	return c.ociList(ch, src, l), nil
}

// ociList turns tags into releases. Helm tags a version 1.0.0+build as
// 1.0.0_build, "+" being no character of a tag.
func (c *Client) ociList(ch Chart, src string, l tagListing) *Releases {
	r := &Releases{Chart: ch, Source: src}
	for _, tag := range l.Tags {
		v, ok := ParseVersion(strings.ReplaceAll(tag, "_", "+"))
		if !ok {
			r.Skipped++
			continue
		}
		r.List = append(r.List, Release{Version: v, AppVersion: l.AppVersions[v.Raw]})
	}
	sortReleases(r.List)
	return r
}

// tags lists the tags of the registry repository name (host/path/chart),
// with the credentials Helm's registry client uses: those of helm
// registry login, then Docker's. Helm's own listing keeps strict SemVer
// tags only, which leaves out v-prefixed ones (cert-manager's), so the
// registry is asked directly.
func (c *Client) tags(ctx context.Context, name string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	repository, err := remote.NewRepository(name)
	if err != nil {
		return nil, err
	}
	store, err := c.credentials()
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Transport: &boundTransport{ctx: ctx, base: c.rt, max: c.maxIndex, budget: newBudget(c.maxIndex)}, CheckRedirect: checkRedirect}
	repository.Client = &auth.Client{Client: hc, Credential: credentials.Credential(store), Header: http.Header{"User-Agent": {userAgent}}}
	repository.TagListMaxPages = maxTagPages
	seen := map[string]bool{}
	err = repository.Tags(ctx, "", func(tags []string) error {
		for _, t := range tags {
			seen[t] = true
		}
		if len(seen) > maxTags {
			return fmt.Errorf("more than %d tags", maxTags)
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return nil, err
	}
	return slices.Sorted(maps.Keys(seen)), nil
}

// credentials is the store Helm's registry client reads: the file of helm
// registry login (or RegistryConfig), falling back to Docker's.
func (c *Client) credentials() (credentials.Store, error) {
	file := c.registryConfig
	if file == "" {
		file = helmpath.ConfigPath(registry.CredentialsFileBasename)
	}
	opts := credentials.StoreOptions{DetectDefaultNativeStore: true}
	store, err := credentials.NewStore(file, opts)
	if err != nil {
		return nil, err
	}
	docker, err := credentials.NewStoreFromDocker(opts)
	if err != nil {
		return store, nil //nolint:nilerr // no Docker credentials: Helm's own file alone
	}
	return credentials.NewStoreWithFallbacks(store, docker), nil
}

// ociAppVersion reads the appVersion of one tag from its config, which
// holds the Chart.yaml: the manifest and the config, not the chart.
func (c *Client) ociAppVersion(ctx context.Context, name, version string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	hc := &http.Client{Transport: &boundTransport{ctx: ctx, base: c.rt, max: c.maxIndex}, CheckRedirect: checkRedirect}
	opts := []registry.ClientOption{registry.ClientOptHTTPClient(hc), registry.ClientOptWriter(io.Discard)}
	if c.registryConfig != "" {
		opts = append(opts, registry.ClientOptCredentialsFile(c.registryConfig))
	}
	rc, err := registry.NewClient(opts...)
	if err != nil {
		return "", err
	}
	ref := name + ":" + strings.ReplaceAll(version, "+", "_")
	res, err := rc.Pull(ref, registry.PullOptWithChart(false), registry.PullOptWithProv(true), registry.PullOptIgnoreMissingProv(true))
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return "", fmt.Errorf("reading the chart metadata of %s: %w", ref, err)
	}
	if res.Chart == nil || res.Chart.Meta == nil {
		return "", nil
	}
	return res.Chart.Meta.AppVersion, nil
}
