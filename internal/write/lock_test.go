package write

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// holdLockEnv makes the test binary a render that takes the lock of the
// directory it names, says so on stdout, and waits to be killed.
const holdLockEnv = "DORGU_WRITE_TEST_HOLD_LOCK"

func TestMain(m *testing.M) {
	if out := os.Getenv(holdLockEnv); out != "" {
		d, err := openOutDir(out)
		if err == nil {
			var made []string
			err = d.mkdirs(StateDir, &made)
		}
		var l *Lock
		if err == nil {
			l, err = acquireLock(d)
		}
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("locked")
		_, _ = io.Copy(io.Discard, os.Stdin)
		_ = l // never released: the process is killed holding it
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestStaleLockRace: renders race over the lock a killed render left
// behind, whose pid has since been given to a live process (here, this
// one: in a container, pids are small and come back soon). Exactly one
// render takes the lock; it holds it until every other render has tried
// and failed, so that two holders at once would show; and the content of
// the stale file decides nothing.
func TestStaleLockRace(t *testing.T) {
	out := t.TempDir()
	host, _ := os.Hostname()
	plant(t, out, lockPath, fmt.Sprintf("%d %s 2026-01-01T00:00:00Z\n", os.Getpid(), host))

	const n = 8
	plans := make([]*Plan, n)
	for i := range plans {
		p, err := Prepare(out, tree(v1), Options{})
		if err != nil {
			t.Fatal(err)
		}
		plans[i] = p
	}
	var (
		inside, maxInside, entered atomic.Int32
		others                     sync.WaitGroup // the renders that did not win
		start                      = make(chan struct{})
		errs                       = make([]error, n)
		wg                         sync.WaitGroup
	)
	others.Add(n - 1)
	for i, p := range plans {
		wg.Go(func() {
			<-start
			won := false
			errs[i] = p.apply(context.Background(), func(step string) {
				switch step {
				case "locked":
					now := inside.Add(1)
					for m := maxInside.Load(); now > m && !maxInside.CompareAndSwap(m, now); m = maxInside.Load() {
					}
					if entered.Add(1) == 1 {
						won = true
						others.Wait()
					}
				case "unlocking":
					inside.Add(-1)
				}
			})
			if !won {
				others.Done()
			}
		})
	}
	close(start)
	wg.Wait()

	if m := maxInside.Load(); m != 1 {
		t.Errorf("%d renders held the lock at once; want exactly 1", m)
	}
	wrote := 0
	for i, err := range errs {
		var le *LockedError
		switch {
		case err == nil:
			wrote++
		case !errors.As(err, &le):
			t.Errorf("render %d: %v; want success or a held lock", i, err)
		case !strings.Contains(err.Error(), fmt.Sprintf("(pid %d on ", os.Getpid())):
			t.Errorf("render %d: the message does not name the holder: %v", i, err)
		}
	}
	if wrote != 1 {
		t.Errorf("%d renders wrote; want exactly 1", wrote)
	}
	if got := withoutState(snapshot(t, out)); !maps.Equal(got, v1) {
		t.Errorf("tree %v, want %v", keysOf(got), keysOf(v1))
	}
	if _, err := os.Lstat(filepath.Join(out, lockPath)); err == nil {
		t.Errorf("lock file left behind")
	}
}

// TestLockReleasedOnce: a second release of a lock must not touch the lock
// of the render that took it after the first.
func TestLockReleasedOnce(t *testing.T) {
	out := t.TempDir()
	first := holdLock(t, out)
	first.release()
	second := holdLock(t, out)
	first.release()
	if _, err := os.Stat(filepath.Join(out, lockPath)); err != nil {
		t.Fatalf("releasing the first lock again removed the second's file: %v", err)
	}
	_, err := render(t, out, v1, Options{})
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("releasing the first lock again let the second go: render got %v", err)
	}
	second.release()
	mustRender(t, out, v1, Options{})
}

// TestLockDiesWithItsProcess: a render in another process holds the lock;
// killed, it leaves the lock file behind, and the next render takes the
// lock at once.
func TestLockDiesWithItsProcess(t *testing.T) {
	out := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdLockEnv+"="+out)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if line != "locked\n" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("the holder says %q", line)
	}
	_, err = render(t, out, v1, Options{})
	var le *LockedError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), fmt.Sprintf("(pid %d on ", cmd.Process.Pid)) {
		t.Errorf("render while another process holds the lock: %v", err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait() // killed: it reports the signal
	if _, err := os.Stat(filepath.Join(out, lockPath)); err != nil {
		t.Fatalf("the killed holder's lock file should still be there: %v", err)
	}
	mustRender(t, out, v1, Options{})
	if got := withoutState(snapshot(t, out)); !maps.Equal(got, v1) {
		t.Errorf("tree %v, want %v", keysOf(got), keysOf(v1))
	}
}
