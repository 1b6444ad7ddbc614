//go:build unix

package safefile

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
)

func TestDevicesAndFIFOs(t *testing.T) {
	if _, err := ReadFile("/dev/zero", 1<<20); !errors.Is(err, ErrNotRegular) {
		t.Errorf("/dev/zero: %v; want ErrNotRegular", err)
	}
	// A FIFO with no writer: opening it without O_NONBLOCK would block
	// this test forever.
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	for name, read := range map[string]func(string, int64) ([]byte, error){"ReadFile": ReadFile, "ReadNoFollow": ReadNoFollow} {
		if _, err := read(fifo, 10); !errors.Is(err, ErrNotRegular) {
			t.Errorf("%s of a FIFO: %v; want ErrNotRegular", name, err)
		}
	}
}
