package helmrender_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/dorgu/dorgu-gen/internal/chartlock"
	"github.com/dorgu/dorgu-gen/internal/charts"
	"github.com/dorgu/dorgu-gen/internal/charts/chartstest"
	"github.com/dorgu/dorgu-gen/internal/helmrender"
)

func TestLockedChartsServeTheLockedArchiveOffline(t *testing.T) {
	srv, archives := chartstest.Repo(t, "", filepath.Join("..", "charts", "testdata", "charts", "demo"))
	dir := t.TempDir()
	ref := charts.Ref{RepoURL: srv.URL, Chart: "demo", Version: "1.2.3"}
	online, err := charts.New(charts.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	res, err := online.Pull(context.Background(), nil, []charts.Ref{ref})
	if err != nil {
		t.Fatal(err)
	}
	srv.Forbid(t)
	offline, err := charts.New(charts.Options{Dir: dir, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	src := helmrender.NewLockedCharts(offline, res.Lock)
	cr := helmrender.ChartRef{Component: "demo", RepoURL: srv.URL, Name: "demo", Version: "1.2.3"}
	c, err := src.Chart(context.Background(), cr)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "demo" || c.Version != "1.2.3" || c.Digest != chartstest.Digest(archives[0]) {
		t.Fatalf("%+v", c)
	}
	again, _ := src.Chart(context.Background(), cr)
	if again != c {
		t.Fatal("the same archive was loaded twice")
	}
	cr.Version = "9.9.9"
	var missing *helmrender.MissingChartError
	if _, err := src.Chart(context.Background(), cr); !errors.As(err, &missing) {
		t.Fatalf("an unlocked version: got %v", err)
	}
	// A cold cache offline: the chart client's error, naming the chart.
	cold, _ := charts.New(charts.Options{Dir: t.TempDir(), Offline: true})
	lock, _ := chartlock.New(res.Lock.Entries)
	cr.Version = "1.2.3"
	var ue *charts.UnavailableError
	if _, err := helmrender.NewLockedCharts(cold, lock).Chart(context.Background(), cr); !errors.As(err, &ue) {
		t.Fatalf("cold: got %v", err)
	}
}
