package charts

import (
	"context"
	"fmt"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/dorgu/dorgu-gen/internal/chartlock"
)

// parallel bounds the downloads in flight: enough to hide latency, few
// enough not to look like an attack on a repository.
const parallel = 4

// Pulled is one chart of a pull.
type Pulled struct {
	Entry chartlock.Entry
	// Downloaded is false when the cache held the locked archive.
	Downloaded bool
	// URL is where a downloaded archive came from.
	URL string
	// New is true when the lock had no entry for the chart.
	New bool
	// Unverified is true when the repository published no digest, so the
	// archive was locked on first use.
	Unverified bool
}

// PullResult is the lock after a pull and how it came about.
type PullResult struct {
	Lock *chartlock.Lock
	// Charts are the pulled charts, in the lock's order.
	Charts []Pulled
	// Dropped are the entries of the old lock that no chart uses.
	Dropped []chartlock.Entry
}

// Pull makes every chart of refs available in the cache and returns the
// lock of exactly those charts. A chart the old lock has is verified
// against its entry, from the cache or downloaded; one it does not have is
// downloaded and locked. Entries no ref uses are dropped. Every chart is
// tried, and every failure reported, sorted; on any failure there is no
// lock.
func (c *Client) Pull(ctx context.Context, old *chartlock.Lock, refs []Ref) (*PullResult, error) {
	refs = slices.Clone(refs)
	slices.SortFunc(refs, compareRefs)
	refs = slices.Compact(refs)
	out := make([]Pulled, len(refs))
	errs := make([]error, len(refs))
	var g errgroup.Group
	g.SetLimit(parallel)
	for i, r := range refs {
		g.Go(func() error {
			out[i], errs[i] = c.pullOne(ctx, old, r)
			return nil
		})
	}
	_ = g.Wait()
	remedy := "To get them: run dorgu-gen charts pull where the repositories are reachable, or set a mirror (chartMirrors in the config, or --chart-mirror FROM=TO)."
	if c.offline {
		remedy = "To get them: run dorgu-gen charts pull without --offline where the repositories are reachable, or set a mirror (chartMirrors in the config, or --chart-mirror FROM=TO)."
	}
	if err := collect(errs, remedy); err != nil {
		return nil, err
	}
	entries := make([]chartlock.Entry, len(out))
	for i, p := range out {
		entries[i] = p.Entry
	}
	lock, err := chartlock.New(entries)
	if err != nil {
		return nil, err
	}
	res := &PullResult{Lock: lock, Charts: out}
	if old != nil {
		for _, e := range old.Entries {
			if _, ok := lock.Find(e.RepoURL, e.Chart, e.Version); !ok {
				res.Dropped = append(res.Dropped, e)
			}
		}
	}
	return res, nil
}

func (c *Client) pullOne(ctx context.Context, old *chartlock.Lock, r Ref) (Pulled, error) {
	e, locked := Find(old, r)
	if locked && c.Cached(e) {
		return Pulled{Entry: e}, nil
	}
	f, err := c.download(ctx, r)
	if err != nil {
		return Pulled{}, err
	}
	if locked && f.Entry.Digest != e.Digest {
		return Pulled{}, &MismatchError{Ref: r, URL: f.URL, Got: f.Entry.Digest, Want: e.Digest, Against: chartlock.FileName}
	}
	if err := c.keep(f); err != nil {
		return Pulled{}, err
	}
	return Pulled{Entry: f.Entry, Downloaded: true, URL: f.URL, New: !locked, Unverified: !f.Published}, nil
}

// Locked returns the lock entry of every ref, having made sure that its
// archive is in the cache (downloading it unless offline) and matches the
// entry: what render and vet need before they load the charts. A ref that
// the lock does not have is an error, as is a chart that cannot be had.
func (c *Client) Locked(ctx context.Context, lock *chartlock.Lock, lockPath string, refs []Ref) ([]chartlock.Entry, error) {
	var missing []error
	entries := make([]chartlock.Entry, 0, len(refs))
	for _, r := range refs {
		e, ok := Find(lock, r)
		if !ok {
			missing = append(missing, fmt.Errorf("%s is not in %s; run dorgu-gen charts pull to lock it", r, lockPath))
			continue
		}
		entries = append(entries, e)
	}
	if err := collect(missing, ""); err != nil {
		return nil, err
	}
	errs := make([]error, len(entries))
	var g errgroup.Group
	g.SetLimit(parallel)
	for i, e := range entries {
		g.Go(func() error {
			_, errs[i] = c.Archive(ctx, e)
			return nil
		})
	}
	_ = g.Wait()
	pull := "run dorgu-gen charts pull"
	if c.offline {
		pull += " without --offline"
	}
	if err := collect(errs, "To get them: "+pull+" where the repositories are reachable, set a mirror (chartMirrors in the config, or --chart-mirror FROM=TO), or skip the chart checks with --no-charts."); err != nil {
		return nil, err
	}
	return entries, nil
}
