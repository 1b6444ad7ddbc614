package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/dorgu/dorgu-gen/internal/chartlock"
	"github.com/dorgu/dorgu-gen/internal/charts"
	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/report"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

func newChartsPullCmd() *cobra.Command {
	var (
		opts config.Options
		cf   chartFlags
	)
	cmd := &cobra.Command{
		Use:   "pull",
		Short: "Download every chart the config deploys into the cache and write dorgu.lock",
		Long: `Pull resolves the chart of every component at the version each cluster pins,
downloads it (from its mirror, where one is set) unless the cache already
holds the locked archive, and checks it: the digest the repository
publishes, the entry in dorgu.lock, and the archive itself.

It then writes dorgu.lock next to the config, sorted, only when it
changes: an entry for every chart version the config uses, and none for
one it no longer uses (pull says which it drops). On any error nothing is
written.

With --offline it only checks that the cache holds every locked chart.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			stderr := cmd.ErrOrStderr()
			cfg, err := config.Load(opts)
			if err != nil {
				return err
			}
			s, err := stack.Evaluate(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			lockPath := relPath(chartlock.Path(cfg))
			old, err := chartlock.Read(lockPath)
			if err != nil {
				return err
			}
			var progress io.Writer
			if isTerminal(stderr) {
				progress = stderr
			}
			o, err := cf.options(s.ChartMirrors, openCache(stderr).Dir(), progress)
			if err != nil {
				return usageError{err: err, cmd: cmd.CommandPath()}
			}
			client, err := charts.New(o)
			if err != nil {
				return &config.Error{Msg: err.Error()}
			}
			res, err := client.Pull(cmd.Context(), old, charts.Refs(s))
			if err != nil {
				return err
			}
			written, err := chartlock.Write(lockPath, res.Lock)
			if err != nil {
				return err
			}
			printPull(stderr, res, lockPath, written, client.Keeps())
			return nil
		},
	}
	addConfigFlag(cmd, &opts)
	cf.register(cmd.Flags())
	return cmd
}

func printPull(w io.Writer, res *charts.PullResult, lock string, written, keeps bool) {
	for _, p := range res.Charts {
		if p.Unverified {
			fmt.Fprintf(w, "note: %s publishes no digest for %s %s; locked as downloaded\n", chartlock.Redact(p.Entry.RepoURL), p.Entry.Chart, p.Entry.Version)
		}
	}
	for _, e := range res.Dropped {
		fmt.Fprintf(w, "dropped %s %s from %s: the config no longer uses it\n", e.Chart, e.Version, chartlock.Redact(e.RepoURL))
	}
	downloaded, added := 0, 0
	for _, p := range res.Charts {
		if p.Downloaded {
			downloaded++
		}
		if p.New {
			added++
		}
	}
	n := report.Plural(len(res.Charts), "chart", "charts")
	how := fmt.Sprintf("%d downloaded, %d from the cache", downloaded, len(res.Charts)-downloaded)
	if !keeps {
		how = fmt.Sprintf("%d downloaded and verified; without a cache (DORGU_CACHE=off, or a cache directory that cannot be used), none was kept", downloaded)
	}
	if written {
		fmt.Fprintf(w, "wrote %s: %s, %d new, %d dropped (%s)\n", lock, n, added, len(res.Dropped), how)
		return
	}
	fmt.Fprintf(w, "%s is up to date: %s (%s)\n", lock, n, how)
}
