// Package limits holds the bounds a run keeps whatever its input: how long
// the evaluation of the CUE sources may take and how much memory the
// process may hold. A pull request controls the sources vet evaluates, and
// CUE evaluation can neither be interrupted nor bounded from inside: a
// comprehension of a few tens of thousands of items takes minutes and
// grows quadratically. So evaluation runs against a deadline, and a
// watchdog ends the process when its heap passes the bound.
//
// The defaults are generous for a fleet of a thousand clusters (about
// 400 MiB and well under a minute of evaluation on a laptop; see
// BENCHMARKS.md); environment variables raise them for larger ones.
package limits

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The environment variables that set the limits.
const (
	EvalTimeEnv   = "DORGU_EVAL_TIMEOUT"
	PolicyTimeEnv = "DORGU_POLICY_TIMEOUT"
	MemoryEnv     = "DORGU_MAX_MEMORY"
)

// The defaults.
const (
	DefaultEvalTime         = 5 * time.Minute
	DefaultPolicyTime       = 5 * time.Minute
	DefaultMemory     int64 = 4 << 30
)

// Limits are the bounds of one run.
type Limits struct {
	// EvalTime bounds the evaluation of the CUE sources and the planning
	// of their files.
	EvalTime time.Duration
	// PolicyTime bounds one evaluation of the policies over a scaffold
	// (every package, every cluster), and the run of policy tests. A
	// policy that loops over a large input by mistake must fail the run,
	// not hang a CI job; a fleet of a thousand clusters on a loaded runner
	// needs well over the 30 seconds this once was.
	PolicyTime time.Duration
	// Memory bounds the Go heap of the process, in bytes.
	Memory int64
}

// Default returns the default limits.
func Default() Limits {
	return Limits{EvalTime: DefaultEvalTime, PolicyTime: DefaultPolicyTime, Memory: DefaultMemory}
}

// FromEnv returns the limits the environment sets, the defaults for what
// it leaves unset. A value that does not parse, or is not positive, is an
// error naming the variable.
func FromEnv(getenv func(string) string) (Limits, error) {
	l := Default()
	for _, d := range []struct {
		env string
		to  *time.Duration
	}{{EvalTimeEnv, &l.EvalTime}, {PolicyTimeEnv, &l.PolicyTime}} {
		v := getenv(d.env)
		if v == "" {
			continue
		}
		t, err := time.ParseDuration(v)
		if err != nil || t <= 0 {
			return l, fmt.Errorf("%s=%q: want a positive duration such as 10m or 90s", d.env, v)
		}
		*d.to = t
	}
	if v := getenv(MemoryEnv); v != "" {
		n, err := ParseSize(v)
		if err != nil {
			return l, fmt.Errorf("%s=%q: %v", MemoryEnv, v, err)
		}
		l.Memory = n
	}
	return l, nil
}

// ParseSize reads a number of bytes: 1048576, 512MiB, 4GiB (KiB, MiB, GiB
// and TiB are powers of 1024; K, M, G, T, KB, MB, GB, TB mean the same).
func ParseSize(s string) (int64, error) {
	num := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	unit := strings.ToUpper(strings.TrimSpace(s[len(num):]))
	shift := map[string]uint{"": 0, "B": 0, "K": 10, "KB": 10, "KIB": 10, "M": 20, "MB": 20, "MIB": 20, "G": 30, "GB": 30, "GIB": 30, "T": 40, "TB": 40, "TIB": 40}
	sh, ok := shift[unit]
	n, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || n <= 0 || n > math.MaxInt64>>sh {
		return 0, errors.New("want a positive size such as 4GiB or 512MiB")
	}
	return n << sh, nil
}

// FormatSize writes a number of bytes as people read it: 4 GiB, 512 MiB.
func FormatSize(n int64) string {
	for _, u := range []struct {
		shift uint
		name  string
	}{{40, "TiB"}, {30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if n >= 1<<u.shift {
			v := float64(n) / float64(int64(1)<<u.shift)
			if v == math.Trunc(v) {
				return fmt.Sprintf("%d %s", int64(v), u.name)
			}
			return fmt.Sprintf("%.1f %s", v, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// ExceededError is a limit that a run hit: a configuration problem (exit
// 2) that names the limit and how to raise it.
type ExceededError struct {
	// What was bounded, and by how much.
	What, Limit string
	// Env raises the limit.
	Env string
	// Example is a value of Env that raises it.
	Example string
}

func (e *ExceededError) Error() string {
	return fmt.Sprintf("%s exceeded its limit of %s; if the sources are meant to be this large, raise the limit with %s (for example %s=%s)", e.What, e.Limit, e.Env, e.Env, e.Example)
}

// EvalTimeError is the error of an evaluation that ran out of time.
func (l Limits) EvalTimeError() *ExceededError {
	return &ExceededError{What: "the evaluation of the CUE sources", Limit: l.EvalTime.String(), Env: EvalTimeEnv, Example: (2 * l.EvalTime).String()}
}

// PolicyTimeError is the error of a policy evaluation that ran out of time.
func (l Limits) PolicyTimeError() *ExceededError {
	return &ExceededError{What: "the evaluation of the policies", Limit: l.PolicyTime.String(), Env: PolicyTimeEnv, Example: (2 * l.PolicyTime).String()}
}

// MemoryError is the error of a process whose heap passed the bound.
func (l Limits) MemoryError(heap uint64) *ExceededError {
	return &ExceededError{What: fmt.Sprintf("memory (the heap held %s)", FormatSize(int64(min(heap, math.MaxInt64)))), Limit: FormatSize(l.Memory), Env: MemoryEnv, Example: strings.ReplaceAll(FormatSize(2*l.Memory), " ", "")}
}

type ctxKey struct{}

// With returns a context that carries l to the code that enforces it.
func With(ctx context.Context, l Limits) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// From returns the limits ctx carries, or the defaults.
func From(ctx context.Context) Limits {
	if l, ok := ctx.Value(ctxKey{}).(Limits); ok {
		return l
	}
	return Default()
}

// Eval runs f, an evaluation that cannot be interrupted, and waits for it
// until it returns, ctx ends (the error is then ctx's cause), or the
// evaluation time of ctx's limits runs out (an *ExceededError). In the
// last two cases f goes on running in the background, and its result is
// dropped: the caller is expected to end the process, which ends f.
func Eval[T any](ctx context.Context, f func() (T, error)) (T, error) {
	l := From(ctx)
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	timer := time.NewTimer(l.EvalTime)
	defer timer.Stop()
	var zero T
	select {
	case r := <-done:
		return r.v, r.err
	case <-timer.C:
		return zero, l.EvalTimeError()
	case <-ctx.Done():
		return zero, context.Cause(ctx)
	}
}
