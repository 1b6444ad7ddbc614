package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dorgu/dorgu-gen/internal/cache"
	"github.com/dorgu/dorgu-gen/internal/chartlock"
	"github.com/dorgu/dorgu-gen/internal/charts"
	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/helmrender"
	"github.com/dorgu/dorgu-gen/internal/pipeline"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

func newChartsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "charts",
		Short: "Pull the Helm charts the config deploys, lock them in dorgu.lock, list them",
		Long: `Charts gets the Helm charts of every component, at the version each cluster
pins, from their HTTP repositories (index.yaml) or OCI registries, and
keeps them in dorgu-gen's cache, addressed by their sha256.

dorgu.lock, next to the config, records the sha256 of every chart archive:
commit it. A chart whose bytes differ from the lock is an error, never an
update.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newChartsPullCmd(), newChartsListCmd())
	return cmd
}

// chartFlags are the flags of the commands that get charts.
type chartFlags struct {
	offline bool
	mirrors []string
}

func (f *chartFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.offline, "offline", false, "never touch the network: use only the charts in the cache")
	fs.StringArrayVar(&f.mirrors, "chart-mirror", nil, "download the charts of repository FROM from TO instead, as FROM=TO (repeatable; overrides chartMirrors in the config)")
}

// options turns the flags, the config's mirrors and the cache into the
// chart client's options.
func (f *chartFlags) options(configMirrors map[string]string, cacheDir string, progress io.Writer) (charts.Options, error) {
	flagMirrors := charts.Mirrors{}
	for _, m := range f.mirrors {
		from, to, err := charts.ParseMirror(m)
		if err != nil {
			return charts.Options{}, err
		}
		flagMirrors[from] = to
	}
	return charts.Options{
		Dir:        chartsDir(cacheDir),
		ListingDir: chartListingsDir(cacheDir),
		Mirrors:    charts.Mirrors(configMirrors).Merge(flagMirrors),
		Offline:    f.offline,
		Progress:   progress,
	}, nil
}

// chartsDir is where chart archives are kept: a folder of the cache.
func chartsDir(cacheDir string) string {
	if cacheDir == "" {
		return ""
	}
	return filepath.Join(cacheDir, "charts")
}

// chartListingsDir is where the repository indexes and registry tag lists
// read are kept, for listing releases offline: a folder of the cache.
func chartListingsDir(cacheDir string) string {
	if cacheDir == "" {
		return ""
	}
	return filepath.Join(cacheDir, "chart-listings")
}

// isTerminal reports whether w is a terminal: progress is for people
// watching, not for logs.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// relPath names a file relative to the working directory where it can.
func relPath(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if r, err := filepath.Rel(wd, p); err == nil && filepath.IsLocal(r) {
		return r
	}
	return p
}

// chartChecks are the flags of render and vet that decide their charts
// step: it runs whenever the config has a dorgu.lock, or with --charts;
// --no-charts skips it.
type chartChecks struct {
	chartFlags
	on, off bool
}

func (f *chartChecks) register(cmd *cobra.Command) {
	f.chartFlags.register(cmd.Flags())
	cmd.Flags().BoolVar(&f.on, "charts", false, "check the values against the charts and the objects they render, as dorgu.lock locks them (the default when dorgu.lock exists); without dorgu.lock, an error")
	cmd.Flags().BoolVar(&f.off, "no-charts", false, "skip the chart checks, even with a dorgu.lock")
	cmd.MarkFlagsMutuallyExclusive("charts", "no-charts")
}

// step returns the charts step of a run: the locked charts, through the
// chart client (from the cache, else downloaded unless --offline), once
// every archive the written clusters need is there and matches the lock;
// nil when the step does not run.
func (f *chartChecks) step(stderr io.Writer, store *cache.Store) pipeline.ChartsFunc {
	return func(ctx context.Context, cfg *config.Config, s *stack.Stack) (helmrender.ChartSource, error) {
		if f.off {
			return nil, nil
		}
		lockPath := relPath(chartlock.Path(cfg))
		lock, err := chartlock.Read(lockPath)
		if err != nil {
			return nil, err
		}
		refs := writtenRefs(s)
		if lock == nil {
			if !f.on {
				return nil, nil
			}
			var names []string
			for _, r := range refs {
				names = append(names, r.String())
			}
			return nil, &config.Error{Msg: fmt.Sprintf("--charts: there is no %s to say which chart archives to check (%s); run dorgu-gen charts pull to lock and cache them, or leave out --charts", lockPath, strings.Join(names, ", "))}
		}
		var progress io.Writer
		if isTerminal(stderr) {
			progress = stderr
		}
		o, err := f.options(s.ChartMirrors, store.Dir(), progress)
		if err != nil {
			return nil, &config.Error{Msg: err.Error()}
		}
		client, err := charts.New(o)
		if err != nil {
			return nil, &config.Error{Msg: err.Error()}
		}
		if _, err := client.Locked(ctx, lock, lockPath, refs); err != nil {
			return nil, err
		}
		return helmrender.NewLockedCharts(client, lock), nil
	}
}

// writtenRefs are the charts of the clusters a run writes, each once, in
// the lock's order.
func writtenRefs(s *stack.Stack) []charts.Ref {
	sub := *s
	sub.Clusters = s.WrittenClusters()
	return charts.Refs(&sub)
}
