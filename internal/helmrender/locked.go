package helmrender

import (
	"context"
	"sync"

	"github.com/dorgu/dorgu-gen/internal/chartlock"
	"github.com/dorgu/dorgu-gen/internal/charts"
)

// LockedCharts serves the charts dorgu.lock locks, through the chart
// client: each archive comes from the cache (or is downloaded, unless the
// client is offline) and is the one whose sha256 the lock records. A chart
// the lock does not have is a MissingChartError. Each archive is read and
// checked once however many clusters run it.
type LockedCharts struct {
	client *charts.Client
	lock   *chartlock.Lock

	mu     sync.Mutex
	loaded map[string]*Chart // by digest
}

// NewLockedCharts serves the charts of lock through client.
func NewLockedCharts(client *charts.Client, lock *chartlock.Lock) *LockedCharts {
	return &LockedCharts{client: client, lock: lock, loaded: map[string]*Chart{}}
}

// Chart returns the locked chart of ref.
func (l *LockedCharts) Chart(ctx context.Context, ref ChartRef) (*Chart, error) {
	e, ok := l.lock.Find(ref.RepoURL, ref.Name, ref.Version)
	if !ok {
		return nil, &MissingChartError{Refs: []ChartRef{ref}}
	}
	l.mu.Lock()
	c, ok := l.loaded[e.Digest]
	l.mu.Unlock()
	if ok {
		return c, nil
	}
	data, err := l.client.Archive(ctx, e)
	if err != nil {
		return nil, err
	}
	c, err = FromArchive(data)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.loaded[e.Digest] = c
	l.mu.Unlock()
	return c, nil
}
