package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dorgu/dorgu-gen/internal/chartlock"
	"github.com/dorgu/dorgu-gen/internal/charts"
	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/helmrender"
	"github.com/dorgu/dorgu-gen/internal/manifests"
	"github.com/dorgu/dorgu-gen/internal/pipeline"
	"github.com/dorgu/dorgu-gen/internal/report"
)

func newTemplateCmd() *cobra.Command {
	var (
		src        sourceFlags
		cf         chartFlags
		components []string
		out        string
		chartPaths []string
	)
	cmd := &cobra.Command{
		Use:   "template",
		Short: "Print the Kubernetes objects the charts deploy, as ArgoCD renders them",
		Long: `Template renders each component's chart for each cluster as ArgoCD's
repo-server does (helm template with the Application's release name and
namespace, the values file render writes, the cluster's Kubernetes version
and API versions, and the chart's CRDs), after checking the values against
the chart's values.schema.json and values.yaml. It prints multi-document
YAML with the '# Source:' comment of each template, one release after the
other, or writes <cluster>/<component>.yaml files under --out.

Charts come from dorgu.lock (see dorgu-gen charts pull), through the cache,
or from --chart-path COMPONENT=PATH: a chart directory or a .tgz archive,
which takes precedence (a chart under development).

Exit codes: 0 rendered (values warnings are printed), 1 a values error
(nothing printed: ArgoCD would refuse to render), 2 a configuration or chart
error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			stderr := cmd.ErrOrStderr()
			local, err := localCharts(chartPaths)
			if err != nil {
				return usageError{err: err, cmd: cmd.CommandPath()}
			}
			cfg, err := config.Load(src.opts)
			if err != nil {
				return err
			}
			store := openCache(stderr)
			res, err := pipeline.Plan(cmd.Context(), cfg, store)
			if err != nil {
				return err
			}
			keep, err := componentFilter(res, components)
			if err != nil {
				return err
			}
			sources := helmrender.Sources{local}
			lockPath := relPath(chartlock.Path(cfg))
			lock, err := chartlock.Read(lockPath)
			if err != nil {
				return err
			}
			if lock != nil {
				var progress io.Writer
				if isTerminal(stderr) {
					progress = stderr
				}
				o, err := cf.options(res.Stack.ChartMirrors, store.Dir(), progress)
				if err != nil {
					return usageError{err: err, cmd: cmd.CommandPath()}
				}
				client, err := charts.New(o)
				if err != nil {
					return &config.Error{Msg: err.Error()}
				}
				sources = append(sources, helmrender.NewLockedCharts(client, lock))
			}
			built, err := manifests.Build(cmd.Context(), res.Stack, res.Tree, sources, manifests.Options{Cache: store, Keep: keep})
			var missing *helmrender.MissingChartError
			if errors.As(err, &missing) {
				remedy := "run dorgu-gen charts pull to lock and cache the charts"
				if lock != nil {
					remedy = lockPath + " does not lock them: run dorgu-gen charts pull"
				}
				return &config.Error{Msg: fmt.Sprintf("%v; %s, or give a local copy with --chart-path %s=DIR (a chart directory or .tgz), or choose components with --component", err, remedy, missing.Refs[0].Component)}
			}
			if err != nil {
				return err
			}
			report.Text(stderr, built.Findings, colorOK(stderr))
			if finding.HasErrors(built.Findings) {
				n, _ := report.Count(built.Findings)
				fmt.Fprintf(stderr, "template: %s; ArgoCD would refuse to render these values, so nothing is printed\n", report.Plural(n, "values error", "values errors"))
				return errFindings
			}
			if out != "" {
				if err := writeReleases(out, built.Releases); err != nil {
					return err
				}
				fmt.Fprintf(stderr, "wrote %s (%s) into %s\n", report.Plural(len(built.Releases), "release", "releases"), report.Plural(len(built.Objects), "object", "objects"), out)
				return nil
			}
			w := cmd.OutOrStdout()
			for _, r := range built.Releases {
				printRelease(w, r)
			}
			return nil
		},
	}
	src.register(cmd, sourceClusters|sourceEnvironment)
	cf.register(cmd.Flags())
	cmd.Flags().StringArrayVar(&components, "component", nil, "render only this component (repeatable)")
	cmd.Flags().StringVar(&out, "out", "", "write <cluster>/<component>.yaml files into this directory instead of printing")
	cmd.Flags().StringArrayVar(&chartPaths, "chart-path", nil, "COMPONENT=PATH: render COMPONENT with the chart in directory or .tgz archive PATH (repeatable)")
	return cmd
}

// localCharts opens the charts --chart-path names.
func localCharts(specs []string) (helmrender.LocalCharts, error) {
	charts := helmrender.LocalCharts{}
	for _, s := range specs {
		comp, p, ok := strings.Cut(s, "=")
		if !ok || comp == "" || p == "" {
			return nil, fmt.Errorf("--chart-path %q: expected COMPONENT=PATH", s)
		}
		if !config.ValidName(comp) {
			return nil, fmt.Errorf("--chart-path %q: %q is not a component name", s, comp)
		}
		if _, dup := charts[comp]; dup {
			return nil, fmt.Errorf("--chart-path: component %s is given twice", comp)
		}
		c, err := helmrender.Open(p)
		if err != nil {
			return nil, fmt.Errorf("--chart-path %s: %w", s, err)
		}
		charts[comp] = c
	}
	return charts, nil
}

// componentFilter keeps the components --component names, each of which
// must run in a written cluster.
func componentFilter(res *pipeline.Result, names []string) (func(string, string) bool, error) {
	if len(names) == 0 {
		return nil, nil
	}
	running := map[string]bool{}
	for _, c := range res.Stack.WrittenClusters() {
		for _, comp := range c.Components {
			running[comp.Name] = true
		}
	}
	for _, n := range names {
		if !running[n] {
			return nil, &config.Error{Msg: fmt.Sprintf("--component %q: no such component runs in the selected clusters (see dorgu-gen components)", n)}
		}
	}
	return func(_, comp string) bool { return slices.Contains(names, comp) }, nil
}

// printRelease prints one release as helm template does, under a comment
// that says what was rendered and with which inputs.
func printRelease(w io.Writer, r helmrender.Rendered) {
	fmt.Fprintf(w, "# dorgu-gen template: %s in cluster %s: chart %s %s, release %s in namespace %s, Kubernetes %s\n",
		r.Component, r.Cluster, r.Chart.Name, r.Chart.Version, r.Input.ReleaseName, r.Input.Namespace, r.Input.KubeVersion)
	fmt.Fprint(w, r.Result.Manifest)
}

// writeReleases writes each release's output to <cluster>/<component>.yaml
// under dir, and nowhere else: the names are DNS labels, and os.Root
// refuses a path that leaves dir through a symbolic link.
func writeReleases(dir string, rels []helmrender.Rendered) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	for _, r := range rels {
		if err := root.MkdirAll(r.Cluster, 0o755); err != nil {
			return err
		}
		var b strings.Builder
		printRelease(&b, r)
		if err := root.WriteFile(path.Join(r.Cluster, r.Component+".yaml"), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}
