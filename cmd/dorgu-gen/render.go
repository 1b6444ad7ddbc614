package main

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/pipeline"
	"github.com/dorgu/dorgu-gen/internal/policy"
	"github.com/dorgu/dorgu-gen/internal/report"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
	"github.com/dorgu/dorgu-gen/internal/textdiff"
	"github.com/dorgu/dorgu-gen/internal/write"
)

// defaultOut is where the scaffold goes without --out, as in the GitOps
// mode documentation.
const defaultOut = "infra-gitops"

func newRenderCmd() *cobra.Command {
	var (
		src    sourceFlags
		checks chartChecks
		out    string
		dryRun bool
		diff   bool
		force  bool
	)
	cmd := &cobra.Command{
		Use:   "render",
		Short: "Render the stack into an ArgoCD App-of-Apps scaffold",
		Long: `Render unifies each component with each cluster's persona, validates the
result with CUE, checks it with the policies, and only then writes:

  README.md
  argocd/root-app.yaml
  clusters/<cluster>/apps/<component>.yaml
  clusters/<cluster>/values/<component>.yaml

If anything fails, nothing is written. A file edited by hand since the last
render is never overwritten without --force, and a file dorgu-gen did not
generate is never touched. .dorgu/ledger.json records what was generated.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			// An empty --out would write into the working directory, next
			// to whatever lives there; that must be said, as --out .
			if out == "" {
				return usageError{err: fmt.Errorf("--out is empty; name the scaffold's directory (--out . for the working directory)"), cmd: cmd.CommandPath()}
			}
			day, err := today()
			if err != nil {
				return err
			}
			store := openCache(stderr)
			res, err := pipeline.Render(cmd.Context(), src.opts, store, pipeline.WithCharts(checks.step(stderr, store)))
			if err != nil {
				return err
			}
			findings := res.Waived(day)
			for _, n := range policy.EjectedNotes(policy.SetOf(res.Config)) {
				fmt.Fprintf(stderr, "note: %s\n", report.Escape(n))
			}
			report.Text(stderr, findings, colorOK(stderr))
			if finding.HasErrors(findings) {
				fmt.Fprintf(stderr, "render: %s; nothing written\n", errorCounts(findings))
				return errFindings
			}
			if res.Stack.Repo.Placeholder {
				fmt.Fprintf(stderr, "note: no repository URL configured; the Applications point at the placeholder %s (set repo.url in the config or pass --repo-url)\n", report.Escape(res.Stack.Repo.URL))
			}
			plan, err := write.Prepare(out, res.Tree, write.Options{Force: force, InScope: scope(res.Config.Clusters)})
			if err != nil {
				return err
			}
			if plan.Interrupted {
				fmt.Fprintf(stderr, "note: a previous render into %s was interrupted; this one completes it\n", report.Escape(out))
			}
			if dryRun || diff {
				printPlan(stdout, plan, diff)
				if len(plan.Conflicts) > 0 {
					printConflicts(stderr, plan)
					return errFindings
				}
				fmt.Fprintf(stderr, "dry run: %s; nothing written\n", summary(plan))
				return nil
			}
			if len(plan.Conflicts) > 0 {
				printConflicts(stderr, plan)
				return errFindings
			}
			if err := plan.Apply(cmd.Context()); err != nil {
				return err
			}
			fmt.Fprintf(stderr, "rendered %s from %s into %s: %s\n", report.Plural(len(res.Stack.Selected), "cluster", "clusters"), report.Escape(res.Config.Origin), report.Escape(out), summary(plan))
			return nil
		},
	}
	src.register(cmd, sourceClusters|sourceEnvironment|sourceRepo|sourcePolicies)
	checks.register(cmd)
	cmd.Flags().StringVar(&out, "out", defaultOut, "output directory of the scaffold")
	cmd.Flags().StringVar(&out, "gitops-output", defaultOut, "alias of --out")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "list what would be created, updated and removed; write nothing")
	cmd.Flags().BoolVar(&diff, "diff", false, "show what would change as a unified diff; write nothing")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite or remove generated files edited by hand, and take over files dorgu-gen did not generate")
	cmd.MarkFlagsMutuallyExclusive("out", "gitops-output")
	return cmd
}

// errorCounts says how many errors block a render: the policies', and the
// values checks' against the charts.
func errorCounts(fs []finding.Finding) string {
	var policies, values int
	for _, f := range fs {
		switch {
		case f.Severity != finding.Error:
		case f.Kind == finding.KindValues:
			values++
		default:
			policies++
		}
	}
	var parts []string
	if policies > 0 {
		parts = append(parts, report.Plural(policies, "policy error", "policy errors"))
	}
	if values > 0 {
		parts = append(parts, report.Plural(values, "values error", "values errors"))
	}
	return strings.Join(parts, " and ")
}

// scope limits removals to the rendered clusters: with --cluster, the files
// of the other clusters are not this render's business.
func scope(clusters []string) func(string) bool {
	if len(clusters) == 0 {
		return nil
	}
	return func(p string) bool {
		for _, c := range clusters {
			if strings.HasPrefix(p, "clusters/"+c+"/") || p == scaffold.RootAppPath(c, true) || p == scaffold.RootsPath(c) {
				return true
			}
		}
		return false
	}
}

// printPlan lists or diffs the plan. Paths and contents come from the
// scaffold and its ledger, which a pull request controls: they are escaped
// as report.Escape says, so that no line can speak to a terminal or a CI
// runner.
func printPlan(w io.Writer, plan *write.Plan, diff bool) {
	// The diffs of all files together are bounded: a render that
	// rewrites a fleet would otherwise print megabytes.
	diffs := textdiff.NewBudget(textdiff.MaxBytes)
	defer func() {
		if n := diffs.Cut(); n > 0 {
			fmt.Fprintf(w, "render: %s cut short or not shown: --diff shows at most %s of diffs in all\n", report.Plural(n, "diff", "diffs"), diffs.Limit())
		}
	}()
	for _, c := range plan.Changes {
		if c.Action == write.Unchanged {
			continue
		}
		if !diff {
			fmt.Fprintf(w, "%-6s %s\n", c.Action, report.Escape(c.Path))
			continue
		}
		a, b := "a/"+c.Path, "b/"+c.Path
		switch c.Action {
		case write.Create:
			a = "/dev/null"
		case write.Remove:
			b = "/dev/null"
		}
		fmt.Fprint(w, report.EscapeText(diffs.Unified(a, b, c.Old, c.New)))
	}
}

func printConflicts(w io.Writer, plan *write.Plan) {
	fmt.Fprintf(w, "render: refusing to write: %s would be lost:\n", report.Plural(len(plan.Conflicts), "change", "changes"))
	for _, c := range plan.Conflicts {
		// Slash-separated on every system, as the writer's own messages.
		fmt.Fprintf(w, "  %s: %s\n", report.Escape(path.Join(filepath.ToSlash(plan.Out), c.Path)), report.Escape(c.Reason))
	}
	fmt.Fprintln(w, "Move the change into the config (see `dorgu-gen render --diff` for what render would write) and render again, or run with --force to overwrite; nothing was written.")
}

func summary(plan *write.Plan) string {
	if plan.UpToDate() {
		return fmt.Sprintf("up to date (%s unchanged)", report.Plural(len(plan.Changes), "file", "files"))
	}
	n := map[write.Action]int{}
	for _, c := range plan.Changes {
		n[c.Action]++
	}
	s := fmt.Sprintf("%d created, %d updated, %d unchanged", n[write.Create], n[write.Update], n[write.Unchanged])
	if n[write.Remove] > 0 {
		s += fmt.Sprintf(", %d removed", n[write.Remove])
	}
	return s
}

// colorOK reports whether w is a terminal and NO_COLOR is unset or empty
// (no-color.org: "when present and not an empty string").
func colorOK(w any) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
