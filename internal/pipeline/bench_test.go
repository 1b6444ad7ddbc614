package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/dorgu/dorgu-gen/bench/fleet"
	"github.com/dorgu/dorgu-gen/internal/cache"
	"github.com/dorgu/dorgu-gen/internal/charts/chartstest"
	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/helmrender"
	"github.com/dorgu/dorgu-gen/internal/pipeline"
	"github.com/dorgu/dorgu-gen/internal/stack"
	"github.com/dorgu/dorgu-gen/internal/vet"
	"github.com/dorgu/dorgu-gen/internal/write"
)

// The benchmarks of issue 7, in an external test package so that they can
// run vet, which imports this package. They run only with -bench:
//
//	go test ./internal/pipeline -run '^$' -bench . -benchmem
//	go test ./internal/pipeline -run '^$' -bench 'BenchmarkRender/clusters=100$' -cpuprofile cpu.prof
//
// The fleets are the ones bench/compare.sh renders (package bench/fleet):
// the embedded default stack over N clusters cycling through the
// environments and providers, and one cluster with 54 generated components
// on top of the six blessed ones. clusters=1000 takes minutes per
// iteration; `-benchtime 1x` runs every size once.

type benchCase struct {
	name     string
	clusters int
	extra    int // generated components on top of the blessed six
}

var benchCases = []benchCase{
	{"clusters=1", 1, 0},
	{"clusters=10", 10, 0},
	{"clusters=100", 100, 0},
	{"clusters=1000", 1000, 0},
	{"components=60", 1, 60 - fleet.BlessedComponents},
}

// fleetConfig writes the fleet's dorgu.cue into a fresh directory and
// returns the options that render it.
func fleetConfig(b *testing.B, clusters, extra int) config.Options {
	b.Helper()
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dorgu.cue"), fleet.Config(clusters, extra), 0o644); err != nil {
		b.Fatal(err)
	}
	return config.Options{Dir: dir}
}

// BenchmarkRender measures the pipeline that `dorgu-gen render` runs before
// it writes: load the sources, evaluate the CUE, plan the files and check
// them with the policies. Custom metrics: ns/cluster and files/op (the
// files planned, README included).
func BenchmarkRender(b *testing.B) { benchRender(b, false) }

// BenchmarkRenderCached is BenchmarkRender with the cache filled by a run
// before the timer starts: a re-run over unchanged sources, which takes
// the plan and the findings from the cache.
func BenchmarkRenderCached(b *testing.B) { benchRender(b, true) }

// warmCache returns a cache that holds what a render of opts computes, or
// nil when cached is false.
func warmCache(b *testing.B, opts config.Options, cached bool) *cache.Store {
	b.Helper()
	if !cached {
		return nil
	}
	store, err := cache.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := pipeline.Render(context.Background(), opts, store); err != nil {
		b.Fatal(err)
	}
	return store
}

func benchRender(b *testing.B, cached bool) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			opts := fleetConfig(b, bc.clusters, bc.extra)
			ctx := context.Background()
			store := warmCache(b, opts, cached)
			b.ReportAllocs()
			b.ResetTimer()
			var files int
			for range b.N {
				res, err := pipeline.Render(ctx, opts, store)
				if err != nil {
					b.Fatal(err)
				}
				if finding.HasErrors(res.Findings) {
					b.Fatalf("policy errors: %+v", res.Findings)
				}
				files = len(res.Tree.Files)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*bc.clusters), "ns/cluster")
			b.ReportMetric(float64(files), "files/op")
		})
	}
}

// BenchmarkRenderWrite adds what the command does after the pipeline:
// write the scaffold into a fresh directory (ledger, journal, one syncfs
// before the journal and one after the renames). The directory is removed
// outside the timer. clusters=1000 is left to bench/compare.sh, which
// renders it once through the binary.
func BenchmarkRenderWrite(b *testing.B) {
	for _, bc := range benchCases {
		if bc.clusters > 100 {
			continue
		}
		b.Run(bc.name, func(b *testing.B) {
			opts := fleetConfig(b, bc.clusters, bc.extra)
			ctx := context.Background()
			parent := b.TempDir()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				res, err := pipeline.Render(ctx, opts, nil)
				if err != nil {
					b.Fatal(err)
				}
				out := filepath.Join(parent, fmt.Sprint(i))
				plan, err := write.Prepare(out, res.Tree, write.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if err := plan.Apply(ctx); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := os.RemoveAll(out); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*bc.clusters), "ns/cluster")
		})
	}
}

// BenchmarkVet measures `dorgu-gen vet` on an up-to-date scaffold: the
// fleet is rendered once and its files written (without the writer's
// fsyncs, which would make the setup of clusters=1000 take minutes), then
// every iteration vets it: sources, drift and the scaffold read back from
// disk. A finding that fails vet fails the benchmark.
func BenchmarkVet(b *testing.B) { benchVet(b, false) }

// BenchmarkVetCached is BenchmarkVet with a cache that a vet before the
// timer filled.
func BenchmarkVetCached(b *testing.B) { benchVet(b, true) }

func benchVet(b *testing.B, cached bool) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			opts := fleetConfig(b, bc.clusters, bc.extra)
			ctx := context.Background()
			store := warmCache(b, opts, cached)
			res, err := pipeline.Render(ctx, opts, store)
			if err != nil {
				b.Fatal(err)
			}
			out := b.TempDir()
			for _, f := range res.Tree.Files {
				p := filepath.Join(out, filepath.FromSlash(f.Path))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					b.Fatal(err)
				}
				if err := os.WriteFile(p, f.Content, 0o644); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := vet.Run(ctx, vet.Options{Sources: opts, Out: out, Cache: store}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				r, err := vet.Run(ctx, vet.Options{Sources: opts, Out: out, Cache: store})
				if err != nil {
					b.Fatal(err)
				}
				if r.Failed() {
					b.Fatalf("vet fails on an up-to-date scaffold: %s", r.SummaryLine())
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*bc.clusters), "ns/cluster")
		})
	}
}

