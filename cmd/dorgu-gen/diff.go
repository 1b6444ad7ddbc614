package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/dorgu/dorgu-gen/internal/chartlock"
	"github.com/dorgu/dorgu-gen/internal/charts"
	"github.com/dorgu/dorgu-gen/internal/clusterdiff"
	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/gitrev"
	"github.com/dorgu/dorgu-gen/internal/helmrender"
	"github.com/dorgu/dorgu-gen/internal/ondisk"
	"github.com/dorgu/dorgu-gen/internal/pipeline"
	"github.com/dorgu/dorgu-gen/internal/repofs"
)

// diffFormats are the output formats of diff.
var diffFormats = []string{"text", "markdown", "json"}

func newDiffCmd() *cobra.Command {
	var (
		src        sourceFlags
		cf         chartFlags
		out        string
		base       string
		baseDir    string
		output     string
		exitCode   bool
		chartPaths []string
	)
	cmd := &cobra.Command{
		Use:   "diff (--base REF | --base-dir DIR)",
		Short: "Show which Kubernetes objects change in which cluster between two scaffolds",
		Long: `Diff renders the objects ArgoCD would deploy from the scaffold in --out and
from the same scaffold at Git revision --base (or in directory --base-dir),
and prints what changes, object by object, grouped by cluster and
Application: added, removed and changed objects, each change as a unified
diff of the object's YAML.

Each scaffold is read as ArgoCD reads it, from its files, so a hand edit
counts: the Helm Applications of clusters/<cluster>/apps with their values
files are rendered with the charts of dorgu.lock (the base revision's lock
for the base; from the cache, downloaded unless --offline) or of
--chart-path; the files of each apps folder are the objects of the
cluster's root Application. The clusters' Kubernetes and API versions come
from the config: ArgoCD renders both revisions against the same clusters.

Secret values are never printed: a Secret's diff shows its keys, with
"(hidden)" and "(hidden, changed)" for values. Fields a chart fills anew at
every render (randAlphaNum passwords, genCA certificates, checksum
annotations that follow them) are found by rendering each changed release
twice, and are listed as regenerated at every render, not as changes.

Exit codes: 0 compared (with --exit-code: nothing changes), 1 with
--exit-code when an object changes, 2 a configuration, chart or Git error.`,
		Example: `  dorgu-gen diff --base origin/main
  dorgu-gen diff --base main -o markdown > comment.md
  dorgu-gen diff --base-dir ../infra-main/infra-gitops --exit-code`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			if (base == "") == (baseDir == "") {
				return usageError{err: errors.New("give the scaffold to compare with: --base REF (a Git revision) or --base-dir DIR"), cmd: cmd.CommandPath()}
			}
			local, err := localCharts(chartPaths)
			if err != nil {
				return usageError{err: err, cmd: cmd.CommandPath()}
			}
			wd, err := os.Getwd()
			if err != nil {
				return err
			}
			repo, err := repofs.Open(wd, repofs.Default)
			if err != nil {
				return &config.Error{Msg: err.Error()}
			}
			defer repo.Close()
			opts := src.opts
			opts.Dir, opts.Repo = wd, repo
			cfg, err := config.Load(opts)
			if err != nil {
				return err
			}
			store := openCache(stderr)
			dopts := clusterdiff.Options{Cache: store, Clusters: map[string]clusterdiff.Cluster{}}
			if len(opts.Clusters) > 0 {
				dopts.Keep = func(c string) bool { return slices.Contains(opts.Clusters, c) }
			}
			// The lock and the clusters' facts come from a config; a
			// scaffold kept without one is rendered with Helm's defaults
			// and --chart-path charts.
			var mirrors map[string]string
			lockPath := ""
			if !cfg.Embedded {
				res, err := pipeline.Plan(ctx, cfg, store)
				if err != nil {
					return err
				}
				for _, c := range res.Stack.Clusters {
					dopts.Clusters[c.Name] = clusterdiff.Cluster{KubeVersion: c.KubeVersion, APIVersions: c.APIVersions}
				}
				mirrors = res.Stack.ChartMirrors
				lockPath = relPath(chartlock.Path(cfg))
			}
			var progress io.Writer
			if isTerminal(stderr) {
				progress = stderr
			}
			co, err := cf.options(mirrors, store.Dir(), progress)
			if err != nil {
				return usageError{err: err, cmd: cmd.CommandPath()}
			}
			client := sync.OnceValues(func() (*charts.Client, error) { return charts.New(co) })
			headLock, err := readLock(lockPath)
			if err != nil {
				return err
			}
			headCharts := helmrender.Sources{local}
			if headLock != nil {
				c, err := client()
				if err != nil {
					return &config.Error{Msg: err.Error()}
				}
				headCharts = append(headCharts, helmrender.NewLockedCharts(c, headLock))
			}
			head, err := ondisk.ScanRepo(repo, out)
			if err != nil {
				return err
			}
			baseSide, cleanup, err := readBase(ctx, base, baseDir, out, lockPath)
			if err != nil {
				return err
			}
			defer cleanup()
			baseCharts := helmrender.Sources{local}
			if baseSide.lock != nil {
				c, err := client()
				if err != nil {
					return &config.Error{Msg: err.Error()}
				}
				baseCharts = append(baseCharts, helmrender.NewLockedCharts(c, baseSide.lock))
			}
			// A chart the base's lock does not have may be in the working
			// tree's: both name archives by their sha256.
			baseCharts = append(baseCharts, headCharts[1:]...)
			res, err := clusterdiff.Compute(ctx,
				clusterdiff.Side{Label: baseSide.label, Disk: baseSide.disk, Charts: baseCharts},
				clusterdiff.Side{Label: filepath.ToSlash(out), Disk: head, Charts: headCharts},
				dopts)
			var missing *helmrender.MissingChartError
			if errors.As(err, &missing) {
				return &config.Error{Msg: fmt.Sprintf("%v; run dorgu-gen charts pull to lock and cache them (a chart of the base must be locked by its dorgu.lock or the working tree's), or give a local copy with --chart-path %s=DIR", err, missing.Refs[0].Component)}
			}
			if err != nil {
				return err
			}
			res.Notes = append(baseSide.notes, res.Notes...)
			switch output {
			case "markdown":
				err = clusterdiff.Markdown(stdout, res, clusterdiff.CommentLimit)
			case "json":
				err = clusterdiff.JSON(stdout, res)
			default:
				err = clusterdiff.Text(stdout, res, colorOK(stdout))
			}
			if err != nil {
				return err
			}
			if output != "text" {
				fmt.Fprintln(stderr, clusterdiff.Summary(res))
			}
			if exitCode && res.Changes() {
				return errFindings
			}
			return nil
		},
	}
	src.register(cmd, sourceClusters)
	cf.register(cmd.Flags())
	cmd.Flags().StringVar(&base, "base", "", "Git revision whose scaffold to compare with (a branch, tag or commit: main, origin/main, HEAD~1)")
	cmd.Flags().StringVar(&baseDir, "base-dir", "", "directory of the scaffold to compare with, instead of a Git revision")
	cmd.Flags().StringVar(&out, "out", defaultOut, "directory of the scaffold in the working tree")
	addOutputFlag(cmd, &output, diffFormats)
	cmd.Flags().BoolVar(&exitCode, "exit-code", false, "exit 1 when an object changes, as git diff --exit-code")
	cmd.Flags().StringArrayVar(&chartPaths, "chart-path", nil, "COMPONENT=PATH: render COMPONENT with the chart in directory or .tgz archive PATH, on both sides (repeatable)")
	cmd.MarkFlagsMutuallyExclusive("base", "base-dir")
	return cmd
}

