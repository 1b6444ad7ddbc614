package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/policy"
	"github.com/dorgu/dorgu-gen/internal/report"
)

func newPolicyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Work with the Rego policies",
	}
	cmd.AddCommand(newPolicyTestCmd())
	return cmd
}

func newPolicyTestCmd() *cobra.Command {
	var (
		src     sourceFlags
		verbose bool
	)
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Run the unit tests (*_test.rego) of the embedded and the config's policies",
		Long: `Policy test runs every test_ rule of the embedded policies, of the config's
policies/ folder and of each --policy folder, in the same sandbox the policies
run in at render time, and reports like opa test. Exit 1 when a test fails.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(src.opts)
			if err != nil {
				return err
			}
			results, err := policy.Test(cmd.Context(), policy.SetOf(cfg), policy.TestOptions{})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			var pass, fail, skip int
			var total time.Duration
			for _, r := range results {
				total += r.Duration
				switch {
				case r.Skipped:
					skip++
					if verbose {
						fmt.Fprintf(out, "%s: SKIPPED\n", report.Escape(r.Name))
					}
				case r.Err != nil:
					fail++
					fmt.Fprintf(out, "%s: %s: ERROR\n    %s\n", report.Escape(r.Location), report.Escape(r.Name), strings.Join(report.EscapeLines(r.Err.Error()), "\n    "))
				case !r.Passed:
					fail++
					fmt.Fprintf(out, "%s: %s: FAIL (%s)\n", report.Escape(r.Location), report.Escape(r.Name), r.Duration.Round(time.Microsecond))
					if r.Failed != "" {
						fmt.Fprintf(out, "    failed at %s\n", report.Escape(r.Failed))
					}
				default:
					pass++
					if verbose {
						fmt.Fprintf(out, "%s: PASS (%s)\n", report.Escape(r.Name), r.Duration.Round(time.Microsecond))
					}
				}
			}
			fmt.Fprintln(out, "--------------------------------------------------------------------------------")
			line := fmt.Sprintf("PASS: %d/%d", pass, len(results))
			if fail > 0 {
				line += fmt.Sprintf("\nFAIL: %d/%d", fail, len(results))
			}
			if skip > 0 {
				line += fmt.Sprintf("\nSKIPPED: %d/%d", skip, len(results))
			}
			fmt.Fprintln(out, line)
			if len(results) == 0 {
				return &config.Error{Msg: "no Rego unit tests found (test_ rules in *_test.rego files)"}
			}
			if fail > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "policy test: %s\n", report.Plural(fail, "test failed", "tests failed"))
				return errFindings
			}
			return nil
		},
	}
	src.register(cmd.Flags())
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "list every test, not only failures")
	return cmd
}
