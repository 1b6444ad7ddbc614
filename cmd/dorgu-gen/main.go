// Command dorgu-gen turns CUE definitions of a Kubernetes platform stack
// into a policy-checked ArgoCD App-of-Apps repository.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	cueerrors "cuelang.org/go/cue/errors"

	"github.com/dorgu/dorgu-gen/internal/limits"
	"github.com/dorgu/dorgu-gen/internal/progress"
	"github.com/dorgu/dorgu-gen/internal/report"
	"github.com/dorgu/dorgu-gen/internal/startup"
)

// Exit codes, documented in the README and the root command's help.
const (
	exitOK       = 0
	exitFindings = 1
	exitConfig   = 2
	// 128 + the signal's number, as shells report a command a signal
	// ended.
	exitInterrupt = 130
	exitTerminate = 143
)

// grace is how long a command has after SIGINT or SIGTERM to stop on its
// own before the process exits anyway: CUE evaluation, and a read stuck on
// a pipe, cannot be interrupted. Most commands stop at once; render stops
// staging files and removes the staged ones (internal/write), and a render
// that dies while renaming them into place leaves its journal, which the
// next render completes.
const grace = 500 * time.Millisecond

func main() { os.Exit(run()) }

func run() int {
	startup.Done()
	// Helm reports values it skips through Go's standard logger, straight
	// to stderr, unescaped and with key names a chart chooses. What
	// dorgu-gen prints is its own: the values checks report what matters
	// of them, at their lines.
	log.SetOutput(io.Discard)
	stderr := os.Stderr
	lim, err := limits.FromEnv(os.Getenv)
	if err != nil {
		fmt.Fprint(stderr, formatError(err))
		return exitConfig
	}
	// On a terminal, a step that runs for seconds says what it is doing;
	// on a pipe or in a log, nothing is printed.
	var term *progress.Terminal
	end := &ending{stderr: stderr, exit: os.Exit}
	if isTerminal(stderr) {
		term = progress.NewTerminal(stderr, progress.Delay)
		// Whatever ends the process clears the progress line first, so
		// that its message starts a line of its own.
		end.clear = term.Stop
	}
	ctx, cancel := context.WithCancelCause(limits.With(context.Background(), lim))
	defer cancel(nil)
	stopSignals := end.onSignals(cancel)
	defer stopSignals()
	// Past the memory bound the process ends at once: what allocates
	// cannot be interrupted.
	stopWatch := limits.WatchMemory(lim.Memory, limits.WatchInterval, func(heap uint64) {
		end.now(exitConfig, formatError(lim.MemoryError(heap)))
	})
	defer stopWatch()

	if term != nil {
		ctx = progress.With(ctx, term.Report)
	}
	cmd := newRootCmd(os.Stdout, stderr)
	err = cmd.ExecuteContext(ctx)
	if term != nil {
		term.Stop()
	}
	var sig *interrupted
	if errors.As(context.Cause(ctx), &sig) {
		// Whatever the command returned, it was cut short: its error
		// is most likely the cancellation itself.
		return end.finish(sig.code(), sig.message())
	}
	code, msg := exitCode(err)
	return end.finish(code, msg)
}

// interrupted is the cause of a run's end by a signal.
type interrupted struct{ sig os.Signal }

func (i *interrupted) Error() string { return "interrupted by " + signalName(i.sig) }

func (i *interrupted) code() int {
	if i.sig == syscall.SIGTERM {
		return exitTerminate
	}
	return exitInterrupt
}

func (i *interrupted) message() string { return "dorgu-gen: " + i.Error() + "\n" }

func signalName(sig os.Signal) string {
	if sig == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "SIGINT"
}

// ending ends the process once, with one message and one exit code. Three
// things can end it: the command returning, a signal whose grace period
// ran out, and the memory watchdog.
type ending struct {
	once   sync.Once
	stderr io.Writer
	// exit ends the process: os.Exit.
	exit func(code int)
	// clear, when set, removes what the terminal shows of a step in
	// progress; it is called before the message.
	clear func()
}

func (e *ending) print(msg string) {
	if e.clear != nil {
		e.clear()
	}
	fmt.Fprint(e.stderr, msg)
}

// finish prints msg for a command that returned, and gives its exit code;
// when the process is already being ended, it waits for that.
func (e *ending) finish(code int, msg string) int {
	ran := false
	e.once.Do(func() {
		ran = true
		e.print(msg)
	})
	if !ran {
		select {}
	}
	return code
}

// now prints msg and exits with code at once, unless the process is
// already ending.
func (e *ending) now(code int, msg string) {
	e.once.Do(func() {
		e.print(msg)
		e.exit(code)
	})
}

// onSignals cancels the run on SIGINT or SIGTERM, and exits if it has not
// ended grace later, or at a second signal.
func (e *ending) onSignals(cancel context.CancelCauseFunc) (stop func()) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		var sig os.Signal
		select {
		case sig = <-sigs:
		case <-done:
			return
		}
		cause := &interrupted{sig}
		cancel(cause)
		timer := time.NewTimer(grace)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-sigs:
		case <-done:
			return
		}
		e.now(cause.code(), cause.message())
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}

// errFindings reports that checks found errors; they are already printed.
var errFindings = errors.New("policy findings")

// exitCode maps err to the documented exit code and the message to print.
// Findings are printed where they are found; everything else is a problem
// with the config, the options or the output directory.
func exitCode(err error) (int, string) {
	switch {
	case err == nil:
		return exitOK, ""
	case errors.Is(err, errFindings):
		return exitFindings, ""
	}
	return exitConfig, formatError(err)
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
