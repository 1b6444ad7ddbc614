//go:build unix

package main

import (
	"strings"
	"testing"
	"time"

	"github.com/dorgu/dorgu-gen/internal/progress"
)

// What ends the process (the memory watchdog, a signal's grace period
// running out) clears the progress line on the terminal first, so that
// its message is a line of its own rather than the tail of
// "dorgu-gen: evaluating ...".
func TestEndingClearsProgressLine(t *testing.T) {
	var stderr lockedBuffer
	term := progress.NewTerminal(&stderr, 0)
	term.Report("evaluating cluster prod")
	deadline := time.Now().Add(patience)
	for !strings.Contains(stderr.String(), "evaluating cluster prod...") {
		if time.Now().After(deadline) {
			t.Fatalf("the progress line was never drawn: %q", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	exited := -1
	end := &ending{stderr: &stderr, exit: func(code int) { exited = code }, clear: term.Stop}
	end.now(exitConfig, "dorgu-gen: memory exceeded its limit\n")
	if exited != exitConfig {
		t.Errorf("exit code %d; want %d", exited, exitConfig)
	}
	want := "\r\x1b[Kdorgu-gen: evaluating cluster prod...\r\x1b[Kdorgu-gen: memory exceeded its limit\n"
	if got := stderr.String(); got != want {
		t.Errorf("stderr %q; want %q", got, want)
	}
}
