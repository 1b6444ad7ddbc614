package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/limits"
	"github.com/dorgu/dorgu-gen/internal/pipeline"
	"github.com/dorgu/dorgu-gen/internal/report"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

func newComponentsCmd() *cobra.Command {
	var (
		src    sourceFlags
		output string
	)
	cmd := &cobra.Command{
		Use:   "components",
		Short: "List the components a config can run: blessed and its own",
		Long: `Components lists every component visible to the config: the blessed ones
built into dorgu-gen and the config's own, with chart, pinned version,
namespace, sync wave (in a cluster running all of them), whether it is
required, enabled by default, or deprecated.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(src.opts)
			if err != nil {
				return err
			}
			// Listing evaluates the CUE sources too, within the same limit.
			entries, err := limits.Eval(cmd.Context(), func() ([]stack.Entry, error) { return stack.Catalog(cfg) })
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if output == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"components": entries})
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tCHART\tVERSION\tNAMESPACE\tWAVE\tREQUIRED\tDEFAULT\tDEPRECATED")
			for _, e := range entries {
				dep := "-"
				if e.Deprecated != "" {
					dep = "yes"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", report.Escape(e.Name), report.Escape(e.Chart), report.Escape(e.Version), report.Escape(e.Namespace), e.Wave, yesNo(e.Required), yesNo(e.EnabledByDefault), dep)
			}
			return tw.Flush()
		},
	}
	src.register(cmd, 0)
	addOutputFlag(cmd, &output, []string{"table", "json"})
	cmd.AddCommand(newComponentsShowCmd())
	return cmd
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func newComponentsShowCmd() *cobra.Command {
	var src sourceFlags
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Print the Application and Helm values one component gets in one cluster",
		Long: `Show prints the effective ArgoCD Application and Helm values of component
NAME for one cluster (--cluster; default: the config's only cluster, or the
embedded default's), exactly as render would write them.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			res, err := pipeline.Render(cmd.Context(), src.opts, openCache(cmd.ErrOrStderr()))
			if err != nil {
				return err
			}
			written := res.Stack.WrittenClusters()
			if len(written) != 1 {
				var names []string
				for _, c := range written {
					names = append(names, c.Name)
				}
				return usageError{err: fmt.Errorf("the config declares several clusters (%s); choose one with --cluster", strings.Join(names, ", ")), cmd: cmd.CommandPath()}
			}
			c := written[0]
			app, ok := res.Tree.Lookup(scaffold.AppPath(c.Name, name))
			if !ok {
				return &config.Error{Msg: fmt.Sprintf("component %q does not run in cluster %q (unknown, or not enabled there; see dorgu-gen components)", name, c.Name)}
			}
			values, _ := res.Tree.Lookup(scaffold.ValuesPath(c.Name, name))
			out := cmd.OutOrStdout()
			fmt.Fprint(out, report.EscapeText(fmt.Sprintf("# %s\n%s---\n# %s\n%s", app.Path, app.Content, values.Path, values.Content)))
			return nil
		},
	}
	src.register(cmd, sourceOneCluster|sourceEnvironment|sourceRepo)
	return cmd
}
