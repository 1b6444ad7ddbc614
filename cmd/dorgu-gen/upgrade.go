package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dorgu/dorgu-gen/internal/chartlock"
	"github.com/dorgu/dorgu-gen/internal/charts"
	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/limits"
	"github.com/dorgu/dorgu-gen/internal/repofs"
	"github.com/dorgu/dorgu-gen/internal/report"
	"github.com/dorgu/dorgu-gen/internal/stack"
	"github.com/dorgu/dorgu-gen/internal/textdiff"
	"github.com/dorgu/dorgu-gen/internal/upgrade"
)

func newUpgradeCmd() *cobra.Command {
	var (
		opts   config.Options
		cf     chartFlags
		req    upgrade.Request
		dryRun bool
	)
	cmd := &cobra.Command{
		Use:   "upgrade COMPONENT (--version V | --latest) [--cluster C | --environment E]",
		Short: "Move a component's chart to another version in the config, and lock it",
		Long: `Upgrade edits the CUE config in place to run COMPONENT's chart at another
version: --version V, or --latest (the newest release; pre-releases with
--pre). Without --cluster or --environment, every cluster moves: the
component's chart version changes (or, for an embedded component, is set
in the config), and so does each cluster's own version of it. With them,
only those clusters move, each through its override
(clusters: <c>: components: <name>: version:), added where missing.

Only the version is changed: every comment and every other line stays as
it is. A version the config computes (a reference, a comprehension) is
refused with its file and line. The edited config is evaluated before
anything is written, and must move exactly the clusters asked for.

With promotion: in the config, an environment may only take a version
that an earlier environment runs; upgrade refuses otherwise and names the
command that upgrades the earlier environment first. --force overrides.

It then pulls and locks the charts as charts pull does, and writes the
config and dorgu.lock; on any error it writes nothing. It never writes the
scaffold: run dorgu-gen render and review. --dry-run prints the change to
the config as a diff and writes nothing.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req.Component = args[0]
			if err := checkUpgradeFlags(cmd, req); err != nil {
				return err
			}
			stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			// The config is read, and written, through one repository.
			wd, err := os.Getwd()
			if err != nil {
				return &config.Error{Msg: fmt.Sprintf("cannot determine the working directory: %v", err)}
			}
			r, err := repofs.Open(wd, repofs.Default)
			if err != nil {
				return &config.Error{Msg: err.Error()}
			}
			defer r.Close()
			opts.Repo = r
			cfg, err := config.Load(opts)
			if err != nil {
				return err
			}
			eval := func(c *config.Config) (*stack.Stack, error) {
				return limits.Eval(cmd.Context(), func() (*stack.Stack, error) { return stack.Evaluate(cmd.Context(), c) })
			}
			s, err := eval(cfg)
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
			plan, err := upgrade.Prepare(cmd.Context(), cfg, s, req, client, eval)
			var pe *upgrade.PromotionError
			if errors.As(err, &pe) {
				fmt.Fprint(stderr, report.EscapeText(promotionAdvice(pe, opts.Path)))
				return errFindings
			}
			if err != nil {
				return err
			}
			printMoves(stderr, plan)
			if len(plan.Changed) == 0 {
				fmt.Fprintf(stderr, "nothing to do: %s already runs %s in every cluster selected\n", report.Escape(plan.Component), report.Escape(plan.Version))
				return nil
			}
			printEdits(stderr, plan)
			if dryRun {
				diffs := textdiff.NewBudget(textdiff.MaxBytes)
				for _, f := range plan.Files {
					name := relPath(f.Name)
					fmt.Fprint(stdout, report.EscapeText(diffs.Unified("a/"+name, "b/"+name, f.Old, f.New)))
				}
				fmt.Fprintln(stderr, "dry run: nothing written")
				return nil
			}
			lockPath := relPath(chartlock.Path(cfg))
			old, err := chartlock.Read(lockPath)
			if err != nil {
				return err
			}
			done, err := upgrade.Apply(cmd.Context(), plan, client, r, cfg.WorkDir, lockPath, old)
			if err != nil {
				return err
			}
			printPull(stderr, done.Pull, lockPath, done.LockWritten, client.Keeps())
			fmt.Fprintln(stderr, "next: dorgu-gen render, then review the scaffold's changes (upgrade does not write the scaffold)")
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.Path, "config", "", "CUE config file or directory (default: ./dorgu.cue or ./dorgu/ if present)")
	cmd.Flags().StringVar(&req.Version, "version", "", "the chart version to run")
	cmd.Flags().BoolVar(&req.Latest, "latest", false, "the newest release of the chart's repository")
	cmd.Flags().BoolVar(&req.Prereleases, "pre", false, "with --latest, count pre-releases (1.0.0-rc.1) as releases")
	cmd.Flags().StringArrayVar(&req.Clusters, "cluster", nil, "upgrade only this cluster (repeatable)")
	cmd.Flags().StringVar(&req.Environment, "environment", "", "upgrade every cluster of this environment that runs the component")
	cmd.Flags().BoolVar(&req.Force, "force", false, "upgrade even against the promotion order")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the change to the config as a unified diff; write nothing")
	cf.register(cmd.Flags())
	return cmd
}

func checkUpgradeFlags(cmd *cobra.Command, req upgrade.Request) error {
	var msg string
	switch {
	case req.Version == "" && !req.Latest:
		msg = "say which version: --version V, or --latest"
	case req.Version != "" && req.Latest:
		msg = "--version and --latest: give one of them"
	case req.Prereleases && !req.Latest:
		msg = "--pre goes with --latest"
	case len(req.Clusters) > 0 && req.Environment != "":
		msg = "--cluster and --environment: give one of them"
	}
	if msg != "" {
		return usageError{err: errors.New(msg), cmd: cmd.CommandPath()}
	}
	for _, c := range req.Clusters {
		if !config.ValidName(c) {
			return usageError{err: fmt.Errorf("--cluster %q: not a cluster name (a DNS-1123 label)", c), cmd: cmd.CommandPath()}
		}
	}
	return nil
}

// promotionAdvice says why an upgrade is refused and what to run first.
func promotionAdvice(pe *upgrade.PromotionError, configPath string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "dorgu-gen: %s\n", pe)
	next := "dorgu-gen upgrade " + pe.Component + " --version " + pe.Version + " --environment " + pe.First
	if configPath != "" {
		next += " --config " + configPath
	}
	fmt.Fprintf(&b, "Upgrade %s first:\n  %s\nor pass --force to upgrade %s anyway.\n", pe.First, next, pe.Environment)
	return b.String()
}

// printMoves says which clusters move, and which already run the version.
func printMoves(w io.Writer, p *upgrade.Plan) {
	for _, m := range p.Changed {
		fmt.Fprintf(w, "%s in cluster %s (%s): %s -> %s\n", report.Escape(p.Component), report.Escape(m.Cluster), report.Escape(m.Environment), report.Escape(m.From), report.Escape(p.Version))
	}
	for _, c := range p.Unchanged {
		fmt.Fprintf(w, "%s in cluster %s: already %s\n", report.Escape(p.Component), report.Escape(c), report.Escape(p.Version))
	}
}

// printEdits says where the config changes.
func printEdits(w io.Writer, p *upgrade.Plan) {
	for _, e := range p.Edits {
		line := fmt.Sprintf("%s:%d: %s: %q, was %q", relPath(e.File), e.Line, e.Path, p.Version, e.Old)
		if e.Added {
			line = fmt.Sprintf("%s:%d: added %s: %q", relPath(e.File), e.Line, e.Path, p.Version)
		}
		fmt.Fprintln(w, report.Escape(line))
	}
}
