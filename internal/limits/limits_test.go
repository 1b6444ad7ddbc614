package limits

import (
	"context"
	"errors"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"1048576": 1 << 20, "512MiB": 512 << 20, "4GiB": 4 << 30, "4gib": 4 << 30, "4G": 4 << 30,
		"2GB": 2 << 30, "10KiB": 10 << 10, "1TiB": 1 << 40, "100B": 100,
	} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1GiB", "GiB", "1.5GiB", "4 PiB", "lots", "99999999999TiB"} {
		if got, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d; want an error", in, got)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for in, want := range map[int64]string{4 << 30: "4 GiB", 512 << 20: "512 MiB", 1536 << 20: "1.5 GiB", 100: "100 bytes"} {
		if got := FormatSize(in); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	l, err := FromEnv(env(nil))
	if err != nil || l != Default() {
		t.Fatalf("no variables: %+v, %v; want the defaults", l, err)
	}
	l, err = FromEnv(env(map[string]string{EvalTimeEnv: "10m", PolicyTimeEnv: "90s", MemoryEnv: "8GiB"}))
	if err != nil || l.EvalTime != 10*time.Minute || l.PolicyTime != 90*time.Second || l.Memory != 8<<30 {
		t.Fatalf("raised: %+v, %v", l, err)
	}
	for name, bad := range map[string]string{EvalTimeEnv: "ten minutes", PolicyTimeEnv: "1 hour", MemoryEnv: "a lot"} {
		if _, err := FromEnv(env(map[string]string{name: bad})); err == nil || !strings.Contains(err.Error(), name+"=") {
			t.Errorf("%s=%q: %v; want an error naming the variable", name, bad, err)
		}
	}
	for _, name := range []string{EvalTimeEnv, PolicyTimeEnv} {
		if _, err := FromEnv(env(map[string]string{name: "-1s"})); err == nil {
			t.Errorf("a negative %s was accepted", name)
		}
	}
}

func TestContext(t *testing.T) {
	if got := From(context.Background()); got != Default() {
		t.Fatalf("From(no limits) = %+v", got)
	}
	l := Limits{EvalTime: time.Second, Memory: 1 << 20}
	if got := From(With(context.Background(), l)); got != l {
		t.Fatalf("From(With(l)) = %+v", got)
	}
}

func TestEval(t *testing.T) {
	ctx := With(context.Background(), Limits{EvalTime: time.Hour, Memory: DefaultMemory})
	if v, err := Eval(ctx, func() (int, error) { return 7, nil }); v != 7 || err != nil {
		t.Fatalf("Eval = %d, %v", v, err)
	}
	boom := errors.New("boom")
	if _, err := Eval(ctx, func() (int, error) { return 0, boom }); err != boom {
		t.Fatalf("Eval error = %v", err)
	}

	// An evaluation that never ends: the deadline ends the wait.
	block := make(chan struct{})
	defer close(block)
	short := With(context.Background(), Limits{EvalTime: 10 * time.Millisecond, Memory: DefaultMemory})
	_, err := Eval(short, func() (int, error) { <-block; return 0, nil })
	var ee *ExceededError
	if !errors.As(err, &ee) || ee.Env != EvalTimeEnv || !strings.Contains(err.Error(), "limit of 10ms") || !strings.Contains(err.Error(), "DORGU_EVAL_TIMEOUT=20ms") {
		t.Fatalf("past the deadline: %v; want an ExceededError naming the limit and how to raise it", err)
	}

	// So does the end of the context, with its cause.
	cctx, cancel := context.WithCancelCause(ctx)
	stop := errors.New("interrupted")
	cancel(stop)
	if _, err := Eval(cctx, func() (int, error) { <-block; return 0, nil }); err != stop {
		t.Fatalf("cancelled: %v; want the cause", err)
	}
}

func TestWatchMemory(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	var calls atomic.Int32
	got := make(chan uint64, 1)
	// The test binary's heap is past a 1 KiB bound at once.
	stop := WatchMemory(1<<10, time.Millisecond, func(heap uint64) {
		calls.Add(1)
		got <- heap
	})
	if heap := <-got; heap <= 1<<10 {
		t.Fatalf("exceeded with a heap of %d bytes, within the bound", heap)
	}
	if lim := debug.SetMemoryLimit(-1); lim != 1<<10 {
		t.Errorf("the soft memory limit is %d while watching; want the bound", lim)
	}
	stop()
	if n := calls.Load(); n != 1 {
		t.Errorf("exceeded called %d times; want once", n)
	}
	if lim := debug.SetMemoryLimit(-1); lim != before {
		t.Errorf("the soft memory limit is %d after stop; want %d as before", lim, before)
	}

	// Within the bound, nothing happens.
	stop = WatchMemory(1<<40, time.Millisecond, func(uint64) { t.Error("exceeded within the bound") })
	time.Sleep(20 * time.Millisecond)
	stop()
	if lim := debug.SetMemoryLimit(-1); lim != before {
		t.Errorf("a bound above the runtime's limit changed it to %d", lim)
	}
}

func TestMemoryError(t *testing.T) {
	err := Default().MemoryError(5 << 30)
	for _, want := range []string{"heap held 5 GiB", "limit of 4 GiB", "DORGU_MAX_MEMORY=8GiB"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
}
