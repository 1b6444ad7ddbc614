// Command dorgu-gen turns CUE definitions of a Kubernetes platform stack
// into a policy-checked ArgoCD App-of-Apps repository.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	cueerrors "cuelang.org/go/cue/errors"

	"github.com/dorgu/dorgu-gen/internal/report"
	"github.com/dorgu/dorgu-gen/internal/startup"
)

// Exit codes, documented in the README.
const (
	exitOK       = 0
	exitFindings = 1
	exitConfig   = 2
)

func main() { os.Exit(run()) }

func run() int {
	startup.Done()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd := newRootCmd(os.Stdout, os.Stderr)
	err := cmd.ExecuteContext(ctx)
	return exitCode(os.Stderr, err)
}

// errFindings reports that checks found errors; they are already printed.
var errFindings = errors.New("policy findings")

// exitCode prints err and maps it to the documented exit code. Findings are
// printed where they are found; everything else is a problem with the
// config, the options or the output directory.
func exitCode(stderr io.Writer, err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errFindings):
		return exitFindings
	}
	fmt.Fprint(stderr, formatError(err))
	return exitConfig
}

// formatError prints CUE errors with their positions relative to the
// working directory, and every other error on its own line. Errors name
// files and quote sources that a pull request controls, so the text is
// escaped as the text report is.
func formatError(err error) string {
	var ce cueerrors.Error
	if errors.As(err, &ce) {
		wd, _ := os.Getwd()
		return report.EscapeText(cueerrors.Details(err, &cueerrors.Config{Cwd: wd}))
	}
	return report.EscapeText("dorgu-gen: " + err.Error() + "\n")
}
