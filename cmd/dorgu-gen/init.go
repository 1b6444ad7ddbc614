package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dorgu/dorgu-gen/internal/starter"
)

func newInitCmd() *cobra.Command {
	var eject bool
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a starter config: dorgu.cue, an example component and an example policy",
		Long: `Init writes a starter config into DIR (default: the current directory):
dorgu.cue with one commented cluster, components/metrics-server.cue as an
example of a component of your own, policies/production_replicas.rego with
its unit test, and a README. It never overwrites a file.

With --eject it also copies the embedded schema, components and policies, for
teams that want full control: dorgu-gen then uses the copies instead of the
definitions built into the binary.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			written, err := starter.Write(dir, eject)
			if err != nil {
				return err
			}
			for _, p := range written {
				fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", p)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "next: edit %s/dorgu.cue, then run dorgu-gen render\n", dir)
			return nil
		},
	}
	cmd.Flags().BoolVar(&eject, "eject", false, "also copy the embedded schema, components and policies into DIR")
	return cmd
}
