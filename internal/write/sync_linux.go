package write

import "golang.org/x/sys/unix"

// On Linux one syncfs(2) flushes every file staged or renamed, where an
// fsync per file costs a disk flush each.
const syncEachFile = false

type flusher struct{}

func newFlusher() *flusher { return &flusher{} }

// dir notes a directory whose entries changed; syncfs covers it.
func (*flusher) dir(string) {}

// flush makes every staged file, rename and removal so far durable.
func (*flusher) flush(d *outDir) error {
	f, err := d.root.Open(".")
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Syncfs(int(f.Fd())); err != nil {
		// A kernel without syncfs(2): sync(2) flushes everything.
		unix.Sync()
	}
	return nil
}
