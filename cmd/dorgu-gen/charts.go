package main

import (
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dorgu/dorgu-gen/internal/charts"
)

func newChartsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "charts",
		Short: "Pull the Helm charts the config deploys, lock them in dorgu.lock, list them",
		Long: `Charts gets the Helm charts of every component, at the version each cluster
pins, from their HTTP repositories (index.yaml) or OCI registries, and
keeps them in dorgu-gen's cache, addressed by their sha256.

dorgu.lock, next to the config, records the sha256 of every chart archive:
commit it. A chart whose bytes differ from the lock is an error, never an
update.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newChartsPullCmd(), newChartsListCmd())
	return cmd
}

// chartFlags are the flags of the commands that get charts.
type chartFlags struct {
	offline bool
	mirrors []string
}

func (f *chartFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.offline, "offline", false, "never touch the network: use only the charts in the cache")
	fs.StringArrayVar(&f.mirrors, "chart-mirror", nil, "download the charts of repository FROM from TO instead, as FROM=TO (repeatable; overrides chartMirrors in the config)")
}

// options turns the flags, the config's mirrors and the cache into the
// chart client's options.
func (f *chartFlags) options(configMirrors map[string]string, cacheDir string, progress io.Writer) (charts.Options, error) {
	flagMirrors := charts.Mirrors{}
	for _, m := range f.mirrors {
		from, to, err := charts.ParseMirror(m)
		if err != nil {
			return charts.Options{}, err
		}
		flagMirrors[from] = to
	}
	return charts.Options{
		Dir:      chartsDir(cacheDir),
		Mirrors:  charts.Mirrors(configMirrors).Merge(flagMirrors),
		Offline:  f.offline,
		Progress: progress,
	}, nil
}

// chartsDir is where chart archives are kept: a folder of the cache.
func chartsDir(cacheDir string) string {
	if cacheDir == "" {
		return ""
	}
	return filepath.Join(cacheDir, "charts")
}

// isTerminal reports whether w is a terminal: progress is for people
// watching, not for logs.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// relPath names a file relative to the working directory where it can.
func relPath(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if r, err := filepath.Rel(wd, p); err == nil && filepath.IsLocal(r) {
		return r
	}
	return p
}
