package progress

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// The clock is driven by hand: nothing here waits.
func TestTerminal(t *testing.T) {
	var out bytes.Buffer
	term := &Terminal{w: &out, delay: Delay, done: make(chan struct{})}
	t0 := time.Unix(1000, 0)

	// A step that ends before the delay says nothing.
	term.report("loading the CUE sources", t0)
	term.tick(t0.Add(Delay - time.Millisecond))
	term.report("", t0.Add(Delay-time.Millisecond))
	term.tick(t0.Add(3 * Delay))
	if out.Len() != 0 {
		t.Fatalf("a quick step printed %q", out.String())
	}

	// A long step: shown once the delay has passed since it began,
	// rewritten when it moves on, not redrawn when it did not.
	t1 := t0.Add(time.Minute)
	term.report("loading the CUE sources", t1)
	term.report("evaluating cluster a (1/2)", t1.Add(time.Second))
	term.tick(t1.Add(Delay))
	term.tick(t1.Add(Delay + refresh))
	term.report("evaluating cluster b (2/2)", t1.Add(Delay+refresh))
	term.tick(t1.Add(Delay + 2*refresh))
	term.report("", t1.Add(Delay+3*refresh))
	want := "\r\x1b[Kdorgu-gen: evaluating cluster a (1/2)..." +
		"\r\x1b[Kdorgu-gen: evaluating cluster b (2/2)..." +
		"\r\x1b[K"
	if got := out.String(); got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}

	// Stop clears a line still shown, and nothing is shown after it.
	out.Reset()
	term.report("checking the policies", t1.Add(time.Hour))
	term.tick(t1.Add(time.Hour + Delay))
	term.Stop()
	term.report("late", t1.Add(2*time.Hour))
	term.tick(t1.Add(3 * time.Hour))
	term.Stop()
	if got, want := out.String(), "\r\x1b[Kdorgu-gen: checking the policies...\r\x1b[K"; got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestReportWithoutListener(t *testing.T) {
	Report(context.Background(), "nobody hears %d", 1) // must not panic
	Done(context.Background())
	var got []string
	ctx := With(context.Background(), func(s string) { got = append(got, s) })
	Report(ctx, "evaluating cluster %s (%d/%d)", "a", 1, 2)
	Done(ctx)
	if len(got) != 2 || got[0] != "evaluating cluster a (1/2)" || got[1] != "" {
		t.Fatalf("got %q", got)
	}
}
