// Package progress tells a person at a terminal what a long run is doing.
// The engine says what it is doing through the context, cheaply and
// whether or not anyone listens; the command decides whether anyone sees
// it: a Terminal shows one line once a step has taken longer than a
// delay, rewrites it as the step moves on, and clears it when the step
// ends, so that a run that is quick says nothing.
package progress

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

type key struct{}

// With returns a context whose runs report what they do to report; ""
// means a step ended.
func With(ctx context.Context, report func(what string)) context.Context {
	return context.WithValue(ctx, key{}, report)
}

// Report says what the run is doing now, to whoever ctx names.
func Report(ctx context.Context, format string, args ...any) {
	if r, ok := ctx.Value(key{}).(func(string)); ok {
		r(fmt.Sprintf(format, args...))
	}
}

// Done says that the step being reported ended.
func Done(ctx context.Context) {
	if r, ok := ctx.Value(key{}).(func(string)); ok {
		r("")
	}
}

// Delay is how long a step runs before a Terminal says what it is doing.
const Delay = 2 * time.Second

// refresh is how often a Terminal redraws a line that changed: often
// enough to follow, seldom enough not to flood a slow terminal.
const refresh = 100 * time.Millisecond

// Terminal shows the current step on a terminal, as one line that is
// rewritten in place.
type Terminal struct {
	w     io.Writer
	delay time.Duration

	mu      sync.Mutex
	status  string    // what the run is doing; "" between steps
	since   time.Time // when the current step began
	drawn   string    // the line on the terminal; "" when none
	stopped bool
	done    chan struct{}
}

// NewTerminal starts showing on w, which must be a terminal, the steps that
// take longer than delay. Stop stops it.
func NewTerminal(w io.Writer, delay time.Duration) *Terminal {
	t := &Terminal{w: w, delay: delay, done: make(chan struct{})}
	go func() {
		tick := time.NewTicker(refresh)
		defer tick.Stop()
		for {
			select {
			case now := <-tick.C:
				t.tick(now)
			case <-t.done:
				return
			}
		}
	}()
	return t
}

// Report records what the run is doing; it is shown at the next tick.
func (t *Terminal) Report(what string) { t.report(what, time.Now()) }

func (t *Terminal) report(what string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	switch {
	case what == "":
		t.clear()
	case t.status == "":
		t.since = now
	}
	t.status = what
}

// tick draws the current step once it has run for the delay.
func (t *Terminal) tick(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped || t.status == "" || t.status == t.drawn || now.Sub(t.since) < t.delay {
		return
	}
	// Carriage return and erase-line: the line is rewritten in place.
	fmt.Fprintf(t.w, "\r\x1b[Kdorgu-gen: %s...", t.status)
	t.drawn = t.status
}

func (t *Terminal) clear() {
	if t.drawn != "" {
		fmt.Fprint(t.w, "\r\x1b[K")
		t.drawn = ""
	}
}

// Stop clears the line and shows nothing more: call it before the
// command's own output ends the run.
func (t *Terminal) Stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	t.stopped = true
	t.clear()
	close(t.done)
}