// baseScaffold is the scaffold diff compares with.
type baseScaffold struct {
	label string
	disk  *ondisk.Scaffold
	// lock is the base revision's dorgu.lock; nil for a directory.
	lock  *chartlock.Lock
	notes []string
}

// readBase reads the base scaffold: from directory dir, or from Git
// revision rev, at the path the working tree's scaffold out has, copied
// into a temporary directory that cleanup removes.
func readBase(ctx context.Context, rev, dir, out, lockPath string) (*baseScaffold, func(), error) {
	nothing := func() {}
	if dir != "" {
		disk, err := ondisk.Scan(dir)
		if err != nil {
			return nil, nothing, err
		}
		return &baseScaffold{label: filepath.ToSlash(dir), disk: disk}, nothing, nil
	}
	g, err := gitrev.Open(ctx, filepath.Dir(absPath(out)))
	if err != nil {
		return nil, nothing, &config.Error{Msg: "--base: " + err.Error()}
	}
	commit, err := g.Commit(ctx, rev)
	if err != nil {
		return nil, nothing, &config.Error{Msg: "--base: " + err.Error()}
	}
	rel, ok := g.Rel(out)
	if !ok {
		return nil, nothing, &config.Error{Msg: fmt.Sprintf("--base: the scaffold %s is not inside the Git work tree %s", out, g.Top)}
	}
	tmp, err := os.MkdirTemp("", "dorgu-gen-diff-")
	if err != nil {
		return nil, nothing, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	into := filepath.Join(tmp, "scaffold")
	if err := os.Mkdir(into, 0o755); err != nil {
		cleanup()
		return nil, nothing, err
	}
	skipped, err := g.Extract(ctx, commit, rel, into, repofs.Default, inLayout)
	if err != nil {
		cleanup()
		return nil, nothing, &config.Error{Msg: "--base " + rev + ": " + err.Error()}
	}
	b := &baseScaffold{label: rev}
	for _, s := range skipped {
		b.notes = append(b.notes, fmt.Sprintf("%s: %s/%s", rev, rel, s))
	}
	if b.disk, err = ondisk.Scan(into); err != nil {
		cleanup()
		return nil, nothing, err
	}
	if lockPath != "" {
		if lrel, ok := g.Rel(lockPath); ok {
			data, found, err := g.ReadFile(ctx, commit, lrel, repofs.Default)
			if err != nil {
				cleanup()
				return nil, nothing, &config.Error{Msg: "--base " + rev + ": " + err.Error()}
			}
			if found {
				if b.lock, err = chartlock.Parse(rev+":"+lrel, data); err != nil {
					cleanup()
					return nil, nothing, err
				}
			}
		}
	}
	return b, cleanup, nil
}

// inLayout reports whether a path of a scaffold is one that ondisk reads:
// argocd/*, clusters/*/apps/*, clusters/*/values/*.
func inLayout(rel string) bool {
	parts := strings.Split(rel, "/")
	switch {
	case len(parts) == 2 && parts[0] == "argocd":
		return true
	case len(parts) == 4 && parts[0] == "clusters" && (parts[2] == "apps" || parts[2] == "values"):
		return path.Ext(parts[3]) != ""
	}
	return false
}

func readLock(p string) (*chartlock.Lock, error) {
	if p == "" {
		return nil, nil
	}
	return chartlock.Read(p)
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
