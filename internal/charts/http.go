package charts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/dorgu/dorgu-gen/internal/chartlock"
)

// maxRedirects bounds a chain of redirects, as browsers and Go do.
const maxRedirects = 10

// defaultTransport is a transport with every phase bounded: a host that
// accepts the connection and then says nothing costs seconds, not forever.
// Proxies come from the environment (HTTPS_PROXY, NO_PROXY), as companies
// behind one configure them.
func defaultTransport() http.RoundTripper {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   4,
		ForceAttemptHTTP2:     true,
	}
}

// checkRedirect follows a redirect only to http(s), never from https down
// to plain http, and not forever.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("more than %d redirects", maxRedirects)
	}
	switch req.URL.Scheme {
	case "https":
	case "http":
		if via[len(via)-1].URL.Scheme == "https" {
			return fmt.Errorf("refusing a redirect from https to plain http (%s)", redact(req.URL.String()))
		}
	default:
		return fmt.Errorf("refusing a redirect to %q: only http and https are followed", redact(req.URL.String()))
	}
	return nil
}

// httpClient is the client of every download: bounded phases, checked
// redirects. The overall time of one download is bounded by its context.
func (c *Client) httpClient(rt http.RoundTripper) *http.Client {
	return &http.Client{Transport: rt, CheckRedirect: checkRedirect}
}

// TooLargeError is a response larger than its bound.
type TooLargeError struct {
	URL string
	Max int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %s, the limit", redact(e.URL), size(e.Max))
}

// get downloads u, at most max bytes, within the client's timeout.
func (c *Client) get(ctx context.Context, u string, max int64) ([]byte, error) {
	if err := checkScheme(u); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, cleanURLError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", redact(u), resp.Status)
	}
	if resp.ContentLength > max {
		return nil, &TooLargeError{URL: u, Max: max}
	}
	return readBounded(resp.Body, u, max)
}

// readBounded reads r to the end, failing past max bytes.
func readBounded(r io.Reader, u string, max int64) ([]byte, error) {
	var buf []byte
	chunk := make([]byte, 32<<10)
	for {
		n, err := r.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if int64(len(buf)) > max {
			return nil, &TooLargeError{URL: u, Max: max}
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// checkScheme refuses anything but http and https: a repository index is
// hostile input, and a chart URL of file:// must not read the disk.
func checkScheme(u string) error {
	p, err := url.Parse(u)
	if err != nil {
		return err
	}
	if p.Scheme != "http" && p.Scheme != "https" {
		return fmt.Errorf("%s: only http and https URLs are downloaded", redact(u))
	}
	return nil
}

// redact hides a password in a URL: messages are printed in CI logs.
func redact(u string) string { return chartlock.Redact(u) }

// cleanURLError drops the "Get URL:" wrapper, whose URL may carry a
// password, keeping the cause.
func cleanURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("GET %s: %w", redact(ue.URL), ue.Err)
	}
	return err
}

// size prints a byte count for people.
func size(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	case n >= 1<<10:
		return strconv.FormatInt((n+512)>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// boundTransport ties the requests of Helm's registry client, which makes
// them with a background context, to the caller's context, and bounds
// every response body, and, with a budget, all of them together.
type boundTransport struct {
	ctx    context.Context
	base   http.RoundTripper
	max    int64
	budget *budget
}

// budget bounds the bytes of several responses together: the pages of a
// registry's tag list.
type budget struct {
	max  int64
	left atomic.Int64
}

func newBudget(max int64) *budget {
	b := &budget{max: max}
	b.left.Store(max)
	return b
}

func (t *boundTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req.WithContext(t.ctx))
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > t.max {
		resp.Body.Close()
		return nil, &TooLargeError{URL: req.URL.String(), Max: t.max}
	}
	resp.Body = &boundBody{ReadCloser: resp.Body, url: req.URL.String(), max: t.max, left: t.max, budget: t.budget}
	return resp, nil
}

type boundBody struct {
	io.ReadCloser
	url       string
	max, left int64
	budget    *budget
}

func (b *boundBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, &TooLargeError{URL: b.url, Max: b.max}
	}
	if b.budget != nil && b.budget.left.Add(-int64(n)) < 0 {
		return n, &TooLargeError{URL: b.url, Max: b.budget.max}
	}
	return n, err
}
