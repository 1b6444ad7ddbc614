package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "dorgu-gen",
		Short: "Render CUE platform definitions into a policy-checked ArgoCD App-of-Apps repository",
		Long: `dorgu-gen turns CUE definitions of a Kubernetes platform stack into a
Git-ready ArgoCD App-of-Apps repository, checks it with OPA policies, and
writes nothing unless every check passes.

Exit codes: 0 success, 1 policy findings, 2 usage or configuration error
(a limit below included), 130 interrupted (SIGINT), 143 terminated
(SIGTERM). A signal ends any command within a second; an interrupted render
leaves the files as they were, or a journal that the next render completes.

Environment:
  DORGU_CACHE  where render, vet and components keep the results of unchanged
               sources (default: dorgu-gen in the user's cache directory);
               "off" turns the cache off. Whoever can write it can change
               results, so a directory that another user owns or may write
               is not used (a warning says so)
  DORGU_EVAL_TIMEOUT
               how long evaluating the CUE sources may take (default 5m;
               a Go duration such as 10m); past it, exit 2
  DORGU_POLICY_TIMEOUT
               how long one evaluation of the policies may take (default
               5m); past it, exit 2
  DORGU_MAX_MEMORY
               how much memory the Go heap may hold (default 4GiB; a size
               such as 8GiB or 512MiB); past it, exit 2
  DORGU_TODAY  the day (YYYY-MM-DD) waivers expire against (default: today,
               UTC)
  NO_COLOR     set to anything but "", no colour on a terminal`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		if h := flagHint(c, err); h != "" {
			err = fmt.Errorf("%w%s", err, h)
		}
		return usageError{err: err, cmd: c.CommandPath()}
	})
	root.AddCommand(newRenderCmd(), newVetCmd(), newInitCmd(), newComponentsCmd(), newTemplateCmd(), newDiffCmd(), newChartsCmd(), newOutdatedCmd(), newUpgradeCmd(), newPolicyCmd(), newVersionCmd())
	return root
}

// usageError is a problem with the command line.
type usageError struct {
	err error
	cmd string
}

func (u usageError) Error() string {
	return u.err.Error() + " (see '" + u.cmd + " --help')"
}
