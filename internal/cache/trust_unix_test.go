//go:build unix

package cache

import (
	"os"
	"syscall"
	"testing"
)

// A FIFO in place of an entry is a miss, at once: opening it for reading
// must not wait for a writer.
func TestGetFIFO(t *testing.T) {
	s := open(t)
	k := s.NewKey("plan").Sum()
	if err := s.Put(k, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(s.path(k)); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(s.path(k), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get(k); ok {
		t.Fatal("a FIFO was read as an entry")
	}
}
