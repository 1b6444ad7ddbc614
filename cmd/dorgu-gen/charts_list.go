package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/dorgu/dorgu-gen/internal/chartlock"
	"github.com/dorgu/dorgu-gen/internal/charts"
	"github.com/dorgu/dorgu-gen/internal/config"
)

// listedChart is one line of charts list.
type listedChart struct {
	chartlock.Entry
	Cached bool `json:"cached"`
}

func newChartsListCmd() *cobra.Command {
	var (
		opts   config.Options
		output string
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the charts dorgu.lock locks, and whether the cache holds each",
		Long: `List prints every chart version that dorgu.lock (next to the config) locks:
repository, chart, version, the sha256 of its archive, and whether the
cache holds that archive intact. It reads the lock and the cache only.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(opts)
			if err != nil {
				return err
			}
			lockPath := relPath(chartlock.Path(cfg))
			lock, err := chartlock.Read(lockPath)
			if err != nil {
				return err
			}
			client, err := charts.New(charts.Options{Dir: chartsDir(openCache(cmd.ErrOrStderr()).Dir()), Offline: true})
			if err != nil {
				return err
			}
			list := []listedChart{}
			if lock != nil {
				for _, e := range lock.Entries {
					list = append(list, listedChart{Entry: e, Cached: client.Cached(e)})
				}
			}
			out := cmd.OutOrStdout()
			if output == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"lock": lockPath, "exists": lock != nil, "charts": list})
			}
			if lock == nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "no %s: dorgu-gen charts pull writes it\n", lockPath)
				return nil
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CHART\tVERSION\tREPOSITORY\tDIGEST\tCACHED")
			for _, c := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Chart, c.Version, c.RepoURL, shortDigest(c.Digest), yesNo(c.Cached))
			}
			return tw.Flush()
		},
	}
	addConfigFlag(cmd, &opts)
	addOutputFlag(cmd, &output, []string{"text", "json"})
	return cmd
}

// shortDigest is enough of a digest to tell archives apart in a table,
// as Docker shows image IDs; JSON has the whole.
func shortDigest(d string) string {
	hex := strings.TrimPrefix(d, "sha256:")
	if len(hex) > 12 {
		hex = hex[:12]
	}
	return "sha256:" + hex
}
