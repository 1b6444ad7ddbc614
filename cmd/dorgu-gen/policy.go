package main

import (
	"encoding/json"
	"fmt"
	"io"
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

// policyTestFormats are the output formats of policy test, the default first.
var policyTestFormats = []string{"text", "json"}

func newPolicyTestCmd() *cobra.Command {
	var (
		opts    config.Options
		verbose bool
		run     string
		output  string
	)
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Run the unit tests (*_test.rego) of the embedded and the config's policies",
		Long: `Policy test runs every test_ rule of the embedded policies, of the config's
policies/ folder and of each --policy folder, in the same sandbox the policies
run in at render time, and reports like opa test. Exit 1 when a test fails.

--run selects tests by a regular expression over data.<package>.<rule>, as
opa test --run does. --output json prints one object per test, as opa test
--format json does (location, package, name, fail, skip, error, duration in
nanoseconds), plus failedAt, the expression that failed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(opts)
			if err != nil {
				return err
			}
			results, err := policy.Test(cmd.Context(), policy.SetOf(cfg), policy.TestOptions{Run: run})
			if err != nil {
				return err
			}
			if len(results) == 0 {
				if run != "" {
					return &config.Error{Msg: fmt.Sprintf("--run %q matches no Rego unit test", run)}
				}
				return &config.Error{Msg: "no Rego unit tests found (test_ rules in *_test.rego files)"}
			}
			var fail int
			if output == "json" {
				fail, err = printTestsJSON(cmd.OutOrStdout(), results)
				if err != nil {
					return err
				}
			} else {
				fail = printTests(cmd.OutOrStdout(), results, verbose)
			}
			if fail > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "policy test: %s\n", report.Plural(fail, "test failed", "tests failed"))
				return errFindings
			}
			return nil
		},
	}
	// Only the flags that choose policies: the cluster and repository
	// flags of render would do nothing here, so they are not accepted.
	fs := cmd.Flags()
	addConfigFlag(cmd, &opts)
	fs.Lookup("config").Usage = "CUE config file or directory whose policies/ folder to test, or \"embedded\" (default: ./dorgu.cue or ./dorgu/ if present, else the embedded policies alone)"
	fs.StringArrayVar(&opts.PolicyDirs, "policy", nil, "folder of .rego policies to test with the embedded ones and the config's policies/ (repeatable)")
	fs.BoolVarP(&verbose, "verbose", "v", false, "list every test, not only failures")
	fs.StringVar(&run, "run", "", "run only the tests whose data.<package>.<rule> matches this regular expression")
	addOutputFlag(cmd, &output, policyTestFormats)
	return cmd
}

// printTests reports like opa test and returns the number of failures.
func printTests(out io.Writer, results []policy.TestResult, verbose bool) int {
	var pass, fail, skip int
	for _, r := range results {
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
	return fail
}

// jsonTest is one test as opa test --format json reports it, plus
// failedAt. JSON escapes whatever a test's name or error holds.
type jsonTest struct {
	Location struct {
		File string `json:"file"`
		Row  int    `json:"row"`
		Col  int    `json:"col"`
	} `json:"location"`
	Package  string     `json:"package"`
	Name     string     `json:"name"`
	Fail     bool       `json:"fail,omitempty"`
	Skip     bool       `json:"skip,omitempty"`
	Error    *jsonError `json:"error,omitempty"`
	FailedAt string     `json:"failedAt,omitempty"`
	Duration int64      `json:"duration"`
}

type jsonError struct {
	Message string `json:"message"`
}

// printTestsJSON writes the results as a JSON array and returns the
// number of failures.
func printTestsJSON(out io.Writer, results []policy.TestResult) (int, error) {
	fail := 0
	tests := make([]jsonTest, len(results))
	for i, r := range results {
		t := &tests[i]
		t.Location.File, t.Location.Row, t.Location.Col = r.File, r.Line, r.Column
		t.Package, t.Name = "data."+r.Package, r.Rule
		t.Skip = r.Skipped
		t.Fail = !r.Passed && !r.Skipped && r.Err == nil
		t.FailedAt = r.Failed
		t.Duration = r.Duration.Nanoseconds()
		if r.Err != nil {
			t.Error = &jsonError{Message: r.Err.Error()}
		}
		if t.Fail || t.Error != nil {
			fail++
		}
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return fail, enc.Encode(tests)
}
