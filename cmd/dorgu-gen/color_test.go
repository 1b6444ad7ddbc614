package main

import (
	"os"
	"testing"
)

// TestColorOK: colour only on a terminal, and NO_COLOR counts only when it
// is set to something (no-color.org): NO_COLOR= leaves colour on.
func TestColorOK(t *testing.T) {
	// /dev/null is a character device, as a terminal is.
	tty, err := os.Open(os.DevNull)
	if err != nil {
		t.Skipf("no %s: %v", os.DevNull, err)
	}
	defer tty.Close()
	if info, err := tty.Stat(); err != nil || info.Mode()&os.ModeCharDevice == 0 {
		t.Skipf("%s is not a character device here", os.DevNull)
	}
	file, err := os.Create(t.TempDir() + "/out.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	for _, c := range []struct {
		set   bool
		value string
		w     any
		want  bool
	}{
		{false, "", tty, true},
		{true, "", tty, true},
		{true, "1", tty, false},
		{true, "0", tty, false},
		{false, "", file, false},
		{true, "", file, false},
	} {
		if c.set {
			t.Setenv("NO_COLOR", c.value)
		} else {
			t.Setenv("NO_COLOR", "")
			os.Unsetenv("NO_COLOR")
		}
		if got := colorOK(c.w); got != c.want {
			t.Errorf("NO_COLOR set=%v %q, %T: colorOK = %v, want %v", c.set, c.value, c.w, got, c.want)
		}
	}
}
