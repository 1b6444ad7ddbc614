package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/dorgu/dorgu-gen/internal/report"
	"github.com/dorgu/dorgu-gen/internal/vet"
)

func newVetCmd() *cobra.Command {
	var (
		src        sourceFlags
		checks     chartChecks
		out        string
		output     string
		failOnWarn bool
	)
	cmd := &cobra.Command{
		Use:   "vet",
		Short: "Check a GitOps repository: sources, drift, and the scaffold on disk",
		Long: `Vet is the pull-request check of a scaffold kept in Git. It writes nothing.

  1. Sources: load the config as render does, evaluate it, render in
     memory and run the policies. CUE errors are findings (rule cue) at
     their CUE positions.
  2. Drift: compare the rendered files with the scaffold in --out: each
     generated file that is modified (with a unified diff) or missing,
     and each Application or values file under clusters/*/ that no source
     produces. Other files are not vet's business.
  3. Scaffold: parse every YAML file of the scaffold on disk (argocd/*.yaml,
     clusters/*/apps/*.yaml, clusters/*/values/*.yaml) and run the same
     policies on them, reporting the line of the offending field.

With no config (no ./dorgu.cue or ./dorgu/, no --config), vet runs step 3
alone: scaffold-only mode. To check a scaffold rendered from the embedded
default stack, pass --config embedded, or the --cluster, --environment,
--repo-url or --revision flags it was rendered with.

Exit codes: 0 no errors (warnings allowed), 1 errors or drift (or warnings
with --fail-on-warn), 2 the config or the scaffold could not be loaded, or
a usage error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			stdout := cmd.OutOrStdout()
			f, err := report.New(output, colorOK(stdout))
			if err != nil {
				return err
			}
			wd, err := os.Getwd()
			if err != nil {
				return err
			}
			day, err := today()
			if err != nil {
				return err
			}
			store := openCache(cmd.ErrOrStderr())
			opts := vet.Options{Sources: src.opts, Out: out, Cache: store, Today: day, Charts: checks.step(cmd.ErrOrStderr(), store)}
			opts.Sources.Dir = wd
			r, err := vet.Run(cmd.Context(), opts)
			if err != nil {
				return err
			}
			r.Version = buildVersion()
			r.FailOnWarn = failOnWarn
			if err := f.Format(stdout, r); err != nil {
				return err
			}
			if output != "text" {
				fmt.Fprintln(cmd.ErrOrStderr(), r.SummaryLine())
			}
			if r.Failed() {
				return errFindings
			}
			return nil
		},
	}
	src.register(cmd, sourceClusters|sourceEnvironment|sourceRepo|sourcePolicies)
	checks.register(cmd)
	cmd.Flags().Lookup("config").Usage = "CUE config file or directory, or \"embedded\" for the embedded default stack (default: ./dorgu.cue or ./dorgu/ if present, else scaffold-only mode)"
	cmd.Flags().StringVar(&out, "out", defaultOut, "directory of the scaffold to check")
	addOutputFlag(cmd, &output, report.Formats)
	cmd.Flags().BoolVar(&failOnWarn, "fail-on-warn", false, "exit 1 on warnings too")
	return cmd
}
