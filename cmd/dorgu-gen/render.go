package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/pipeline"
	"github.com/dorgu/dorgu-gen/internal/report"
	"github.com/dorgu/dorgu-gen/internal/write"
)

// defaultOut is where the scaffold goes without --out, as in the GitOps
// mode documentation.
const defaultOut = "infra-gitops"

type sourceFlags struct {
	opts config.Options
}

func (s *sourceFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&s.opts.Path, "config", "", "CUE config file or directory (default: ./dorgu.cue or ./dorgu/ if present, else the embedded default stack)")
	fs.StringArrayVar(&s.opts.Clusters, "cluster", nil, "render only this cluster (repeatable); with the embedded default, the name of its one cluster (default \""+config.DefaultCluster+"\")")
	fs.StringVar(&s.opts.Environment, "environment", "", "environment of the embedded default's cluster: development, staging, production or sandbox (default \""+config.DefaultEnvironment+"\")")
	fs.StringVar(&s.opts.RepoURL, "repo-url", "", "Git URL of the scaffold's repository (overrides repo.url)")
	fs.StringVar(&s.opts.Revision, "revision", "", "Git revision the Applications track (overrides repo.revision; default \"main\")")
}

func newRenderCmd() *cobra.Command {
	var (
		src    sourceFlags
		out    string
		dryRun bool
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

If anything fails, nothing is written.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			stderr := cmd.ErrOrStderr()
			res, err := pipeline.Render(cmd.Context(), src.opts)
			if err != nil {
				return err
			}
			report.Text(stderr, res.Findings, colorOK(stderr))
			if finding.HasErrors(res.Findings) {
				n, _ := report.Count(res.Findings)
				fmt.Fprintf(stderr, "render: %s; nothing written\n", report.Plural(n, "policy error", "policy errors"))
				return errFindings
			}
			if res.Stack.Repo.Placeholder {
				fmt.Fprintf(stderr, "note: no repository URL configured; the Applications point at the placeholder %s (set repo.url in the config or pass --repo-url)\n", res.Stack.Repo.URL)
			}
			changes, err := write.Plan(out, res.Tree)
			if err != nil {
				return err
			}
			if dryRun {
				for _, c := range changes {
					fmt.Fprintf(cmd.OutOrStdout(), "%-9s %s\n", c.Action, c.Path)
				}
				fmt.Fprintf(stderr, "dry run: %s; nothing written\n", summary(changes))
				return nil
			}
			if err := write.Apply(out, changes); err != nil {
				return err
			}
			fmt.Fprintf(stderr, "rendered %s from %s into %s: %s\n", report.Plural(len(res.Stack.Clusters), "cluster", "clusters"), res.Config.Origin, out, summary(changes))
			return nil
		},
	}
	src.register(cmd.Flags())
	cmd.Flags().StringVarP(&out, "out", "o", defaultOut, "output directory of the scaffold")
	cmd.Flags().StringVar(&out, "gitops-output", defaultOut, "alias of --out")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print what would be written, write nothing")
	cmd.MarkFlagsMutuallyExclusive("out", "gitops-output")
	return cmd
}

func summary(changes []write.Change) string {
	n := map[write.Action]int{}
	for _, c := range changes {
		n[c.Action]++
	}
	if n[write.Create] == 0 && n[write.Update] == 0 {
		return fmt.Sprintf("up to date (%s unchanged)", report.Plural(n[write.Unchanged], "file", "files"))
	}
	return fmt.Sprintf("%d created, %d updated, %d unchanged", n[write.Create], n[write.Update], n[write.Unchanged])
}

// colorOK reports whether w is a terminal and NO_COLOR is unset.
func colorOK(w any) bool {
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
