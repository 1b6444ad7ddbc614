// Package outdated compares the chart version each cluster pins for each
// component with the releases its repository publishes: the newest, its
// appVersion, and whether the step to it is a major one.
package outdated

import (
	"cmp"
	"context"
	"slices"

	"github.com/dorgu/dorgu-gen/internal/charts"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

// SchemaVersion is the version of the JSON report's schema: a key is
// removed or changes meaning only with a new one.
const SchemaVersion = 1

// Status says how a pinned version stands to the newest release.
type Status string

const (
	// Outdated: a newer release exists.
	Outdated Status = "outdated"
	// Current: the pinned version is the newest release.
	Current Status = "current"
	// Ahead: the pinned version is newer than every release listed (a
	// pre-release without --pre, or a version the repository dropped).
	Ahead Status = "ahead"
	// Unknown: the pinned version is not SemVer, or the repository lists
	// no release to compare it with.
	Unknown Status = "unknown"
)

// Entry is one component in one cluster.
type Entry struct {
	Component   string `json:"component"`
	Cluster     string `json:"cluster"`
	Environment string `json:"environment"`
	RepoURL     string `json:"repoURL"`
	Chart       string `json:"chart"`
	Pinned      string `json:"pinned"`
	// Newest is the newest release ("" when the repository lists none),
	// AppVersion its appVersion ("" when unknown).
	Newest     string `json:"newest"`
	AppVersion string `json:"appVersion"`
	// Major is true when the step from Pinned to Newest is a major one.
	Major  bool   `json:"major"`
	Status Status `json:"status"`
}

// Report is the result of a check.
type Report struct {
	Version int `json:"version"`
	// Config names where the sources came from.
	Config string `json:"config"`
	// Offline is true when the releases came from the cache.
	Offline bool `json:"offline"`
	// Prereleases is true when pre-releases counted as releases.
	Prereleases bool    `json:"prereleases"`
	Entries     []Entry `json:"entries"`
	Summary     Summary `json:"summary"`
}

// Summary counts the entries.
type Summary struct {
	Entries  int `json:"entries"`
	Outdated int `json:"outdated"`
	// Major counts the outdated entries whose step is a major one.
	Major int `json:"major"`
}

// Lister lists the releases of charts: the chart client.
type Lister interface {
	ListReleases(ctx context.Context, charts []charts.Chart) ([]*charts.Releases, error)
}

// Options of a check.
type Options struct {
	// Config names the sources, for the report.
	Config string
	// Offline is recorded in the report.
	Offline bool
	// Prereleases counts pre-releases as releases.
	Prereleases bool
}

// Check compares every component of every selected cluster of s with the
// releases of its chart. Entries are sorted by component, then cluster.
func Check(ctx context.Context, s *stack.Stack, l Lister, o Options) (*Report, error) {
	clusters := s.WrittenClusters()
	seen := map[charts.Chart]int{}
	var list []charts.Chart
	for _, c := range clusters {
		for _, comp := range c.Components {
			ch := charts.Chart{RepoURL: comp.RepoURL, Name: comp.Chart}
			if _, ok := seen[ch]; !ok {
				seen[ch] = len(list)
				list = append(list, ch)
			}
		}
	}
	rels, err := l.ListReleases(ctx, list)
	if err != nil {
		return nil, err
	}
	r := &Report{Version: SchemaVersion, Config: o.Config, Offline: o.Offline, Prereleases: o.Prereleases, Entries: []Entry{}}
	for _, c := range clusters {
		for _, comp := range c.Components {
			e := Entry{
				Component: comp.Name, Cluster: c.Name, Environment: c.Environment,
				RepoURL: comp.RepoURL, Chart: comp.Chart, Pinned: comp.Version,
			}
			compare(&e, rels[seen[charts.Chart{RepoURL: comp.RepoURL, Name: comp.Chart}]], o.Prereleases)
			r.Entries = append(r.Entries, e)
		}
	}
	slices.SortFunc(r.Entries, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(a.Component, b.Component), cmp.Compare(a.Cluster, b.Cluster))
	})
	for _, e := range r.Entries {
		r.Summary.Entries++
		if e.Status == Outdated {
			r.Summary.Outdated++
			if e.Major {
				r.Summary.Major++
			}
		}
	}
	return r, nil
}

// compare fills in the newest release and how the pinned version stands
// to it.
func compare(e *Entry, rels *charts.Releases, pre bool) {
	e.Status = Unknown
	newest, ok := rels.Newest(pre)
	if !ok {
		return
	}
	e.Newest, e.AppVersion = newest.Version.Raw, newest.AppVersion
	pinned, ok := charts.ParseVersion(e.Pinned)
	if !ok {
		return
	}
	switch {
	case newest.Version.Newer(pinned):
		e.Status = Outdated
		e.Major = pinned.MajorStep(newest.Version)
	case pinned.Newer(newest.Version):
		e.Status = Ahead
	default:
		e.Status = Current
	}
}
