//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// forever is a config whose evaluation takes hours (400 million
// iterations of a comprehension) in little memory: CUE evaluation, which
// nothing can interrupt from inside.
const forever = `import "list"

repo: url: "https://github.com/acme/infra.git"
clusters: dev: {
	environment: "development"
	components: "cert-manager": values: n: len([for i in list.Range(0, 20000, 1) for j in list.Range(0, 20000, 1) if i == j {i}])
}
`

// patience bounds how long the tests wait for a process to reach CUE
// evaluation or to end after a signal. It is no assertion on speed: a
// dorgu-gen that ignores the signal runs for hours, and the test must
// fail rather than hang.
const patience = 2 * time.Minute

// SIGINT and SIGTERM end a command that is stuck in CUE evaluation, with
// the documented exit code, a one-line message, and nothing written.
func TestSignalsEndEvaluation(t *testing.T) {
	bin, err := exec.LookPath("dorgu-gen")
	if err != nil {
		t.Fatalf("the dorgu-gen command testscript installs: %v", err)
	}
	for _, c := range []struct {
		args []string
		sig  syscall.Signal
		code int
		msg  string
	}{
		{[]string{"render", "--config", "forever.cue", "--out", "out"}, syscall.SIGINT, 130, "dorgu-gen: interrupted by SIGINT\n"},
		{[]string{"render", "--config", "forever.cue", "--out", "out"}, syscall.SIGTERM, 143, "dorgu-gen: interrupted by SIGTERM\n"},
		{[]string{"vet", "--config", "forever.cue", "--out", "out"}, syscall.SIGTERM, 143, "dorgu-gen: interrupted by SIGTERM\n"},
		{[]string{"components", "show", "cert-manager", "--config", "forever.cue"}, syscall.SIGINT, 130, "dorgu-gen: interrupted by SIGINT\n"},
	} {
		t.Run(c.args[0]+"/"+c.sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "forever.cue"), []byte(forever), 0o644); err != nil {
				t.Fatal(err)
			}
			if c.args[0] == "vet" {
				if err := os.Mkdir(filepath.Join(dir, "out"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(bin, c.args...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "DORGU_CACHE=off", "NO_COLOR=1")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			defer func() { _ = cmd.Process.Kill() }()

			waitEvaluating(t, cmd.Process.Pid, exited)
			if err := cmd.Process.Signal(c.sig); err != nil {
				t.Fatal(err)
			}
			var werr error
			select {
			case werr = <-exited:
			case <-time.After(patience):
				t.Fatalf("still running %v after %v", c.sig, patience)
			}
			var ee *exec.ExitError
			if !errors.As(werr, &ee) || ee.ExitCode() != c.code {
				t.Fatalf("ended with %v; want exit code %d\nstderr:\n%s", werr, c.code, stderr.String())
			}
			if stderr.String() != c.msg {
				t.Errorf("stderr %q; want %q", stderr.String(), c.msg)
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout %q; want nothing", stdout.String())
			}
			if c.args[0] == "render" {
				if _, err := os.Stat(filepath.Join(dir, "out")); !os.IsNotExist(err) {
					t.Errorf("an interrupted render left its output directory: %v", err)
				}
			}
		})
	}
}

// waitEvaluating waits until the process has spent 1 s of CPU time,
// which loading the config and compiling the policies (a tenth of that)
// cannot account for: it is then in CUE evaluation. Where /proc does not
// say, it waits 3 s instead.
func waitEvaluating(t *testing.T, pid int, exited chan error) {
	t.Helper()
	deadline := time.After(patience)
	for {
		cpu, ok := cpuTime(pid)
		if !ok {
			time.Sleep(3 * time.Second)
			return
		}
		if cpu >= time.Second {
			return
		}
		select {
		case err := <-exited:
			t.Fatalf("ended (%v) before it could be interrupted", err)
		case <-deadline:
			t.Fatalf("spent only %v of CPU in %v", cpu, patience)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// cpuTime reads the user and system time of a process from
// /proc/PID/stat (in clock ticks of 1/100 s, as Linux reports them).
func cpuTime(pid int) (time.Duration, bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// The fields after the command name, which is in parentheses:
	// state is the first, utime the 12th, stime the 13th.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(u+s) * 10 * time.Millisecond, true
}

// lockedBuffer is a bytes.Buffer safe for the goroutine that ends the
// process and the test that reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A command stuck where no context reaches (a read that blocks, code that
// does not look at its context) is ended anyway once the grace period
// after the signal runs out: exit 143 for SIGTERM, one message.
func TestSignalEndsStuckCommand(t *testing.T) {
	var stderr lockedBuffer
	exited := make(chan int, 1)
	end := &ending{stderr: &stderr, exit: func(code int) { exited <- code }}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	stop := end.onSignals(cancel)
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The command never returns: only the grace period can end it.
	select {
	case code := <-exited:
		if code != exitTerminate {
			t.Errorf("exit code %d; want %d", code, exitTerminate)
		}
	case <-time.After(patience):
		t.Fatalf("no exit %v after SIGTERM", patience)
	}
	var sig *interrupted
	if !errors.As(context.Cause(ctx), &sig) || sig.code() != exitTerminate {
		t.Errorf("the run's context ended with %v; want the signal as its cause", context.Cause(ctx))
	}
	if got := stderr.String(); got != "dorgu-gen: interrupted by SIGTERM\n" {
		t.Errorf("stderr %q", got)
	}
	// A command that returns after the process began to end does not
	// print or exit a second time: finish waits for the ending.
	done := make(chan struct{})
	go func() {
		end.finish(exitOK, "done\n")
		close(done)
	}()
	select {
	case <-done:
		t.Error("finish returned while the process was ending")
	case <-time.After(50 * time.Millisecond):
	}
	if got := stderr.String(); got != "dorgu-gen: interrupted by SIGTERM\n" {
		t.Errorf("stderr %q after finish", got)
	}
}