// The chart checks (issue 12): render and vet with the charts step, with
// the six blessed components' stand-in charts of bench/fleet (about 180
// objects and 3.8 MB of CRDs per cluster), loaded from disk as the chart
// client loads a pulled archive from the cache:
//
//	go test ./internal/pipeline -run '^$' -bench 'Charts' -benchtime 3x -cpu 1,2
//
// BenchmarkRenderChartsOneChanged is a warm run after one cluster's values
// changed: the CUE is evaluated again (the plan is cached per config), but
// only that cluster's charts are rendered again.

var chartBenchCases = []benchCase{
	{"clusters=1", 1, 0},
	{"clusters=10", 10, 0},
	{"clusters=100", 100, 0},
}

// standInCharts packages the stand-in charts once per benchmark.
func standInCharts(b *testing.B) helmrender.LocalCharts {
	b.Helper()
	dir := b.TempDir()
	local := helmrender.LocalCharts{}
	for _, s := range fleet.StandIns {
		p, err := s.WriteChart(dir)
		if err != nil {
			b.Fatal(err)
		}
		ch, err := helmrender.FromArchive(chartstest.Package(b, p))
		if err != nil {
			b.Fatal(err)
		}
		local[s.Component] = ch
	}
	return local
}

func withCharts(local helmrender.LocalCharts) pipeline.ChartsFunc {
	return func(context.Context, *config.Config, *stack.Stack) (helmrender.ChartSource, error) {
		return local, nil
	}
}

func BenchmarkRenderCharts(b *testing.B)       { benchRenderCharts(b, false) }
func BenchmarkRenderChartsCached(b *testing.B) { benchRenderCharts(b, true) }

func benchRenderCharts(b *testing.B, cached bool) {
	local := standInCharts(b)
	for _, bc := range chartBenchCases {
		b.Run(bc.name, func(b *testing.B) {
			opts := fleetConfig(b, bc.clusters, bc.extra)
			ctx := context.Background()
			var store *cache.Store
			if cached {
				store = warmCharts(b, opts, local)
			}
			b.ReportAllocs()
			b.ResetTimer()
			var objects int
			for range b.N {
				res, err := pipeline.Render(ctx, opts, store, pipeline.WithCharts(withCharts(local)))
				if err != nil {
					b.Fatal(err)
				}
				if finding.HasErrors(res.Findings) {
					b.Fatalf("errors: %+v", res.Findings)
				}
				objects = len(res.Manifests.Objects)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*bc.clusters), "ns/cluster")
			b.ReportMetric(float64(objects), "objects/op")
		})
	}
}

// warmCharts returns a cache filled by a render with the charts.
func warmCharts(b *testing.B, opts config.Options, local helmrender.LocalCharts) *cache.Store {
	b.Helper()
	store, err := cache.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := pipeline.Render(context.Background(), opts, store, pipeline.WithCharts(withCharts(local))); err != nil {
		b.Fatal(err)
	}
	return store
}

// BenchmarkRenderChartsOneChanged renders a warm fleet whose first
// cluster's values differ from the ones cached, a new value each
// iteration.
func BenchmarkRenderChartsOneChanged(b *testing.B) {
	local := standInCharts(b)
	for _, bc := range chartBenchCases[1:] {
		b.Run(bc.name, func(b *testing.B) {
			opts := fleetConfig(b, bc.clusters, bc.extra)
			ctx := context.Background()
			store := warmCharts(b, opts, local)
			base, err := os.ReadFile(filepath.Join(opts.Dir, "dorgu.cue"))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				changed := fmt.Sprintf("%s\nclusters: %q: components: \"ingress-nginx\": values: controller: replicaCount: %d\n", base, fleet.ClusterName(0), 100+i)
				if err := os.WriteFile(filepath.Join(opts.Dir, "dorgu.cue"), []byte(changed), 0o644); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := pipeline.Render(ctx, opts, store, pipeline.WithCharts(withCharts(local))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVetCharts(b *testing.B)       { benchVetCharts(b, false) }
func BenchmarkVetChartsCached(b *testing.B) { benchVetCharts(b, true) }

func benchVetCharts(b *testing.B, cached bool) {
	local := standInCharts(b)
	for _, bc := range chartBenchCases {
		b.Run(bc.name, func(b *testing.B) {
			opts := fleetConfig(b, bc.clusters, bc.extra)
			ctx := context.Background()
			var store *cache.Store
			if cached {
				store = warmCharts(b, opts, local)
			}
			res, err := pipeline.Render(ctx, opts, store, pipeline.WithCharts(withCharts(local)))
			if err != nil {
				b.Fatal(err)
			}
			out := b.TempDir()
			for _, f := range res.Tree.Files {
				p := filepath.Join(out, filepath.FromSlash(f.Path))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					b.Fatal(err)
				}
				if err := os.WriteFile(p, f.Content, 0o644); err != nil {
					b.Fatal(err)
				}
			}
			vo := vet.Options{Sources: opts, Out: out, Cache: store, Charts: withCharts(local)}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				r, err := vet.Run(ctx, vo)
				if err != nil {
					b.Fatal(err)
				}
				if r.Failed() {
					b.Fatalf("vet fails on an up-to-date scaffold: %s", r.SummaryLine())
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*bc.clusters), "ns/cluster")
		})
	}
}
