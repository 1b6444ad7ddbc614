package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
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
