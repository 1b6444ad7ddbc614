package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dorgu/dorgu-gen/internal/config"
)

// formatValue is the value of -o/--output: one of a command's formats,
// checked while the command line is parsed, so that a wrong one is a usage
// error before anything runs.
type formatValue struct {
	p       *string
	formats []string
}

func (f *formatValue) String() string { return *f.p }

func (f *formatValue) Set(s string) error {
	if !slices.Contains(f.formats, s) {
		return fmt.Errorf("expected one of %s", strings.Join(f.formats, ", "))
	}
	*f.p = s
	return nil
}

func (f *formatValue) Type() string { return "format" }

// addOutputFlag gives cmd -o/--output, the output format, as kubectl, helm
// and argocd name it; formats[0] is the default. Every command that prints
// in more than one format takes it, and only those: the directory a
// command writes into is --out, which has no short name.
func addOutputFlag(cmd *cobra.Command, p *string, formats []string) {
	*p = formats[0]
	cmd.Flags().VarP(&formatValue{p: p, formats: formats}, "output", "o", "output format: "+strings.Join(formats, ", "))
	// Registering a completion for a flag just added cannot fail.
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
}

// flagHint says what to type instead, for the flags whose meaning changed:
// -o was the directory of render, vet and template; it is now the format.
func flagHint(c *cobra.Command, err error) string {
	if !strings.Contains(err.Error(), "unknown shorthand flag: 'o'") {
		return ""
	}
	if c.Flags().Lookup("out") != nil {
		return "; -o is the output format in every command; name the directory with --out DIR"
	}
	return "; -o is the output format, which " + c.CommandPath() + " does not have"
}

// sourceFlags are the flags that say what to read and render: --config
// and those of the sources a command uses.
type sourceFlags struct {
	opts config.Options
}

// sourceSet says which source flags a command takes: only those it uses,
// so that a flag never does nothing.
type sourceSet uint

const (
	// sourceClusters is --cluster, repeatable.
	sourceClusters sourceSet = 1 << iota
	// sourceOneCluster is --cluster, once: a second one is an error.
	sourceOneCluster
	// sourceEnvironment is --environment.
	sourceEnvironment
	// sourceRepo is --repo-url and --revision.
	sourceRepo
	// sourcePolicies is --policy.
	sourcePolicies
)

func (s *sourceFlags) register(cmd *cobra.Command, set sourceSet) {
	fs := cmd.Flags()
	addConfigFlag(cmd, &s.opts)
	switch {
	case set&sourceClusters != 0:
		fs.StringArrayVar(&s.opts.Clusters, "cluster", nil, "only this cluster (repeatable); with the embedded default, the name of its one cluster (default \""+config.DefaultCluster+"\")")
	case set&sourceOneCluster != 0:
		fs.Var(&oneCluster{p: &s.opts.Clusters, cmd: cmd}, "cluster", "the cluster (default: the config's only cluster); with the embedded default, the name of its one cluster (default \""+config.DefaultCluster+"\")")
	}
	if set&sourceEnvironment != 0 {
		fs.StringVar(&s.opts.Environment, "environment", "", "environment of the embedded default's cluster: development, staging, production or sandbox (default \""+config.DefaultEnvironment+"\")")
	}
	if set&sourceRepo != 0 {
		fs.StringVar(&s.opts.RepoURL, "repo-url", "", "Git URL of the scaffold's repository (overrides repo.url)")
		fs.StringVar(&s.opts.Revision, "revision", "", "Git revision the Applications track (overrides repo.revision; default \"main\")")
	}
	if set&sourcePolicies != 0 {
		fs.StringArrayVar(&s.opts.PolicyDirs, "policy", nil, "folder of .rego policies to run with the embedded ones and the config's policies/ (repeatable)")
	}
}

// embeddedConfig is the --config value that names the embedded default
// stack (a directory called embedded is ./embedded).
const embeddedConfig = "embedded"

// configValue is --config: a CUE file or directory, or "embedded".
type configValue struct{ o *config.Options }

func (c configValue) String() string {
	if c.o.Embedded {
		return embeddedConfig
	}
	return c.o.Path
}

func (c configValue) Set(s string) error {
	c.o.Path, c.o.Embedded = s, false
	if s == embeddedConfig {
		c.o.Path, c.o.Embedded = "", true
	}
	return nil
}

func (c configValue) Type() string { return "path" }

// addConfigFlag gives cmd --config, the same in every command that reads
// a config.
func addConfigFlag(cmd *cobra.Command, o *config.Options) {
	cmd.Flags().Var(configValue{o}, "config", "CUE config file or directory, or \"embedded\" for the embedded default stack (default: ./dorgu.cue or ./dorgu/ if present, else the embedded default stack)")
}

// oneCluster is --cluster where a command works on one cluster: a second
// --cluster is an error, not the last one winning.
type oneCluster struct {
	p   *[]string
	cmd *cobra.Command
}

func (o *oneCluster) String() string {
	if len(*o.p) == 0 {
		return ""
	}
	return (*o.p)[0]
}

func (o *oneCluster) Set(s string) error {
	if len(*o.p) > 0 {
		return fmt.Errorf("given twice (%s, then %s); %s works on one cluster: give it once", (*o.p)[0], s, o.cmd.CommandPath())
	}
	*o.p = []string{s}
	return nil
}

func (o *oneCluster) Type() string { return "name" }
