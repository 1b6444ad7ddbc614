package main

import (
	"github.com/spf13/cobra"

	"github.com/dorgu/dorgu-gen/internal/charts"
	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/limits"
	"github.com/dorgu/dorgu-gen/internal/outdated"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

func newOutdatedCmd() *cobra.Command {
	var (
		src      sourceFlags
		cf       chartFlags
		output   string
		pre      bool
		exitCode bool
	)
	cmd := &cobra.Command{
		Use:   "outdated",
		Short: "List the components whose chart has a newer release than the version pinned",
		Long: `Outdated lists, for each component and each cluster that runs it, the chart
version pinned, the newest release its repository publishes (SemVer order;
pre-releases only with --pre), that release's appVersion, and whether the
step to it is a major one (1.x to 2.x; below 1.0.0, 0.3.x to 0.4.x).

It reads each repository's index.yaml, or a registry's tags, through the
mirrors, and keeps what it read in the cache; --offline reads what the last
charts pull or outdated kept, and never the network.

With --exit-code it exits 1 when a pinned version has a newer release, for
a scheduled CI job.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			stderr := cmd.ErrOrStderr()
			cfg, err := config.Load(src.opts)
			if err != nil {
				return err
			}
			s, err := limits.Eval(cmd.Context(), func() (*stack.Stack, error) { return stack.Evaluate(cmd.Context(), cfg) })
			if err != nil {
				return err
			}
			o, err := cf.options(s.ChartMirrors, openCache(stderr).Dir(), nil)
			if err != nil {
				return usageError{err: err, cmd: cmd.CommandPath()}
			}
			client, err := charts.New(o)
			if err != nil {
				return &config.Error{Msg: err.Error()}
			}
			r, err := outdated.Check(cmd.Context(), s, client, outdated.Options{Config: cfg.Origin, Offline: cf.offline, Prereleases: pre})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if output == "json" {
				err = outdated.WriteJSON(out, r)
			} else {
				err = outdated.WriteText(out, r)
			}
			if err != nil {
				return err
			}
			if exitCode && r.Summary.Outdated > 0 {
				return errFindings
			}
			return nil
		},
	}
	src.register(cmd, sourceClusters)
	addOutputFlag(cmd, &output, []string{"text", "json"})
	cmd.Flags().BoolVar(&pre, "pre", false, "count pre-releases (1.0.0-rc.1) as releases")
	cmd.Flags().BoolVar(&exitCode, "exit-code", false, "exit 1 when a pinned version has a newer release")
	cf.register(cmd.Flags())
	return cmd
}
